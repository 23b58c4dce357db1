import Foundation
import TraceContext
import Testing
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The documents the server writes by hand read back, through `JSONDecoder`, as exactly the
/// values a client builds from the same records: the hand writers and the Codable types agree.
@Suite("Wire documents")
struct DocumentTests {
    func span(_ id: UInt64, parent: UInt64?, name: String, start: Int64, error: Bool = false) -> SpanRecord {
        SpanRecord(traceID: TraceID(high: 1, low: 2), spanID: SpanID(id), parentID: parent.map(SpanID.init), service: "svc",
                   name: name, resource: "res-\(name)", start: start, duration: 1_500_000, error: error, protocolName: "ndjson")
    }

    func line(_ span: UInt64?, _ message: String, nanoseconds: Int64? = nil) -> LogRecord {
        LogRecord(traceID: TraceID(high: 1, low: 2), spanID: span.map(SpanID.init), time: "12:00:00", level: "INFO",
                  message: message, file: "/var/log/app.log", source: "app", rule: "r", raw: message, timeNanoseconds: nanoseconds)
    }

    /// Awkward text, every field type, a field captured twice, a line far outside its span
    /// (`skew_ns`), a line without a span, a span whose parent is missing.
    func stored() -> StoredTrace {
        let awkward = "quote \" backslash \\ newline \n nul \u{0} é 🙂"
        var root = span(1, parent: nil, name: awkward, start: 5_000)
        root.meta = [awkward: awkward, "env": "prod"]
        root.metrics = ["_sampling_priority_v1": 1, "x": -0.5]
        var withFields = line(1, awkward)
        withFields.fields = [.init(name: "n", value: .integer(.max)), .init(name: "f", value: .float(1.25)), .init(name: "b", value: .bool(false)),
                             .init(name: "z", value: .null), .init(name: awkward, value: .string(awkward)), .init(name: "n", value: .integer(1))]
        var bare = line(nil, "no span")
        bare.time = nil
        bare.level = nil
        bare.idError = "span_id: not a number"
        let late = line(2, "long after", nanoseconds: 500_000_000_000)
        return StoredTrace(
            spans: [root, span(2, parent: 1, name: "child", start: 7_000, error: true), span(3, parent: 42, name: "orphan", start: 9_000)],
            logs: [withFields, bare, late, line(2, "in child")], logsOmitted: 3)
    }

    @Test func theTraceWrittenByHandReadsBackAsTheDocumentBuiltFromTheView() throws {
        let view = TraceView(stored(), queried: TraceID(high: nil, low: 2))
        let read = try JSONDecoder().decode(TraceDocument.self, from: Data(view.json()))
        let built = TraceDocument(view)
        #expect(read == built)
        // What the comparison rests on, spelled out.
        #expect(built.span_count == 3 && built.errors == 1 && built.logs_omitted == 3 && built.log_count == 7)
        #expect(built.logs_more == "/v1/logs?trace_id=00000000000000010000000000000002&limit=1000")
        #expect(built.spans.map(\.name).last == "orphan")
        let child = try #require(built.spans.first?.children.first)
        #expect(child.logs.first { $0.message == "long after" }?.skew_ns != nil)
        #expect(built.spans.first?.logs.first?.fields["n"] == .integer(.max))
        #expect(built.unmatched_logs.map(\.message) == ["no span"] && built.unmatched_logs[0].time == nil)
    }

    @Test func theLogsPageWrittenByHandReadsBackAsTheEntriesBuiltFromTheRecords() throws {
        let records = stored().logs.enumerated().map { (id: Int64($0.offset + 10), ingested: Int64(1_700_000_000_000_000_000), record: $0.element) }
        let read = try JSONDecoder().decode(LogsPage.self, from: Data(LogsPage.json(records, next: "9")))
        let built = LogsPage(logs: records.map { LogsPage.Entry(id: $0.id, ingested: $0.ingested, $0.record) }, next_cursor: "9")
        #expect(read == built)
        #expect(read.logs.first?.id == "10" && read.logs.first?.trace_id == "00000000000000010000000000000002")
        let last = try JSONDecoder().decode(LogsPage.self, from: Data(LogsPage.json([], next: nil)))
        #expect(last.logs.isEmpty && last.next_cursor == nil)
    }

    @Test func theTracesListKeepsItsDurationWithinBounds() {
        func summary(_ start: Int64, _ end: Int64) -> TraceSummary {
            TraceSummary(traceID: TraceID(high: nil, low: 7), rootName: nil, services: [], start: start, end: end, spans: 1, errors: 0, logs: 0)
        }
        #expect(TracesDocument.Entry(summary(.min, 1)).duration_ns == .max)
        #expect(TracesDocument.Entry(summary(1_000, 4_000)).duration_ns == 3_000)
    }
}

extension DocumentTests {
    @Test(arguments: [false, true])
    func theSpanDocumentWrittenByHandReadsBackAsTheOneBuiltFromTheRecords(logsOnly: Bool) throws {
        let trace = stored()
        let child = trace.spans[1]
        let lines = trace.logs.filter { $0.spanID == child.spanID }
        let read = try JSONDecoder().decode(SpanDocument.self, from: Data(SpanDocument.json(child, logs: lines, logsOnly: logsOnly)))
        #expect(read == SpanDocument(child, logs: lines, logsOnly: logsOnly))
        #expect(logsOnly ? read.span == nil && read.logs?.count == 2 : read.span?.logs.count == 2 && read.span?.children == [])
    }

    @Test func theUnmatchedDocumentWrittenByHandReadsBackAsTheOneBuiltFromTheGroups() throws {
        let groups = [UnmatchedGroup(source: "app", rule: "r", count: 12, traces: 3, samples: Array(stored().logs.prefix(2)))]
        let read = try JSONDecoder().decode(UnmatchedDocument.self,
                                            from: Data(UnmatchedDocument.json(groups, since: 1_700_000_000_000_000_000, graceSeconds: 30)))
        let built = UnmatchedDocument(since: Timestamps.iso8601(nanoseconds: 1_700_000_000_000_000_000), grace_seconds: 30,
                                      groups: groups.map(UnmatchedDocument.Group.init))
        #expect(read == built)
        #expect(read.groups.first?.samples.first?.id == "")
    }
}
