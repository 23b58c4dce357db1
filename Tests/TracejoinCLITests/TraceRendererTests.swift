import Foundation
import QueryAPI
import TraceContext
import Testing
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

    @Test func drawsSpansWithTheirLinesAndTheUnmatchedOnes() {
        let stored = StoredTrace(
            spans: [record(3, parent: 1, name: "second", start: 20, error: true), record(1, parent: nil, name: "root", start: 0),
                    record(2, parent: 1, name: "first", start: 10)],
            logs: [line(1, "at root"), line(2, "in first"), line(3, "boom", level: "ERROR"), line(99, "lost")])
        let document = TraceDocument(stored, queried: TraceID(high: nil, low: 2))
        let text = TraceRenderer(color: false).render(document)
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

    @Test func writtenJSONIsWhatTheCodableDocumentSays() throws {
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
        let document = TraceDocument(stored, queried: TraceID(high: nil, low: 2))
        #expect(document.span_count == 2 && document.log_count == 3 && document.errors == 1 && document.services == ["svc"])
        #expect(document.duration_ns == 7 + 1_500_000 - 5)
        let written = document.json()
        #expect(try JSONDecoder().decode(TraceDocument.self, from: Data(written)) == document)
        // Key for key the same object JSONEncoder makes (key order aside).
        let encoded = try JSONEncoder().encode(document)
        let a = try JSONSerialization.jsonObject(with: Data(written)) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        #expect(a != nil && a == b)
    }

    @Test func parentCyclesAreShownNotDropped() {
        let stored = StoredTrace(spans: [record(1, parent: 2, name: "a", start: 0), record(2, parent: 1, name: "b", start: 1)], logs: [])
        let document = TraceDocument(stored, queried: TraceID(high: nil, low: 2))
        #expect(document.spans.count == 1)
        #expect(document.spans[0].children.count == 1)
    }

    @Test(arguments: [(Int64(850), "850ns"), (12_300, "12.3µs"), (4_560_000, "4.56ms"), (148_000_000, "148ms"), (1_200_000_000, "1.20s")])
    func durations(_ ns: Int64, _ text: String) {
        #expect(TraceRenderer.duration(ns) == text)
    }
}
