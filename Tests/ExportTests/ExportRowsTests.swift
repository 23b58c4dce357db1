import Foundation
import Testing
import TraceContext
import TracejoinModel
import TracejoinSupport
@testable import Export

/// Rows in JSONEachRow: IDs exact and in each text form, text from outside escaped, one line a row.
@Suite("Export rows")
struct ExportRowsTests {
    static func logLines(_ logs: [ExportedLog]) -> [String] {
        var w = JSONRows()
        ExportRows.logs(logs, host: "web-1", into: &w)
        return String(decoding: w.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aLineWithA128BitTrace() throws {
        let trace = TraceID(high: 0x6b06_0b90_0000_0000, low: .max)
        let record = LogRecord(traceID: trace, spanID: SpanID(0xce3a_6d2c_b615_fac0), level: "ERROR", message: "boom", file: "/var/log/app.log",
                               source: "app", rule: "main", raw: "raw line", fields: [.init(name: "service.name", value: "checkout")],
                               timeNanoseconds: 1_795_558_288_925_000_000)
        let lines = Self.logLines([ExportedLog(id: 42, ingested: 1_795_558_290_000_000_000, record: record)])
        // One row, one line, ended by a newline.
        #expect(lines.count == 2)
        #expect(lines[1] == "")
        let line = lines[0]
        // Numbers are written exactly, never as doubles.
        #expect(line.contains(#""trace_hi":7711864125021749248,"#))
        #expect(line.contains(#""trace_hi_known":1,"#))
        #expect(line.contains(#""trace_lo":18446744073709551615,"#))
        #expect(line.contains(#""span_id":14860309959263255232,"#))
        #expect(line.contains(#""time_ns":1795558288925000000,"#))
        #expect(line.contains(#""version":1795558290000000000}"#))
        let row = try Self.object(line)
        #expect(row["host"] as? String == "web-1")
        #expect(row["trace_id"] as? String == "6b060b9000000000ffffffffffffffff")
        #expect(row["trace_lo_hex"] as? String == "ffffffffffffffff")
        #expect(row["trace_lo_dd"] as? String == "18446744073709551615")
        #expect(row["span_id_hex"] as? String == "ce3a6d2cb615fac0")
        #expect(row["date"] as? String == "2026-11-24")
        #expect(row["service"] as? String == "checkout")
        #expect(row["level"] as? String == "ERROR")
        #expect(row["message"] as? String == "boom")
        #expect(row["file"] as? String == "/var/log/app.log")
        #expect(row["id_error"] as? String == "")
    }

    /// A Datadog 64-bit ID: no 128-bit text, the high half 0 and marked unknown.
    @Test func aLineWithA64BitTrace() throws {
        let record = LogRecord(traceID: TraceID(high: nil, low: 1_234_567_890_123_456_789), spanID: nil, file: "f", source: "s", rule: "r",
                               raw: "x", timeNanoseconds: 0)
        let line = Self.logLines([ExportedLog(id: 1, ingested: 1, record: record)])[0]
        #expect(line.contains(#""trace_hi":0,"trace_hi_known":0,"trace_lo":1234567890123456789,"#))
        let row = try Self.object(line)
        #expect(row["trace_id"] as? String == "")
        #expect(row["trace_lo_hex"] as? String == "112210f47de98115")
        #expect(row["trace_lo_dd"] as? String == "1234567890123456789")
        #expect(row["span_id_hex"] as? String == "")
        #expect(line.contains(#""span_id":0,"#))
    }

    @Test func aLineWithoutTraceOrTimeUsesItsIngestTime() throws {
        let record = LogRecord(traceID: nil, spanID: nil, file: "f", source: "s", rule: "r", raw: "no time", idError: "bad hex")
        // 2026-12-07, and an arrival id beyond Int64's positive half.
        let line = Self.logLines([ExportedLog(id: -1, ingested: 1_796_601_600_000_000_000, record: record)])[0]
        #expect(line.contains(#""id":18446744073709551615,"#))
        #expect(line.contains(#""time_ns":1796601600000000000,"#))
        #expect(line.contains(#""trace_hi":0,"trace_hi_known":0,"trace_lo":0,"#))
        let row = try Self.object(line)
        #expect(row["date"] as? String == "2026-12-07")
        #expect(row["trace_id"] as? String == "")
        #expect(row["trace_lo_hex"] as? String == "")
        #expect(row["trace_lo_dd"] as? String == "")
        #expect(row["id_error"] as? String == "bad hex")
    }

    /// A time before 1970 still gets a partition ClickHouse's `Date` holds.
    @Test func aTimeBefore1970IsPartitionedAt1970() throws {
        let record = LogRecord(traceID: nil, spanID: nil, file: "f", source: "s", rule: "r", raw: "x", timeNanoseconds: -5)
        let row = try Self.object(Self.logLines([ExportedLog(id: 1, ingested: 1, record: record)])[0])
        #expect(row["date"] as? String == "1970-01-01")
        #expect((row["time_ns"] as? NSNumber)?.int64Value == -5)
    }

    /// Control characters and quotes in a line are escaped: a row stays one line of valid JSON,
    /// and reads back as it was.
    @Test func textFromOutsideIsEscaped() throws {
        let raw = "say \"hi\"\n\u{1B}[31m\\ \u{2028}"
        let record = LogRecord(traceID: nil, spanID: nil, message: "m\r\n", file: "f", source: "s", rule: "r", raw: raw,
                               fields: [.init(name: "k\"", value: .integer(3)), .init(name: "s", value: "a\tb")])
        let lines = Self.logLines([ExportedLog(id: 1, ingested: 1, record: record), ExportedLog(id: 2, ingested: 1, record: record)])
        #expect(lines.count == 3)
        #expect(lines[0].contains(#""raw":"say \"hi\"\n\u001b[31m\\ \u2028""#))
        let row = try Self.object(lines[0])
        #expect(row["raw"] as? String == raw)
        #expect(row["message"] as? String == "m\r\n")
        // Fields are a JSON object in a string column.
        #expect(row["fields"] as? String == #"{"k\"":3,"s":"a\tb"}"#)
    }

    @Test func aSpanRow() throws {
        var span = SpanRecord(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), parentID: SpanID(4), service: "api", name: "GET /x",
                              resource: "/x", type: "web", start: 1_795_558_288_000_000_000, duration: 1500, error: true,
                              meta: ["z": "last", "a": "first \"q\""], metrics: ["m": 1.5], protocolName: "datadog")
        span.meta["http.status_code"] = "500"
        var w = JSONRows()
        ExportRows.spans([ExportedSpan(received: 99, row: 1, span: span)], host: "db-2", into: &w)
        let line = String(decoding: w.bytes, as: UTF8.self)
        #expect(line.hasSuffix("}\n"))
        #expect(line.contains(#""parent_id":4,"#))
        #expect(line.contains(#""error":1,"#))
        #expect(line.contains(#""version":99}"#))
        let row = try Self.object(String(line.dropLast()))
        #expect(row["trace_id"] as? String == "00000000000000010000000000000002")
        #expect(row["span_id_hex"] as? String == "0000000000000003")
        #expect(row["host"] as? String == "db-2")
        #expect(row["date"] as? String == "2026-11-24")
        #expect(row["protocol"] as? String == "datadog")
        // Keys sorted: the same span always writes the same text.
        #expect(row["meta"] as? String == #"{"a":"first \"q\"","http.status_code":"500","z":"last"}"#)
        #expect(row["metrics"] as? String == #"{"m":1.5}"#)
    }

    @Test func aRootSpanHasParentZero() {
        let span = SpanRecord(traceID: TraceID(high: nil, low: 2), spanID: SpanID(3), parentID: nil, service: "a", name: "b", resource: "c",
                              start: 0, duration: 0, error: false, protocolName: "otlp")
        var w = JSONRows()
        ExportRows.spans([ExportedSpan(received: 1, row: 1, span: span)], host: "h", into: &w)
        let line = String(decoding: w.bytes, as: UTF8.self)
        #expect(line.contains(#""parent_id":0,"#))
        #expect(line.contains(#""error":0,"#))
        #expect(line.contains(#""meta":"{}","metrics":"{}","#))
    }
}

/// The fleet's traces read back: the same 64/128-bit rule as the local index.
@Suite("ClickHouse reader")
struct ClickHouseReaderTests {
    @Test func theTraceConditionIsTheMatchRule() {
        #expect(ClickHouseReader.matching(TraceID(high: nil, low: 7)) == "trace_lo = 7")
        #expect(ClickHouseReader.matching(TraceID(high: 1, low: .max))
            == "trace_lo = 18446744073709551615 AND (trace_hi_known = 0 OR trace_hi = 1)")
    }

    @Test(arguments: [("plain", "'plain'"), ("it's", #"'it\'s'"#), (#"a\b"#, #"'a\\b'"#), (#"\'"#, #"'\\\''"#)])
    func literalsAreEscaped(_ text: String, _ literal: String) {
        #expect(ClickHouseReader.literal(text) == literal)
    }

    @Test func traceIDsReadFromRows() throws {
        #expect(try ClickHouseReader.traceID(["n_trace_lo": "5", "n_trace_hi": "9", "trace_hi_known": "0"]) == TraceID(high: nil, low: 5))
        #expect(try ClickHouseReader.traceID(["n_trace_lo": "18446744073709551615", "n_trace_hi": "9", "trace_hi_known": NSNumber(value: 1)])
            == TraceID(high: 9, low: .max))
        #expect(try ClickHouseReader.traceID(["n_trace_lo": "0", "n_trace_hi": "0", "trace_hi_known": "0"]) == nil)
        #expect(throws: ClickHouseReader.BadRow.self) { try ClickHouseReader.traceID(["n_trace_lo": "-1", "trace_hi_known": "0"]) }
    }
}
