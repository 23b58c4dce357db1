import Foundation
import HostileText
import TraceContext
import Testing
import TracejoinAPI
import TracejoinCLI
import TracejoinModel

@Suite("Trace tree rendering")
struct TraceRendererTests {
    func record(_ id: UInt64, parent: UInt64?, name: String, start: Int64, error: Bool = false) -> SpanRecord {
        SpanRecord(traceID: TraceID(high: 1, low: 2), spanID: SpanID(id), parentID: parent.map(SpanID.init), service: "svc",
                   name: name, resource: "res-\(name)", start: start, duration: 1_500_000, error: error, protocolName: "ndjson")
    }

    func line(_ span: UInt64?, _ message: String, level: String = "INFO") -> LogRecord {
        LogRecord(traceID: TraceID(high: 1, low: 2), spanID: span.map(SpanID.init), time: "12:00:00", level: level,
                  message: message, file: "/f", source: "s", rule: "r", raw: message)
    }

    /// The document as the server writes it and a client reads it back.
    func document(_ stored: StoredTrace) throws -> TraceDocument {
        try JSONDecoder().decode(TraceDocument.self, from: Data(TraceView(stored, queried: TraceID(high: nil, low: 2)).json()))
    }

    @Test func drawsSpansWithTheirLinesAndTheUnmatchedOnes() throws {
        let stored = StoredTrace(
            spans: [record(3, parent: 1, name: "second", start: 20, error: true), record(1, parent: nil, name: "root", start: 0),
                    record(2, parent: 1, name: "first", start: 10)],
            logs: [line(1, "at root"), line(2, "in first"), line(3, "boom", level: "ERROR"), line(99, "lost")])
        let text = TraceRenderer(color: false).render(try document(stored))
        #expect(text == """
            trace 00000000000000010000000000000002  (dd 2)  3 spans, 4 log lines, 1.50ms, svc  1 error
            └─ root res-root [svc] 1.50ms  span 1
               │  12:00:00 INFO at root
               ├─ first res-first [svc] 1.50ms  span 2
               │     12:00:00 INFO in first
               └─ second res-second [svc] 1.50ms ✗ error  span 3
                     12:00:00 ERROR boom

            log lines with this trace ID whose span is not known:
              12:00:00 INFO lost  (span 99)
            """)
    }

    /// The written document holds every value exactly (awkward text, every field type), every
    /// key with `null` for what is absent, and the summary computed from the records.
    @Test func writtenJSONCarriesEveryValue() throws {
        let awkward = "quote \" backslash \\ newline \n nul \u{0} é 🙂"
        var root = record(1, parent: nil, name: awkward, start: 5)
        root.meta = [awkward: awkward, "env": "prod"]
        root.metrics = ["_sampling_priority_v1": 1, "x": -0.5]
        var withFields = line(1, awkward)
        withFields.fields = [.init(name: "n", value: .integer(.max)), .init(name: "f", value: .float(1.25)), .init(name: "b", value: .bool(false)),
                             .init(name: "z", value: .null), .init(name: awkward, value: .string(awkward))]
        var bare = line(nil, "no span")
        bare.time = nil
        bare.level = nil
        bare.idError = "span_id: not a number"
        let stored = StoredTrace(spans: [root, record(2, parent: 1, name: "child", start: 7, error: true)], logs: [withFields, bare, line(2, "in child")])
        let written = TraceView(stored, queried: TraceID(high: nil, low: 2)).json()
        let doc = try JSONDecoder().decode(TraceDocument.self, from: Data(written))
        #expect(doc.span_count == 2 && doc.log_count == 3 && doc.errors == 1 && doc.services == ["svc"])
        #expect(doc.duration_ns == 7 + 1_500_000 - 5)
        #expect(doc.trace_id == "00000000000000010000000000000002" && doc.trace_id_dd == "2")
        let top = try #require(doc.spans.first)
        #expect(top.name == awkward && top.meta[awkward] == awkward && top.metrics["x"] == -0.5)
        #expect(top.children.map { $0.name } == ["child"] && top.children[0].error && top.children[0].logs.map { $0.message } == ["in child"])
        let log = try #require(top.logs.first)
        #expect(log.message == awkward && log.raw == awkward)
        let expectedFields: [String: FieldValue] = ["n": .integer(.max), "f": .float(1.25), "b": .bool(false), "z": .null, awkward: .string(awkward)]
        #expect(log.fields == expectedFields)
        #expect(doc.unmatched_logs.map(\.id_error) == ["span_id: not a number"])
        // Absent values are null, not left out.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any])
        let bareLog = try #require((object["unmatched_logs"] as? [[String: Any]])?.first)
        #expect(bareLog["time"] is NSNull && bareLog["level"] is NSNull && bareLog["span_id"] is NSNull)
    }

    /// Span names and log lines come from outside: drawn, they hold no control character but
    /// the tree's own line breaks. With `escape: false` (`--raw` to a pipe) they are as stored.
    @Test func outsideTextIsShownEscaped() throws {
        let hostile = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[31m\rover\u{1B}]8;;http://evil.example/\u{1B}\\link\u{1B}]8;;\u{1B}\\"
            + "\u{2028}\u{202E}\u{9B}31m"
        var span = record(1, parent: nil, name: hostile, start: 0)
        span.service = hostile
        let stored = StoredTrace(spans: [span], logs: [line(1, hostile), line(99, "unmatched " + hostile, level: hostile)])
        let document = try document(stored)
        let text = TraceRenderer(color: false).render(document)
        for row in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(activeScalars(String(row)).isEmpty, "\(row.debugDescription)")
        }
        #expect(text.contains("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m\\rover"))
        let raw = TraceRenderer(color: false, escape: false).render(document)
        #expect(raw.contains(hostile))
    }

    @Test func parentCyclesAreShownNotDropped() throws {
        let stored = StoredTrace(spans: [record(1, parent: 2, name: "a", start: 0), record(2, parent: 1, name: "b", start: 1)], logs: [])
        let document = try document(stored)
        #expect(document.spans.count == 1)
        #expect(document.spans[0].children.count == 1)
    }

    @Test(arguments: [(Int64(850), "850ns"), (12_300, "12.3µs"), (4_560_000, "4.56ms"), (148_000_000, "148ms"), (1_200_000_000, "1.20s"),
                      (125_000_000_000, "2m 05s"), (11_040_000_000_000, "3h 04m"), (183_600_000_000_000, "2d 03h"), (-4_560_000, "-4.56ms"),
                      (Int64.min, "-106751d 23h"), (Int64.max, "106751d 23h")])
    func durations(_ ns: Int64, _ text: String) {
        #expect(HumanUnits.duration(ns) == text)
    }

    @Test func bytesAndCounts() {
        #expect(HumanUnits.bytes(512) == "512 B")
        #expect(HumanUnits.bytes(1536) == "1.50 KiB")
        #expect(HumanUnits.bytes(1_788_432) == "1.71 MiB")
        #expect(HumanUnits.bytes(10_737_418_240) == "10.0 GiB")
        #expect(HumanUnits.bytes(Int64.min) == "-8.00 EiB")
        #expect(HumanUnits.count(0) == "0")
        #expect(HumanUnits.count(999) == "999")
        #expect(HumanUnits.count(1000) == "1,000")
        #expect(HumanUnits.count(1_788_432) == "1,788,432")
        #expect(HumanUnits.count(-12_345) == "-12,345")
        #expect(HumanUnits.count(Int.min) == "-9,223,372,036,854,775,808")
    }
}
