import Foundation
import Testing
import TraceContext
import TracejoinModel
import TracejoinSupport

/// The records that flow between stages: a log line's text kept as ranges of its line or as
/// strings of its own reads the same; a span's tags keep the types the tracer sent; a field
/// value keeps its type through JSON.
@Suite("Records")
struct RecordTests {
    static let line = "2026-11-24 22:11:28 INFO hello user=ann"

    /// The line's parsed text as ranges of `raw`, as a parser that read the bytes unchanged gives it.
    static func inLine() -> LogRecord {
        LogRecord(traceID: TraceID(high: nil, low: 7), spanID: SpanID(9), raw: line, time: .inLine(0..<19), level: .inLine(20..<24),
                  message: .inLine(25..<30), fields: [.init(name: "user", value: .inLine(36..<39))], file: "/var/log/app.log",
                  source: "app", rule: "main")
    }

    /// The same line with every value a string of its own.
    static func own() -> LogRecord {
        LogRecord(traceID: TraceID(high: nil, low: 7), spanID: SpanID(9), time: "2026-11-24 22:11:28", level: "INFO", message: "hello",
                  file: "/var/log/app.log", source: "app", rule: "main", raw: line, fields: [.init(name: "user", value: "ann")])
    }

    @Test func aLogRecordReadsTheSameHoweverItsTextIsStored() {
        let ranged = Self.inLine(), owned = Self.own()
        #expect(ranged.time == "2026-11-24 22:11:28" && ranged.level == "INFO" && ranged.message == "hello")
        #expect(ranged.fields == [LogRecord.Field(name: "user", value: .string("ann"))])
        #expect(ranged == owned)
        #expect(ranged.hashValue == owned.hashValue)
        // A different line is a different record.
        var other = owned
        other.message = "bye"
        #expect(ranged != other)
    }

    @Test func aRangeOutsideTheLineReadsAsEmpty() {
        let record = Self.inLine()
        #expect(record.substring(25..<30) == "hello")
        #expect(record.substring(30..<1_000) == "")
        #expect(record.string(.inLine(-1..<2)) == "")
        #expect(record.string(.own("kept")) == "kept")
    }

    @Test func settingFieldsKeepsThemAsTheirOwnValues() {
        var record = Self.inLine()
        record.fields = [LogRecord.Field(name: "status", value: .integer(503))]
        #expect(record.fieldTexts == [LogRecord.FieldText(name: "status", value: .own(.integer(503)))])
        #expect(record.fields.map(\.value) == [.integer(503)])
    }

    /// The stored time first; else the `time` text read as earlier versions stored it; else none.
    @Test func theEffectiveTimeIsTheStoredOneElseTheTextRead() {
        var record = Self.own()
        record.time = "2026-11-24 22:11:28,925"
        #expect(record.effectiveNanoseconds == 1_795_558_288_925_000_000)
        record.timeNanoseconds = 5
        #expect(record.effectiveNanoseconds == 5)
        record.timeNanoseconds = nil
        record.time = "yesterday"
        #expect(record.effectiveNanoseconds == nil)
        record.time = nil
        #expect(record.effectiveNanoseconds == nil)
    }

    /// `meta` then `metrics`, each by key, with the tracer's types, without the resource's copies.
    @Test func aSpansTagsKeepTheirTypesAndLeaveTheResourceOut() {
        var span = SpanRecord(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), parentID: nil, service: "svc", name: "GET /",
                              resource: "GET /", start: 0, duration: 1_000, error: false,
                              meta: ["flag": "true", "a": "x", "resource.service.name": "svc"], metrics: ["n": 3, "m": 1.5],
                              protocolName: "otlp")
        span.details.resource = [SpanAttribute("service.name", .string("svc"))]
        span.details.typed = [SpanAttribute("n", .integer(3)), SpanAttribute("flag", .bool(true))]
        #expect(span.tags == [SpanAttribute("a", .string("x")), SpanAttribute("flag", .bool(true)), SpanAttribute("m", .float(1.5)),
                              SpanAttribute("n", .integer(3))])
        #expect(!span.details.isEmpty && SpanDetails().isEmpty)
    }

    /// JSON's `true`, integers (exact to 64 bits), other numbers, text and `null` each come back as
    /// their own case, and go out as the same JSON.
    @Test func aFieldValueKeepsItsTypeThroughJSON() throws {
        let json = #"[true,9007199254740993,2.5,"x",null,"3"]"#
        let values = try JSONDecoder().decode([FieldValue].self, from: Data(json.utf8))
        #expect(values == [.bool(true), .integer(9_007_199_254_740_993), .float(2.5), .string("x"), .null, .string("3")])
        #expect(try JSONDecoder().decode([FieldValue].self, from: JSONEncoder().encode(values)) == values)
        #expect(values.map(\.description) == ["true", "9007199254740993", "2.5", "x", "null", "3"])
    }

    /// The hand writer's form of a field value: a float JSON cannot hold as a number is written as its text.
    @Test func theJSONWriterWritesFieldValues() {
        let values: [FieldValue] = [.string("a\"b"), .integer(-3), .float(2.5), .float(.infinity), .bool(false), .null]
        var w = JSONWriter()
        w.arrayStart()
        for v in values { w.value(v) }
        w.arrayEnd()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"["a\"b",-3,2.5,"inf",false,null]"#)
        var out: [UInt8] = []
        for v in values { JSONWriter.append(value: v, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b"-32.5"inf"falsenull"#)
        #expect(JSONText.value(.float(.nan)) == #""nan""# && JSONText.value(.integer(7)) == "7")
    }
}
