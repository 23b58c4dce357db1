import Foundation
import GRDB
import Index
import TraceContext
import Testing
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

@Suite("Retention")
struct RetentionTests {
    @Test func ageDeletesWholeBlocksThatAreDueOneStepAtATime() async throws {
        let t = try TempIndex(TempIndex.smallBlocks(5))
        let trace = TraceID(high: nil, low: 9)
        // 12 lines: two sealed blocks of 5 and a tail block of 2.
        try await t.index.commit(TailBatch(records: (0..<12).map { log(trace, 1, "old \($0)") }))
        try await t.index.insert([span(trace, 1)])
        let cutoff = Timestamps.now()
        try await Task.sleep(for: .milliseconds(5))
        try await t.index.commit(TailBatch(records: [log(trace, 1, "new")]))
        var steps: [CorrelationStore.Pruned] = []
        while true {
            let step = try await t.index.pruneOlderThan(cutoff, batch: 1000)
            steps.append(step)
            if step.isEmpty { break }
        }
        #expect(steps.map(\.logs) == [5, 5, 2, 0])
        #expect(steps.map(\.spans) == [1, 0, 0, 0])
        #expect(try await t.index.trace(trace).logs.map(\.message) == ["new"])
        // The two segment files went with their blocks.
        let files = try FileManager.default.contentsOfDirectory(atPath: t.directory + "/blocks")
        #expect(files.isEmpty)
    }

    @Test func theTraceIndexForgetsABlockWithIt() async throws {
        let t = try TempIndex()
        let (a, b) = (TraceID(high: nil, low: 1), TraceID(high: nil, low: 2))
        try await t.index.commit(TailBatch(records: [log(a, 1, "a old"), log(b, 1, "b old")]))
        let cutoff = Timestamps.now()
        try await Task.sleep(for: .milliseconds(5))
        try await t.index.commit(TailBatch(records: [log(b, 1, "b new")]))
        while try await !t.index.pruneOlderThan(cutoff).isEmpty {}
        let keys = try await DatabaseQueue(path: t.directory + "/index.db").read { try Int64.fetchAll($0, sql: "SELECT trace_lo FROM block_traces") }
        #expect(keys == [2])
        #expect(try await t.index.trace(b).logs.map(\.message) == ["b new"])
        try await t.index.commit(TailBatch(records: [log(a, 1, "a again")]))
        #expect(try await t.index.trace(a).logs.map(\.message) == ["a again"])
        #expect(try await t.index.logs(LogQuery(traceID: a, limit: 10)).records.map(\.record.message) == ["a again"])
    }

    @Test func tailBlocksAreSealedOnceFullAndATraceReadsAcrossBlocks() async throws {
        let t = try TempIndex(TempIndex.smallBlocks(4))
        let (big, other) = (TraceID(high: nil, low: 77), TraceID(high: nil, low: 78))
        // Commits of 1–3 lines: tail blocks until four lines are waiting, then a sealed block.
        try await t.index.commit(TailBatch(records: [log(big, 1, "first"), log(other, 1, "other")]))
        try await t.index.commit(TailBatch(records: [log(big, 2, "more 0")]))
        try await t.index.commit(TailBatch(records: (1..<4).map { log(big, 2, "more \($0)") } + [log(nil, nil, "untraced")]))
        let blocks = try await DatabaseQueue(path: t.directory + "/index.db").read { db in
            try Row.fetchAll(db, sql: "SELECT first_id, last_id, sealed, segment IS NOT NULL AS in_file FROM blocks ORDER BY id").map {
                [$0[0] as Int64, $0[1] as Int64, $0[2] as Int64, $0[3] as Int64]
            }
        }
        // ids 1–4 sealed into a segment file; 5–7 wait in a tail block in the database.
        #expect(blocks == [[1, 4, 1, 1], [5, 7, 0, 0]])
        #expect(try await t.index.trace(big).logs.map(\.message) == ["first", "more 0", "more 1", "more 2", "more 3"])
        #expect(try await t.index.span(SpanID(2)) == nil)  // no span stored; lines alone
        let page = try await t.index.logs(LogQuery(traceID: big, spanID: SpanID(2), limit: 3))
        #expect(page.records.map(\.record.message) == ["more 3", "more 2", "more 1"])
        #expect(try await t.index.logs(LogQuery(traceID: big, spanID: SpanID(2), limit: 3, before: page.next)).records.map(\.record.message) == ["more 0"])
        // A trace read with a limit keeps its oldest lines and counts the rest.
        let cut = try await t.index.trace(big, logLimit: 2)
        #expect(cut.logs.map(\.message) == ["first", "more 0"] && cut.logsOmitted == 3)
        // After a reopen, ids go on from the last one.
        let reopened = try t.reopen()
        try await reopened.commit(TailBatch(records: [log(big, 3, "later")]))
        #expect(try await reopened.logs(LogQuery(traceID: big, limit: 1)).records.map(\.id) == [8])
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
        let index = try CorrelationStore(path: directory + "/index.db")
        #expect(try await index.trace(TraceID(high: nil, low: 7)).logs.map(\.message) == ["line 0", "line 2"])
        #expect(try await index.trace(TraceID(high: nil, low: .max)).logs.map(\.message) == ["line 3"])
        try await index.commit(TailBatch(records: [log(TraceID(high: nil, low: 8), 1, "after")]))
        #expect(try await index.trace(TraceID(high: nil, low: 8)).logs.map(\.message) == ["line 1", "after"])
    }

