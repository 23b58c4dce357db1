import Foundation
import GRDB
import Testing
import TraceContext
import TracejoinModel
import TracejoinSupport
@testable import Index

/// Spans in blocks (schema v12): tails and sealed blocks, resent spans, readers, export order,
/// retention, damage and the conversion of a v11 table.
@Suite("Span blocks in the store")
struct SpanStoreTests {
    static func options(spans: Int) -> CorrelationStore.Options {
        var options = CorrelationStore.Options()
        options.spanBlockSpans = spans
        options.segmentBytes = 1
        return options
    }

    func spanBlocks(_ t: TempIndex) async throws -> (tail: Int, sealed: Int) {
        let queue = try DatabaseQueue(path: t.directory + "/index.db")
        return try await queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM span_blocks WHERE sealed = 0")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM span_blocks WHERE sealed = 1")!)
        }
    }

    @Test func everySpanIsReadOnceThroughTailsSealingAndAReopen() async throws {
        let t = try TempIndex(Self.options(spans: 16))
        var index = t.index
        var expected: [UInt64: [UInt64]] = [:]
        var order: [UInt64] = []
        var next: UInt64 = 1
        for round in 0..<40 {
            // 1 to 30 spans over 3 traces, so some requests seal and some only add to the tail.
            var batch: [SpanRecord] = []
            for i in 0..<(round * 7919 % 30 + 1) {
                let trace = UInt64(i % 3 + 1)
                batch.append(span(TraceID(high: nil, low: trace), next, start: Int64(next)))
                expected[trace, default: []].append(next)
                order.append(next)
                next += 1
            }
            try await index.insert(batch)
            if round == 20 { index = try t.reopen() }
        }
        for (trace, ids) in expected {
            #expect(try await index.trace(TraceID(high: nil, low: trace)).spans.map(\.spanID.value) == ids)
        }
        // A lone span waits in the tail; the rest were sealed, merged from tails or (a request
        // of a quarter of a block or more, when no tail waited) as blocks of their own.
        try await index.insert([span(TraceID(high: nil, low: 1), next, start: Int64(next))])
        expected[1, default: []].append(next)
        order.append(next)
        let blocks = try await spanBlocks(t)
        #expect(blocks.sealed > 10 && blocks.tail == 1)
        #expect(try await index.trace(TraceID(high: nil, low: 1)).spans.map(\.spanID.value) == expected[1])
        // The exporters read every span once, in arrival order, a page at a time.
        var cursor = ExportCursor()
        var exported: [UInt64] = []
        while true {
            let page = try await index.exportSpans(after: cursor, limit: 7)
            guard let last = page.last else { break }
            exported += page.map(\.span.spanID.value)
            cursor.spanRow = last.row
        }
        #expect(exported == order)
        #expect(try await index.exportBacklog(after: ExportCursor(spanRow: 5)).spans == order.count - 5)
    }

    @Test func aResentSpanReplacesItsFirstCopyAndKeepsItsHighHalf() async throws {
        let t = try TempIndex(Self.options(spans: 4))
        let full = TraceID(high: 0xABCD, low: 7)
        try await t.index.insert((1...6).map { span(full, $0, parent: $0 == 1 ? nil : 1, start: Int64($0)) })
        var again = span(TraceID(high: nil, low: 7), 3, parent: 1, start: 3)
        again.name = "retried"
        try await t.index.insert([again] + (10...13).map { span(TraceID(high: nil, low: 8), $0) })
        let stored = try await t.index.trace(TraceID(high: nil, low: 7)).spans
        #expect(stored.map(\.spanID.value) == [1, 2, 3, 4, 5, 6])
        #expect(stored[2].name == "retried")
        #expect(stored[2].traceID == full, "the high half the first copy had is kept")
        #expect(try await t.index.span(SpanID(3))?.span.name == "retried")
        #expect(try await t.index.span(SpanID(99)) == nil)
        // A 128-bit ID with another high half is another trace.
        #expect(try await t.index.trace(TraceID(high: 0x1234, low: 7)).spans.isEmpty)
    }

    @Test func jaegerReadsServicesOperationsTagsAndLinksBetweenServices() async throws {
        let t = try TempIndex(Self.options(spans: 8))
        var spans: [SpanRecord] = []
        for n in UInt64(0)..<40 {
            let trace = TraceID(high: nil, low: 100 + n)
            var root = span(trace, n * 10 + 1, start: Int64(n) * 1000)
            root.service = "frontend"
            root.name = "GET /"
            root.meta = ["span.kind": "server", "http.method": "GET"]
            root.metrics = ["http.status_code": n % 10 == 0 ? 500 : 200]
            var child = span(trace, n * 10 + 2, parent: n * 10 + 1, start: Int64(n) * 1000 + 5)
            child.service = "billing"
            child.name = "charge"
            child.duration = Int64(n) * 100
            child.error = n == 7
            spans += [root, child]
        }
        // One request per trace: the children of early traces are sealed in other blocks than later ones.
        for pair in stride(from: 0, to: spans.count, by: 2) { try await t.index.insert(Array(spans[pair..<(pair + 2)])) }
        #expect(try await t.index.services() == ["billing", "frontend"])
        #expect(try await t.index.operations(service: "frontend") == [SpanOperation(name: "GET /", kind: "server")])
        let all = SpanSearch(service: "frontend", since: 0, until: 1_000_000, limit: 100)
        #expect(try await t.index.findTraces(all).count == 40)
        var failed = all
        failed.tags = ["http.status_code": "500"]
        #expect(Set(try await t.index.findTraces(failed).map(\.low)) == [100, 110, 120, 130])
        var latest = all
        latest.limit = 3
        #expect(try await t.index.findTraces(latest).map(\.low) == [139, 138, 137], "latest start first")
        var slow = SpanSearch(service: "billing", since: 0, until: 1_000_000, minDuration: 3500)
        #expect(Set(try await t.index.findTraces(slow).map(\.low)) == [135, 136, 137, 138, 139])
        slow.tags = ["error": "true"]
        #expect(try await t.index.findTraces(slow).isEmpty)
        var errors = SpanSearch(service: "billing", since: 0, until: 1_000_000)
        errors.tags = ["error": "true"]
        #expect(try await t.index.findTraces(errors).map(\.low) == [107])
        #expect(try await t.index.findTraces(SpanSearch(service: "nobody", since: 0, until: 1_000_000)).isEmpty)
        #expect(try await t.index.dependencies(since: 0, until: 1_000_000) == [ServiceLink(parent: "frontend", child: "billing", calls: 40)])
        // The trace list: newest first, with counts.
        let recent = try await t.index.recentTraces(TraceListQuery(limit: 2))
        #expect(recent.map(\.traceID.low) == [139, 138])
        #expect(recent.first?.spans == 2)
        #expect(recent.first?.services == ["billing", "frontend"])
        #expect(try await t.index.recentTraces(TraceListQuery(onlyErrors: true)).map(\.traceID.low) == [107])
        // A service's traces with an error anywhere in them (here in billing's span).
        #expect(try await t.index.recentTraces(TraceListQuery(service: "frontend", onlyErrors: true)).map(\.traceID.low) == [107])
    }

    @Test func retentionDeletesWholeSpanBlocksAndCountsWhatWasNotExported() async throws {
        let t = try TempIndex(Self.options(spans: 4))
        let trace = TraceID(high: nil, low: 9)
        try await t.index.insert((1...10).map { span(trace, $0) })
        var cursor = try await t.index.exportCursor("ch")
        cursor.spanRow = try await t.index.exportSpans(after: cursor, limit: 3).last!.row
        try await t.index.commitExportCursor("ch", cursor)
        let cutoff = Timestamps.now() + 1
        var deleted = 0
        while true {
            let step = try await t.index.pruneOlderThan(cutoff, batch: 1000)
            if step.isEmpty { break }
            deleted += step.spans
        }
        #expect(deleted == 10)
        #expect(try await t.index.trace(trace).spans.isEmpty)
        #expect(try await t.index.exportCursor("ch").lostSpans == 7)
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.directory + "/blocks").isEmpty, "emptied segment files are removed")
        // With every block gone, a reopened store numbers new spans and lines after the
        // exporter's cursor, so the exporter sends them.
        var advanced = try await t.index.exportCursor("ch")
        advanced.logID = 500
        try await t.index.commitExportCursor("ch", advanced)
        let reopened = try t.reopen()
        try await reopened.insert([span(trace, 11)])
        try await reopened.commit(TailBatch(records: [log(trace, 11, "after")]))
        let now = try await reopened.exportCursor("ch")
        #expect(try await reopened.exportSpans(after: now, limit: 10).map(\.span.spanID.value) == [11])
        #expect(try await reopened.exportLogs(after: now, limit: 10).map(\.record.message) == ["after"])
    }

    @Test func sizeRetentionTakesTheOldestSpanSegmentBeforeTheNewestLines() async throws {
        let t = try TempIndex(Self.options(spans: 4))
        try await t.index.insert((1...8).map { span(TraceID(high: nil, low: 1), $0) })
        // Two lines: a tail block in the database, the newest data.
        try await t.index.commit(TailBatch(records: [log(TraceID(high: nil, low: 1), 1, "a"), log(TraceID(high: nil, low: 1), 2, "b")]))
        let step = try await t.index.pruneOldest()
        #expect(step.logs == 0 && step.spans == 4)
        let trace = try await t.index.trace(TraceID(high: nil, low: 1))
        #expect(trace.logs.count == 2)
        #expect(trace.spans.map(\.spanID.value) == [5, 6, 7, 8])
    }

    @Test func spansWithLargeEventsAreSealedByBytes() async throws {
        let t = try TempIndex(Self.options(spans: 1024))
        let trace = TraceID(high: nil, low: 3)
        let stack = String(repeating: "frame\n", count: 20_000)  // 120 KB an event
        for n in UInt64(1)...40 {
            var s = span(trace, n, start: Int64(n))
            s.details.events = [SpanDetails.Event(time: 1, name: "exception", attributes: [SpanAttribute("exception.stacktrace", .string(stack))])]
            try await t.index.insert([s])
        }
        let blocks = try await spanBlocks(t)
        #expect(blocks.sealed >= 1, "about 2 MiB of spans make a block, not 1,024 spans")
        let stored = try await t.index.trace(trace).spans
        #expect(stored.map(\.spanID.value) == Array(1...40))
        #expect(stored.allSatisfy { $0.details.events.first?.attributes.first?.value == .string(stack) })
    }

    @Test func aDamagedSpanBlockIsReportedAndSkipped() async throws {
        let t = try TempIndex(Self.options(spans: 4))
        try await t.index.insert((1...4).map { span(TraceID(high: nil, low: 1), $0) })
        try await t.index.insert((5...8).map { span(TraceID(high: nil, low: 2), $0) })
        let files = try FileManager.default.contentsOfDirectory(atPath: t.directory + "/blocks").sorted()
        #expect(files.count == 2)
        let first = try FileHandle(forUpdating: URL(fileURLWithPath: t.directory + "/blocks/" + files[0]))
        try first.seek(toOffset: 40)
        try first.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
        try first.close()
        #expect(try await t.index.trace(TraceID(high: nil, low: 1)).spans.isEmpty)
        #expect(try await t.index.trace(TraceID(high: nil, low: 2)).spans.count == 4)
        #expect(t.index.damage.all.map(\.kind) == ["spans"])
    }

    @Test func aVersion11SpansTableIsConvertedWithItsExportCursor() async throws {
        let directory = NSTemporaryDirectory() + "tj-v11-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let old = try DatabaseQueue(path: directory + "/index.db")
            try Schema.migrator.migrate(old, upTo: "v11: span details")
            try await old.write { db in
                // Received out of id order: the export order is (received_ns, id).
                for (id, received) in [(1, 30), (2, 10), (3, 20), (4, 20), (5, 40)] {
                    try db.execute(sql: """
                        INSERT INTO spans (id, trace_hi, trace_lo, span_id, parent_id, service, name, resource, type, start_ns, duration_ns,
                            error, meta, metrics, protocol, received_ns, details)
                        VALUES (?, NULL, 7, ?, NULL, 'svc', ?, 'res', '', ?, 5, 0, '{"span.kind":"server"}', '{"n":1.5}', 'ndjson', ?, NULL)
                        """, arguments: [id, id, "op\(id)", id, received])
                }
                // Exported up to (20, 3): spans 2 and 3.
                try db.execute(sql: "INSERT INTO export_cursors (target, log_id, span_received, span_row) VALUES ('ch', 0, 20, 3)")
            }
        }
        let index = try CorrelationStore(path: directory + "/index.db", options: Self.options(spans: 2))
        let spans = try await index.trace(TraceID(high: nil, low: 7)).spans
        #expect(spans.map(\.spanID.value) == [1, 2, 3, 4, 5])
        #expect(spans.first?.meta == ["span.kind": "server"])
        #expect(spans.first?.metrics == ["n": 1.5])
        let cursor = try await index.exportCursor("ch")
        #expect(try await index.exportSpans(after: cursor, limit: 10).map(\.span.spanID.value) == [4, 1, 5])
        #expect(try await index.operations(service: "svc").map(\.kind) == ["server", "server", "server", "server", "server"])
        let queue = try DatabaseQueue(path: directory + "/index.db")
        #expect(try await queue.read { try $0.tableExists("spans") } == false)
        // New spans continue after the converted ones.
        try await index.insert([span(TraceID(high: nil, low: 7), 6)])
        #expect(try await index.exportSpans(after: cursor, limit: 10).map(\.span.spanID.value) == [4, 1, 5, 6])
    }
}
