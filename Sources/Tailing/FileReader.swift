import Quarantine
import TracejoinModel
#if FUZZING
import Foundation
#endif

/// Where reading one file stands. Plain data, kept by the tracker with the file it belongs to.
struct ReadPosition: Equatable, Sendable {
    /// Bytes framed into lines, including those of a record still gathering.
    var consumed: Int64
    /// At `consumed` the framer is skipping the rest of an over-long line.
    var skipping = false
    /// A multiline record still gathering: where it starts, and when its last line came.
    var pending: Pending?

    struct Pending: Equatable, Sendable {
        var start: Int64
        var lastLineAt: ContinuousClock.Instant
    }

    static func at(_ offset: Int64) -> ReadPosition { ReadPosition(consumed: offset) }

    /// Where reading goes on, and what a restart resumes from: the start of a record still
    /// gathering, or what was consumed. A record is never half handed on.
    var resume: Int64 { pending?.start ?? consumed }
}

/// What the tracker asks the reader to do with one file.
struct ReadPlan: Sendable {
    /// Read up to here (the file's size when it was looked at).
    var size: Int64
    /// Hand on a last line that has no newline (the writer has been quiet long enough).
    var flushPartial: Bool
    /// Hand on a record still gathering (the file is being let go).
    var finishRecord: Bool
    var now: ContinuousClock.Instant
    /// Stop after about this many bytes (whole chunks): one pass's share.
    var maxBytes: Int64 = .max
}

/// Reads a file's new bytes into one reused buffer, frames them into lines and hands each record
/// to the source's parser.
///
/// A multiline record is its first line plus ranges of the buffer, never copies. A record still
/// gathering when the bytes run out is not kept in memory either: the position stops at its
/// start, and the next read frames it again from there (its bytes are bounded by
/// `multiline.max_bytes`, and a read only happens when the file grew or the record is due).
final class FileReader {
    private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var continuation: [Range<Int>] = []
    /// The application's text of a chunk's lines, envelopes decoded (container formats only).
    private var scratch: [UInt8] = []

    init() {}

    deinit { buffer.deallocate() }

    /// What one read did, for the file's counters.
    struct Outcome {
        var linesRead = 0
        var linesCut = 0
        var bytesRead: Int64 = 0
    }

    /// The context a read needs: the source's settings and its parsing session.
    struct Context {
        let source: TailSource
        let session: any LineParserSession
        let matcher: (any LineMatcher)?
        let path: String
        /// The file, as the crash journal names it.
        var identity = FileIdentity(device: 0, inode: 0)
        /// Where each record is noted before it is parsed (`nil` in tests that need none).
        var journal: CrashJournal?
        /// Fields every record of the file carries: its pod, from the path (``PodPath``).
        var pathFields: [LogRecord.FieldText] = []
    }

    /// Makes the buffer large enough for `source`: a record being gathered plus its next line
    /// always fit, so a record is always decided within one buffer.
    func reserve(chunkSize: Int, for source: TailSource) {
        let record = source.multiline.map { $0.maxBytes + source.maxLineBytes + 2 } ?? 0
        // A runtime's envelope around every part of a split line: room for the parts of one
        // line of the longest kept, and the record it ends.
        let enveloped = source.format == .plain ? 0 : 2 * (max(source.maxLineBytes, source.multiline?.maxBytes ?? 0) + record) + (64 << 10)
        let needed = max(chunkSize, source.maxLineBytes + 1, record, enveloped)
        if buffer.count < needed {
            buffer.deallocate()
            buffer = .allocate(byteCount: needed, alignment: 16)
        }
    }