    @Test func commitsOfEverySizeKeepEveryLineOnceAndInOrder() async throws {
        // Batches smaller and larger than a block, sealing through the encoded tail kept in
        // memory, and (after a reopen, with that cache gone) through decoding the tail blocks.
        let t = try TempIndex(TempIndex.smallBlocks(7))
        let trace = TraceID(high: nil, low: 5)
        var index = t.index
        var expected: [String] = []
        for round in 0..<40 {
            // 1 to 20 lines, in an order that mixes small and large batches.
            let lines = (0..<(round * 7919 % 20 + 1)).map { "round \(round) line \($0)" }
            try await index.commit(TailBatch(records: lines.map { log(trace, 1, $0) }))
            expected += lines
            if round == 20 { index = try t.reopen() }
        }
        #expect(try await index.trace(trace).logs.map(\.message) == expected)
        var ids: [Int64] = []
        var page = try await index.logs(LogQuery(limit: 50))
        while true {
            ids += page.records.map(\.id)
            guard let next = page.next else { break }
            page = try await index.logs(LogQuery(limit: 50, before: next))
        }
        #expect(ids == Array((1...Int64(expected.count)).reversed()))
    }

    @Test func searchesSkipTheBlocksTheirCatalogEntryRulesOut() async throws {
        // Block 1 (its own segment file) holds INFO lines of trace 1 only; block 2 an ERROR line
        // of trace 2. Block 1's file is then damaged: a search that must not read it never finds
        // out, one that must read it reports it.
        let t = try TempIndex(TempIndex.smallBlocks(4))
        let (one, two) = (TraceID(high: nil, low: 1), TraceID(high: nil, low: 2))
        try await t.index.commit(TailBatch(records: (0..<4).map { log(one, 1, "info \($0)") }))
        var error = log(two, 2, "failed")
        error.level = "ERROR"
        try await t.index.commit(TailBatch(records: [error] + (0..<3).map { log(two, 2, "after \($0)") }))
        let files = try FileManager.default.contentsOfDirectory(atPath: t.directory + "/blocks").sorted()
        #expect(files.count == 2)
        let first = try FileHandle(forUpdating: URL(fileURLWithPath: t.directory + "/blocks/" + files[0]))
        try first.seek(toOffset: 40)
        try first.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
        try first.close()

        #expect(try await t.index.logs(LogQuery(level: "ERROR")).records.map(\.record.message) == ["failed"])
        #expect(try await t.index.trace(two).logs.count == 4)
        #expect(try await t.index.logs(LogQuery(source: "elsewhere")).records.isEmpty)
        #expect(t.index.damage.all.isEmpty, "a block the catalog rules out is not read")
        #expect(try await t.index.logs(LogQuery(level: "INFO")).records.map(\.record.message) == ["after 2", "after 1", "after 0"])
        #expect(t.index.damage.all.map(\.block) == [1], "the INFO search read block 1 and found it damaged")
    }

    @Test func sizePrunesTheOldestSegmentFirstAndGivesItsSpaceBack() async throws {
        let t = try TempIndex(TempIndex.smallBlocks(500))
        let trace = TraceID(high: nil, low: 3)
        for batch in 0..<4 {
            // Lines that do not compress much, so that a segment outweighs a transaction's pages.
            var rng = SystemRandomNumberGenerator()
            try await t.index.commit(TailBatch(records: (0..<500).map {
                log(trace, 1, "batch \(batch) line \($0) " + (0..<64).map { _ in String(rng.next() as UInt64, radix: 36) }.joined())
            }))
        }
        let before = try await t.index.usedBytes()
        let step = try await t.index.pruneOldest(batch: 500)
        #expect(step.logs == 500 && step.blocks == 1)
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

