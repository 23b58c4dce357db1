import Rules
import TracejoinModel

/// The records `rules test` parses: each line, or — when the source sets `multiline` — a first
/// line and the continuation lines that follow it (a Java stack trace is one record).
///
/// The tailer's framing (`FileReader` in the Tailing module) is internal to that module, and the
/// CLI target does not depend on Tailing, so its rule is repeated here with the same matcher, the
/// source's compiled `multiline.start` (``SourceParser/multilineStart``): a line the start
/// expression does not match joins the record before it while that record has fewer than
/// `max_lines` lines and stays within `max_bytes` with the line and its newline; any other line
/// starts a record. As in the tailer, only the first line is parsed; the continuation lines join
/// the record's raw text and its message (``joined(_:_:)``). The `timeout` does not apply to a
/// file read at once.
struct RecordFraming {
    struct Record {
        /// 1-based numbers of its first and last lines in the input.
        var first: Int
        var last: Int
        var lines: [[UInt8]]
        var bytes: Int
    }

    static func records(_ lines: [[UInt8]], multiline: RuleFile.Multiline?, start: GrokLineMatcherFactory?) -> [Record] {
        let matcher = start?.makeMatcher()
        var records: [Record] = []
        for (index, line) in lines.enumerated() {
            if let multiline, let matcher, let r = records.last, r.lines.count < multiline.maxLines,
               r.bytes + line.count + 1 <= multiline.maxBytes, !line.withUnsafeBufferPointer({ matcher.matches($0) }) {
                records[records.count - 1].lines.append(line)
                records[records.count - 1].bytes += line.count + 1
                records[records.count - 1].last = index + 1
            } else {
                records.append(Record(first: index + 1, last: index + 1, lines: [line], bytes: line.count))
            }
        }
        return records
    }

    /// A parsed first line with the record's continuation lines joined, as the tailer joins them.
    static func joined(_ record: LogRecord, _ continuation: ArraySlice<[UInt8]>) -> LogRecord {
        guard !continuation.isEmpty else { return record }
        var record = record
        let rest = continuation.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        record.raw += "\n" + rest
        record.message = (record.message ?? "") + "\n" + rest
        return record
    }
}
