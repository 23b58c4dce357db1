import Foundation
import Index
import TraceContext
import Testing
import TracejoinModel
import TracejoinSupport

@Suite("Export cursors")
struct ExportSourceTests {
    @Test func rowsAfterTheCursorOldestFirstAndTheCursorSurvivesAReopen() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: 0x8000_0000_0000_0000, low: UInt64.max)
        try await t.index.commit(TailBatch(records: (0..<5).map { log(trace, 1, "line \($0)") }))
        try await t.index.insert([span(trace, 1), span(trace, 2, parent: 1)])
        var cursor = try await t.index.exportCursor("ch")
        #expect(cursor == ExportCursor())
        var backlog = try await t.index.exportBacklog(after: cursor)
        #expect(backlog.logs == 5 && backlog.spans == 2 && backlog.oldest != nil)

        let logs = try await t.index.exportLogs(after: cursor, limit: 3)
        #expect(logs.map(\.record.message) == ["line 0", "line 1", "line 2"])
        #expect(logs.map(\.id) == [1, 2, 3])
        let spans = try await t.index.exportSpans(after: cursor, limit: 10)
        #expect(spans.map(\.span.spanID.value) == [1, 2])
        #expect(spans[0].span.traceID == trace)
        cursor.logID = logs.last!.id
        cursor.spanReceived = spans.last!.received
        cursor.spanRow = spans.last!.row
        try await t.index.commitExportCursor("ch", cursor)

        let reopened = try t.reopen()
        let again = try await reopened.exportCursor("ch")
        #expect(again == cursor)
        #expect(try await reopened.exportLogs(after: again, limit: 10).map(\.record.message) == ["line 3", "line 4"])
        #expect(try await reopened.exportSpans(after: again, limit: 10).isEmpty)
        backlog = try await reopened.exportBacklog(after: again)
        #expect(backlog.logs == 2 && backlog.spans == 0)
    }

    @Test func aSpanSentAgainIsExportedAgainAfterTheCursor() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: nil, low: 77)
        try await t.index.insert([span(trace, 1), span(trace, 2)])
        var cursor = try await t.index.exportCursor("ch")
        let first = try await t.index.exportSpans(after: cursor, limit: 10)
        cursor.spanReceived = first.last!.received
        cursor.spanRow = first.last!.row
        try await t.index.commitExportCursor("ch", cursor)
        // A tracer's retry of span 1: stored again, with a later position.
        var retried = span(trace, 1)
        retried.name = "renamed"
        try await t.index.insert([retried])
        let again = try await t.index.exportSpans(after: cursor, limit: 10)
        #expect(again.map(\.span.name) == ["renamed"])
        #expect(again[0].received > first.last!.received)
    }

    @Test func retentionCountsWhatItDeletesBeforeExport() async throws {
        let t = try TempIndex(TempIndex.smallBlocks(5))
        let trace = TraceID(high: nil, low: 9)
        try await t.index.commit(TailBatch(records: (0..<10).map { log(trace, 1, "old \($0)") }))
        try await t.index.insert([span(trace, 1), span(trace, 2)])
        // Three lines and one span were exported before retention ran.
        var cursor = try await t.index.exportCursor("ch")
        cursor.logID = 3
        let spans = try await t.index.exportSpans(after: cursor, limit: 1)
        cursor.spanReceived = spans[0].received
        cursor.spanRow = spans[0].row
        try await t.index.commitExportCursor("ch", cursor)
        let cutoff = Timestamps.now()
        try await Task.sleep(for: .milliseconds(5))
        var total = CorrelationStore.Pruned()
        while true {
            let step = try await t.index.pruneOlderThan(cutoff, batch: 1000)
            if step.isEmpty { break }
            total.logs += step.logs
            total.spans += step.spans
        }
        #expect(total.logs == 10 && total.spans == 2)
        let after = try await t.index.exportCursor("ch")
        #expect(after.lostLogs == 7)
        #expect(after.lostSpans == 1)
    }
}

/// The exporter reads lines in place in their blocks (``StoredLines``); what it reads is what
/// the records say, column by column, for sealed blocks and the tail alike.
@Suite("Lines read in place for export")
struct StoredLinesTests {
    static func text(_ bytes: UnsafeBufferPointer<UInt8>?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func everyColumnMatchesTheRecord() async throws {
        let t = try TempIndex(TempIndex.smallBlocks(4))
        let trace = TraceID(high: 0x6b06_0b90_0000_0000, low: 4_611_686_018_427_387_999)
        var records: [LogRecord] = []
        for i in 0..<10 {
            // The trace's IDs in the line's text: stored as holes and put back.
            var r = LogRecord(traceID: i % 3 == 0 ? nil : trace, spanID: i % 2 == 0 ? nil : SpanID(UInt64(i)),
                              time: "2026-12-07T10:00:0\(i)Z", level: i == 4 ? nil : "WARN", message: i == 5 ? nil : "m\(i) é \u{1B}",
                              file: "/var/log/f\(i % 2).log", source: "app", rule: "r", raw: "", idError: i == 7 ? "bad hex" : nil,
                              timeNanoseconds: i == 8 ? nil : 1_796_637_600_000_000_000 + Int64(i))
            r.raw = "2026 dd.trace_id=\(trace.lowDecimal) dd.span_id=\(i) \(r.message ?? "-")"
            r.fields = [.init(name: "service.name", value: i == 6 ? .integer(3) : .string("svc\(i)")), .init(name: "dd.service", value: "other"),
                        .init(name: "n", value: .integer(-5)), .init(name: "f", value: .float(0.5)), .init(name: "b", value: .bool(true)),
                        .init(name: "z", value: .null), .init(name: "q\"", value: .string("a\tb"))]
            records.append(r)
        }
        try await t.index.commit(TailBatch(records: records))
        let cursor = ExportCursor(logID: 2)
        let lines = try await t.index.exportLines(after: cursor, limit: 100)
        let logs = try await t.index.exportLogs(after: cursor, limit: 100)
        try #require(lines.count == 8 && logs.count == 8)
        for k in 0..<lines.count {
            let r = logs[k].record
            #expect(lines.id(k) == logs[k].id && lines.ingested(k) == logs[k].ingested)
            #expect(lines.time(k) == r.effectiveNanoseconds)
            #expect(lines.traceID(k) == r.traceID && lines.spanID(k) == r.spanID)
            var fromRecord = JSONWriter()
            fromRecord.objectStart()
            for f in r.fields {
                fromRecord.key(f.name)
                fromRecord.value(f.value)
            }
            fromRecord.objectEnd()
            var scratch: [UInt8] = []
            lines.withTexts(k, scratch: &scratch) { t in
                #expect(Self.text(t.level) == r.level)
                #expect(Self.text(t.message) == r.message)
                #expect(Self.text(t.file) == r.file)
                #expect(Self.text(t.source) == r.source)
                #expect(Self.text(t.rule) == r.rule)
                #expect(Self.text(t.idError) == r.idError)
                #expect(Self.text(t.line) == r.raw)
                #expect(Array(t.fields) == fromRecord.bytes)
                // The first of the names whose value is text: service.name, unless it is a number.
                #expect(Self.text(t.service) == (lines.id(k) == 7 ? "other" : "svc\(lines.id(k) - 1)"))
            }
        }
    }
}
