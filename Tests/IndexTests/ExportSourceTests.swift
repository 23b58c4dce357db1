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