    func read<Files: FileAccess>(_ files: Files, _ handle: Files.Handle, position: inout ReadPosition, plan: ReadPlan,
                                          context: Context, into batch: inout TailBatch) -> Outcome {
        var outcome = Outcome()
        reserve(chunkSize: 0, for: context.source)
        while true {
            let from = position.resume
            let due = position.pending.map { pending in
                plan.finishRecord || context.source.multiline.map { plan.now - pending.lastLineAt >= $0.timeout } ?? true
            } ?? false
            // Nothing new, and no record due: nothing to do (a gathering record is not framed
            // again until it grows or its time is up).
            if position.consumed >= plan.size && !due { return outcome }
            let limit = Int(min(Int64(buffer.count), plan.size - from))
            guard limit > 0 else {
                position.pending = nil
                return outcome
            }
            let chunkFull = limit == buffer.count
            let n = files.read(handle, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<limit]), at: from)
            guard n > 0 else { return outcome }
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            let (advanced, stuck) = frame(bytes, from: from, atEnd: from + Int64(n) >= plan.size, position: &position, plan: plan,
                                          context: context, outcome: &outcome, into: &batch)
            if !advanced { return outcome }
            // A full buffer may have more behind it; anything less was all there was.
            if !chunkFull || stuck || position.resume >= plan.size || outcome.bytesRead >= plan.maxBytes { return outcome }
        }
    }

    /// Frames one chunk read at `from`. Returns whether the position moved, and whether it is
    /// stuck (a record filling the whole buffer: it was handed on as it is).
    ///
    /// With a container runtime's format, each line's envelope is decoded first and the
    /// application's text (partial records joined) goes to `scratch`: the multiline logic and
    /// the parser see the application's lines, never the envelope. A line the runtime split is
    /// taken only once its last part is here: the position never stops between its parts.
    private func frame(_ bytes: UnsafeBufferPointer<UInt8>, from: Int64, atEnd: Bool, position: inout ReadPosition,
                                plan: ReadPlan, context: Context, outcome: inout Outcome, into batch: inout TailBatch) -> (Bool, Bool) {
        let source = context.source
        let enveloped = source.format != .plain
        // Bytes below this were framed by an earlier read (the record still gathering).
        let seen = Int(position.consumed - from)
        var framer = LineFramer(maxLineBytes: source.maxLineBytes, skipping: position.pending == nil ? position.skipping : false)
        // A record: its first line (a range of `bytes`, or of `scratch` when enveloped), where
        // its first line starts in the chunk, its size, and its first line's envelope.
        var record: (first: Range<Int>, start: Int, lines: Int, bytes: Int, lastLineAt: ContinuousClock.Instant, meta: ContainerRecord?)?
        continuation.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        // A line the runtime split, gathering: where its first part starts in the chunk, where
        // its text starts in `scratch`, and its first part's envelope.
        var split: (start: Int, text: Int, meta: ContainerRecord)?
        // The longest application line kept whole, parts joined.
        let joinedLimit = max(source.maxLineBytes, source.multiline?.maxBytes ?? 0)
        let previousLastLine = position.pending?.lastLineAt ?? plan.now
        let base = bytes.baseAddress!

        func emitRecord(_ r: (first: Range<Int>, start: Int, lines: Int, bytes: Int, lastLineAt: ContinuousClock.Instant, meta: ContainerRecord?)) {
            let offset = from + Int64(r.start)
            if enveloped {
                scratch.withUnsafeBufferPointer { text in
                    Self.emit(text, offset: offset, first: r.first, continuation: continuation, meta: r.meta, context: context, into: &batch)
                }
            } else {
                Self.emit(bytes, offset: offset, first: r.first, continuation: continuation, meta: nil, context: context, into: &batch)
            }
        }

        // One application line, whole: the multiline logic, then the parser.
        func take(_ range: Range<Int>, start: Int, isNew: Bool, meta: ContainerRecord?) {
            guard let multiline = source.multiline, let matcher = context.matcher else {
                emitRecord((range, start, 1, range.count, plan.now, meta))
                return
            }
            let startsRecord = enveloped
                ? scratch.withUnsafeBufferPointer { matcher.matches(UnsafeBufferPointer(rebasing: $0[range])) }
                : matcher.matches(UnsafeBufferPointer(rebasing: bytes[range]))
            if var r = record, !startsRecord, r.lines < multiline.maxLines, r.bytes + range.count + 1 <= multiline.maxBytes {
                continuation.append(range)
                r.lines += 1
                r.bytes += range.count + 1
                if isNew { r.lastLineAt = plan.now }
                record = r
                return
            }
            if let r = record {
                emitRecord(r)
                continuation.removeAll(keepingCapacity: true)
            }
            record = (range, start, 1, range.count, isNew ? plan.now : previousLastLine, meta)
        }

        var consumed = framer.frame(bytes, flushPartial: plan.flushPartial && atEnd) { line in
            let isNew = line.start >= seen
            if isNew {
                outcome.linesRead += 1
                if line.cut { outcome.linesCut += 1 }
            }
            guard enveloped else {
                let range = (line.bytes.baseAddress! - base)..<(line.bytes.baseAddress! - base + line.bytes.count)
                take(range, start: line.start, isNew: isNew, meta: nil)
                return
            }
            let mark = scratch.count
            guard let meta = ContainerLog.decode(line.bytes, as: source.format, into: &scratch) else {
                // Not the runtime's shape: the line as it is (a gathering split ends here).
                if let s = split {
                    take(s.text..<mark, start: s.start, isNew: isNew, meta: s.meta)
                    split = nil
                }
                let at = scratch.count
                scratch.append(contentsOf: line.bytes)
                take(at..<scratch.count, start: line.start, isNew: isNew, meta: nil)
                return
            }
            if let s = split {
                // Parts beyond the limit are dropped (the line is cut, once).
                if mark - s.text >= joinedLimit {
                    scratch.removeSubrange(mark...)
                } else if scratch.count - s.text > joinedLimit {
                    scratch.removeSubrange((s.text + joinedLimit)...)
                    if isNew { outcome.linesCut += 1 }
                }
                if meta.partial { return }
                split = nil
                take(s.text..<scratch.count, start: s.start, isNew: isNew, meta: s.meta)
            } else if meta.partial {
                split = (line.start, mark, meta)
            } else {
                take(mark..<scratch.count, start: line.start, isNew: isNew, meta: meta)
            }
        }
        // A split line whose last part has not come: read again from its first part, unless
        // the file is being let go, or the line fills the whole buffer (handed on as it is).
        var lineStuck = false
        if let s = split {
            lineStuck = s.start == 0 && consumed == bytes.count && !atEnd
            if (plan.finishRecord && atEnd) || lineStuck {
                take(s.text..<scratch.count, start: s.start, isNew: true, meta: s.meta)
                split = nil
            } else {
                consumed = min(consumed, s.start)
            }
        }
        position.consumed = from + Int64(consumed)
        position.skipping = framer.skipping
        outcome.bytesRead += Int64(max(0, consumed - seen))
        position.pending = nil
        var stuck = lineStuck
        if let r = record {
            let due = plan.finishRecord || source.multiline.map { plan.now - r.lastLineAt >= $0.timeout } ?? true
            let start = from + Int64(r.start)
            // A record that starts the chunk and fills it cannot be decided in this buffer:
            // handed on as it is (the buffer is sized so that this does not happen).
            stuck = stuck || (start == from && consumed == bytes.count && !atEnd)
            // Due (its time is up, or the file is let go) even with a split line gathering
            // after it: that line will start a record of its own.
            if (due && atEnd) || stuck {
                emitRecord(r)
            } else {
                position.pending = ReadPosition.Pending(start: start, lastLineAt: r.lastLineAt)
            }
        }
        return (position.resume > from || consumed > seen || stuck, stuck)
    }

    /// Parses a record's first line; continuation lines join its raw text and message.
    ///
    /// The record is noted in the crash journal while it is parsed, so that a record that stops
    /// the process is named by the next start and then set aside here (stored as raw text, not
    /// parsed) instead of stopping it again.
    private static func emit(_ bytes: UnsafeBufferPointer<UInt8>, offset: Int64, first: Range<Int>, continuation: [Range<Int>],
                             meta: ContainerRecord?, context: Context, into batch: inout TailBatch) {
        if first.isEmpty && continuation.isEmpty { return }
        let line = UnsafeBufferPointer(rebasing: bytes[first])
        let outcome: LineOutcome
        if let journal = context.journal {
            let (device, inode) = (context.identity.device, context.identity.inode)
            let verdict = journal.verdict(device: device, inode: inode, offset: offset)
            if case .quarantined = verdict {
                journal.quarantinedRecordMet(device: device, inode: inode, offset: offset, path: context.path)
                batch.records.append(decorated(joined(quarantinedRecord(line, context: context), bytes, continuation), meta, context))
                return
            }
            journal.noteRecord(device: device, inode: inode, offset: offset, probation: verdict == .probation)
            trapIfTestMarker(line)
            outcome = context.session.parse(line, file: context.path)
            journal.clearRecord()
        } else {
            trapIfTestMarker(line)
            outcome = context.session.parse(line, file: context.path)
        }
        switch outcome {
        case .record(let record):
            batch.records.append(decorated(joined(record, bytes, continuation), meta, context))
        case .noTrace(_, let record):
            batch.linesWithoutTrace += 1
            if let record { batch.records.append(decorated(joined(record, bytes, continuation), meta, context)) }
        case .unmatched: batch.linesUnmatched += 1
        }
    }

    /// What the file's path and the runtime's envelope say of a record: its pod (from the path),
    /// its stream, and the runtime's time, which places the line when it has no time of its own.
    private static func decorated(_ record: LogRecord, _ meta: ContainerRecord?, _ context: Context) -> LogRecord {
        guard meta != nil || !context.pathFields.isEmpty else { return record }
        var record = record
        record.fieldTexts.append(contentsOf: context.pathFields)
        if let meta {
            record.fieldTexts.append(LogRecord.FieldText(name: "stream", value: .own(.string(meta.stream.name))))
            if let time = meta.time {
                record.fieldTexts.append(LogRecord.FieldText(name: "runtime_time_ns", value: .own(.integer(time))))
                if record.timeNanoseconds == nil { record.timeNanoseconds = time }
            }
        }
        return record
    }

    /// A record that stopped the parser: its text alone, with the reason as its only field.
    static func quarantinedRecord(_ line: UnsafeBufferPointer<UInt8>, context: Context) -> LogRecord {
        LogRecord(traceID: nil, spanID: nil, file: context.path, source: context.source.name, rule: "",
                  raw: String(decoding: line, as: UTF8.self),
                  fields: [LogRecord.Field(name: "parse_error", value: "the parser stopped on this record")])
    }

    #if FUZZING
    /// Test builds only (`make test` builds with `-D FUZZING`): a line holding the text of
    /// `TRACEJOIN_TEST_TRAP_LINE` traps as a parser bug would, for the quarantine's end-to-end test.
    static let testTrapMarker: [UInt8]? = ProcessInfo.processInfo.environment["TRACEJOIN_TEST_TRAP_LINE"].map { Array($0.utf8) }

    static func trapIfTestMarker(_ line: UnsafeBufferPointer<UInt8>) {
        guard let marker = testTrapMarker, !marker.isEmpty, line.count >= marker.count else { return }
        for start in 0...(line.count - marker.count) where line[start] == marker[0] {
            if memcmp(line.baseAddress! + start, marker, marker.count) == 0 {
                fatalError("TRACEJOIN_TEST_TRAP_LINE: the test's marker line")   // a trap, as a parser bug's would be
            }
        }
    }
    #else
    @inline(__always) static func trapIfTestMarker(_ line: UnsafeBufferPointer<UInt8>) {}
    #endif

    private static func joined(_ record: LogRecord, _ bytes: UnsafeBufferPointer<UInt8>, _ continuation: [Range<Int>]) -> LogRecord {
        guard !continuation.isEmpty else { return record }
        var record = record
        var rest = ""
        for (i, range) in continuation.enumerated() {
            if i > 0 { rest += "\n" }
            rest += String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        record.raw += "\n" + rest
        record.message = (record.message ?? "") + "\n" + rest
        return record
    }
}
