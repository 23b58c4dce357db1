import Foundation
import GRDB
import Index
import TraceContext
import Testing
import TracejoinModel

@Suite("Retention")
struct RetentionTests {
    @Test func ageDeletesExactlyWhatIsDueInSmallSteps() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: nil, low: 9)
        try await t.index.commit(TailBatch(records: (0..<12).map { log(trace, 1, "old \($0)") }))
        try await t.index.insert([span(trace, 1)])
        let cutoff = Timestamps.now()
        try await Task.sleep(for: .milliseconds(5))
        try await t.index.commit(TailBatch(records: [log(trace, 1, "new")]))
        // Batches of 5: 5 + 5 + 2 old lines, then nothing.
        var steps: [Index.Pruned] = []
        while true {
            let step = try await t.index.pruneOlderThan(cutoff, batch: 5)
            steps.append(step)
            if step.isEmpty { break }
        }
        #expect(steps.map(\.logs) == [5, 5, 2, 0])
        #expect(steps.map(\.spans) == [1, 0, 0, 0])
        #expect(try await t.index.trace(trace).logs.map(\.message) == ["new"])
    }

    @Test func traceOrdinalsAreForgottenOnlyWithTheirLastLine() async throws {
        let t = try TempIndex()
        let (a, b) = (TraceID(high: nil, low: 1), TraceID(high: nil, low: 2))
        try await t.index.commit(TailBatch(records: [log(a, 1, "a old"), log(b, 1, "b old")]))
        let cutoff = Timestamps.now()
        try await Task.sleep(for: .milliseconds(5))
        try await t.index.commit(TailBatch(records: [log(b, 1, "b new")]))
        while try await !t.index.pruneOlderThan(cutoff).isEmpty {}
        // a has no line left: its ordinal is gone. b's is older than b's remaining line, so it
        // stays (ordinals below the smallest in use are the only ones freed).
        let keys = try await DatabaseQueue(path: t.directory + "/index.db").read { try Int64.fetchAll($0, sql: "SELECT trace_lo FROM trace_segments") }
        #expect(keys == [2])
        #expect(try await t.index.trace(b).logs.map(\.message) == ["b new"])
        // A new line of a is found under a new ordinal.
        try await t.index.commit(TailBatch(records: [log(a, 1, "a again")]))
        #expect(try await t.index.trace(a).logs.map(\.message) == ["a again"])
        #expect(try await t.index.logs(LogQuery(traceID: a, limit: 10)).records.map(\.record.message) == ["a again"])
    }

    @Test func aTraceOverASegmentGoesOnInANewOneAndKeepsItsLinesTogether() async throws {
        let t = try TempIndex()
        let (big, other) = (TraceID(high: nil, low: 77), TraceID(high: nil, low: 78))
        try await t.index.commit(TailBatch(records: [log(big, 1, "first"), log(other, 1, "other")]))
        // Pretend the segment is two positions short of full (2^20 lines).
        let db = try DatabaseQueue(path: t.directory + "/index.db")
        try await db.write { try $0.execute(sql: "UPDATE trace_segments SET lines = 1048574 WHERE trace_lo = 77") }
        try await t.index.commit(TailBatch(records: (0..<4).map { log(big, 2, "more \($0)") } + [log(nil, nil, "untraced")]))
        let (segments, positions) = try await db.read { db in
            (try Row.fetchAll(db, sql: "SELECT ord, lines FROM trace_segments WHERE trace_lo = 77 ORDER BY ord").map { [$0[0] as Int64, $0[1] as Int64] },
             try Int64.fetchAll(db, sql: "SELECT pos FROM logs ORDER BY id"))
        }
        #expect(segments == [[1, 1_048_576], [3, 2]])
        let segment: Int64 = 1 << 20
        let expected: [Int64] = [segment, 2 * segment, segment + 1_048_574, segment + 1_048_575, 3 * segment, 3 * segment + 1, -7]
        #expect(positions == expected)
        #expect(try await t.index.trace(big).logs.map(\.message) == ["first", "more 0", "more 1", "more 2", "more 3"])
        #expect(try await t.index.span(SpanID(2)) == nil)  // no span stored; lines alone
        #expect(try await t.index.logs(LogQuery(traceID: big, spanID: SpanID(2), limit: 3)).records.map(\.record.message) == ["more 3", "more 2", "more 1"])
    }

    @Test func aVersion5IndexIsBroughtForwardWithItsLines() async throws {
        let directory = NSTemporaryDirectory() + "tj-v5-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let old = try DatabaseQueue(path: directory + "/index.db")
            try Schema.migrator.migrate(old, upTo: "v5: spans by span ID")
            try await old.write { db in
                for (i, lo) in [7, 8, 7, -1].enumerated() {
                    try db.execute(sql: """
                        INSERT INTO logs (trace_lo, span_id, message, file, source, rule, raw, ingested_ns) VALUES (?, 1, ?, 'f', 's', 'r', 'raw', ?)
                        """, arguments: [lo, "line \(i)", i])
                }
            }
        }
        let index = try Index(path: directory + "/index.db")
        #expect(try await index.trace(TraceID(high: nil, low: 7)).logs.map(\.message) == ["line 0", "line 2"])
        #expect(try await index.trace(TraceID(high: nil, low: .max)).logs.map(\.message) == ["line 3"])
        try await index.commit(TailBatch(records: [log(TraceID(high: nil, low: 8), 1, "after")]))
        #expect(try await index.trace(TraceID(high: nil, low: 8)).logs.map(\.message) == ["line 1", "after"])
    }

    @Test func sizePrunesTheOldestFirst() async throws {
        let t = try TempIndex()
        let trace = TraceID(high: nil, low: 3)
        for batch in 0..<4 {
            try await t.index.commit(TailBatch(records: (0..<500).map { log(trace, 1, "batch \(batch) line \($0) " + String(repeating: "x", count: 200)) }))
        }
        let before = try await t.index.usedBytes()
        let step = try await t.index.pruneOldest(batch: 500)
        #expect(step.logs == 500)
        #expect(try await t.index.usedBytes() < before)
        let remaining = try await t.index.trace(trace).logs
        #expect(remaining.count == 1500)
        #expect(remaining.first?.message?.hasPrefix("batch 1 line 0 ") == true)
    }

    @Test func searchPagesNewestFirstWithFilters() async throws {
        let t = try TempIndex()
        let a = TraceID(high: nil, low: 1)
        let b = TraceID(high: 2, low: 1)
        var records = (0..<7).map { log(a, 1, "alpha \($0)") }
        var error = log(b, 2, "beta failed")
        error.level = "ERROR"
        records.append(error)
        try await t.index.commit(TailBatch(records: records))
        try await t.index.insert([span(a, 1), SpanRecord(traceID: b, spanID: SpanID(2), parentID: nil, service: "billing", name: "x",
                                                           resource: "x", start: 0, duration: 1, error: true, protocolName: "ndjson")])
        let first = try await t.index.logs(LogQuery(text: "alpha", limit: 3))
        #expect(first.records.map(\.record.message) == ["alpha 6", "alpha 5", "alpha 4"])
        let second = try await t.index.logs(LogQuery(text: "alpha", limit: 3, before: first.next))
        #expect(second.records.map(\.record.message) == ["alpha 3", "alpha 2", "alpha 1"])
        let last = try await t.index.logs(LogQuery(text: "alpha", limit: 3, before: second.next))
        #expect(last.records.map(\.record.message) == ["alpha 0"] && last.next == nil)
        #expect(try await t.index.logs(LogQuery(level: "error")).records.map(\.record.message) == ["beta failed"])
        #expect(try await t.index.logs(LogQuery(service: "billing")).records.map(\.record.message) == ["beta failed"])
        #expect(try await t.index.logs(LogQuery(traceID: TraceID(high: 3, low: 1))).records.count == 7)  // high unknown on a's lines
        let recent = try await t.index.recentTraces(TraceListQuery(onlyErrors: true))
        #expect(recent.count == 1 && recent.first?.errors == 1 && recent.first?.services == ["billing", "svc"])
    }
}
