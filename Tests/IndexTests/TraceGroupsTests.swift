import Foundation
import GRDB
@testable import Index
import TraceContext
import Testing
import TracejoinModel

@Suite("Blocks grouped by trace")
struct TraceGroupsTests {
    /// `count` lines of 13 traces arriving interleaved, every seventh line without a trace;
    /// slots and field names repeat from line to line (stored as repeats of an earlier line).
    static func items(_ count: Int, firstID: Int64 = 1) -> [TraceGroups.Item] {
        (0..<count).map { n in
            let trace: TraceID? = n % 7 == 3 ? nil : TraceID(high: n % 2 == 0 ? 0xAB : nil, low: UInt64(n % 13) &* 0x9E37_79B9_7F4A_7C15)
            let span = UInt64(n % 5 + 1)
            let raw = "2026-12-07 07:00:\(n % 60) \(n % 3 == 0 ? "ERROR" : "INFO") [svc] trace=\(trace?.lowDecimal ?? "-") span=\(span) - line \(n)"
            let record = LogRecord(traceID: trace, spanID: SpanID(span), time: "2026-12-07 07:00:\(n % 60)", level: n % 3 == 0 ? "ERROR" : "INFO",
                                   message: "line \(n)", file: "/var/log/app-\(n % 2).log", source: "app\(n % 2)", rule: "r",
                                   raw: raw, fields: [.init(name: "n", value: .integer(Int64(n))), .init(name: "kind", value: n % 4 == 0 ? "a" : "b")])
            return (firstID + Int64(n), 1_000 + Int64(n), record)
        }
    }

    @Test func aGroupedBlockReadsBackInArrivalOrderAndEachTraceIsOneGroup() throws {
        let items = Self.items(600)
        let sealed = TraceGroups.seal(items, [0..<600], groupRecords: 40, compressor: ZstdCompressor())
        #expect(sealed.count == 1)
        let bytes = sealed[0].bytes, summary = sealed[0].summary
        #expect(bytes.starts(with: TraceGroups.magic))
        #expect(summary.count == 600 && summary.firstID == 1 && summary.lastID == 600)
        // Read whole: every record, in id order, as it went in (repeats resolved within each group).
        let block = try LogBlock(bytes: bytes)
        let rows = block.rows(ascending: true)
        #expect(rows.map { block.ids[$0] } == items.map(\.id))
        #expect(block.rows(ascending: false) == rows.reversed())
        #expect(block.firstID == 1)
        for (i, item) in zip(rows, items) {
            #expect(block.record(i) == item.record)
            #expect(block.ingested[i] == item.ingested)
        }
        #expect(try TraceGroups.groups(of: bytes).count > 1)
        // Each trace's group, read alone, holds all its lines and they are in arrival order.
        let traces = Dictionary(grouping: items.filter { $0.record.traceID != nil }, by: { $0.record.traceID!.low })
        #expect(Set(summary.parts.keys) == Set(traces.keys))
        for (low, lines) in traces {
            let part = try #require(summary.parts[low])
            let group = try LogBlock(bytes: Array(bytes[part.offset..<(part.offset + part.bytes)]))
            let own = group.rows(ascending: true).filter { group.traceLow[$0] == low }
            #expect(own.map { group.ids[$0] } == lines.map(\.id))
            #expect(own.map { group.record($0) } == lines.map(\.record))
            #expect(summary.traces[low] == lines.count)
            // A group is a small part of the block.
            #expect(part.bytes < bytes.count / 2)
        }
    }

    @Test func groupsKeepATraceWholeAndTheUntracedLast() {
        let items = Self.items(300)
        let groups = TraceGroups.partition(items, 0..<300, groupRecords: 25)
        #expect(groups.flatMap { $0 }.sorted() == Array(0..<300))
        var seen: [UInt64: Int] = [:]
        var untracedIn: Int?
        for (g, group) in groups.enumerated() {
            #expect(group == group.sorted())
            for i in group {
                guard let low = items[i].record.traceID?.low else {
                    untracedIn = untracedIn ?? g
                    continue
                }
                // The untraced lines come after every trace (the last traces' group may take the first of them).
                #expect(untracedIn == nil || untracedIn == g, "a traced line in a group after the untraced ones began")
                #expect(seen[low, default: g] == g, "trace \(low) in two groups")
                seen[low] = g
            }
        }
        #expect(untracedIn != nil && seen.count == 13)
        // Each group but the last closes after at least 25 lines.
        #expect(groups.dropLast().allSatisfy { $0.count >= 25 })
    }

    @Test func damageAnywhereInAGroupedBlockFailsEveryReadOfIt() throws {
        let items = Self.items(200)
        let sealed = TraceGroups.seal(items, [0..<200], groupRecords: 30, compressor: ZstdCompressor())[0]
        let bytes = sealed.bytes
        let groups = try TraceGroups.groups(of: bytes)
        // Every truncation, and a flipped byte anywhere, fails the whole read.
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: BlockCorruption.self) { try LogBlock(bytes: Array(bytes[..<length])) }
        }
        for at in stride(from: 0, to: bytes.count, by: 11) {
            var flipped = bytes
            flipped[at] ^= 0x20
            #expect(throws: BlockCorruption.self) { try LogBlock(bytes: flipped) }
        }
        // A trace lookup decodes one group, but only of a block found whole: a flip in the first
        // group fails the lookup of a trace in the second, as a damaged block is skipped by every query.
        var flipped = bytes
        flipped[groups[0].lowerBound + 20] ^= 0x01
        let second = try #require(sealed.summary.parts.values.first { $0.offset == groups[1].lowerBound })
        _ = try TraceGroups.group(of: bytes, at: second)
        #expect(throws: BlockCorruption.self) { try TraceGroups.group(of: flipped, at: second) }
        // A place that is not one of the block's groups (a damaged trace index entry), or in a
        // block not grouped, is refused.
        #expect(throws: BlockCorruption.self) { try TraceGroups.group(of: bytes, at: (second.offset + 1, second.bytes - 1)) }
        var plain = LogBlockEncoder()
        plain.append(id: 1, ingested: 1, items[0].record)
        #expect(throws: BlockCorruption.self) { try TraceGroups.group(of: plain.seal(with: ZstdCompressor()), at: (0, 10)) }
        // A directory naming no group, or more than fit, under a checksum that matches.
        for count: UInt32 in [0, 1_000_000] {
            var wrong = Array(bytes[..<(bytes.count - 8)])
            wrong.replaceSubrange(4..<8, with: withUnsafeBytes(of: count.littleEndian, Array.init))
            LogBlockEncoder.append(wrong.withUnsafeBytes { BlockFormat.checksum($0) }, to: &wrong)
            #expect(throws: BlockCorruption.self) { try LogBlock(bytes: wrong) }
        }
    }

    /// Through the store: lines of interleaved traces sealed into grouped blocks; a trace
    /// lookup reads only groups (the trace index names one per sealed block), and searches,
    /// paging both ways and the export read every line once, in id order.
    @Test func theStoreSealsGroupedBlocksAndReadsThemInOrder() async throws {
        var options = TempIndex.smallBlocks(64)
        options.groupRecords = 8
        let t = try TempIndex(options)
        let items = Self.items(500)
        for batch in stride(from: 0, to: 500, by: 37) {
            try await t.index.commit(TailBatch(records: items[batch..<min(500, batch + 37)].map(\.record)))
        }
        let (grouped, ungrouped) = try await t.index.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM block_traces t JOIN blocks b ON b.id = t.block WHERE b.sealed = 1 AND t.part_offset IS NOT NULL")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM block_traces t JOIN blocks b ON b.id = t.block WHERE b.sealed = 1 AND t.part_offset IS NULL")!)
        }
        #expect(grouped > 0 && ungrouped == 0)
        // Every trace whole and in arrival order.
        // (A 128-bit ID also finds the lines that logged only its low half: the 64/128-bit rule.)
        for id in Set(items.compactMap(\.record.traceID)) {
            let found = try await t.index.trace(id, logLimit: 1000)
            #expect(found.logs.map(\.message) == items.filter { $0.record.traceID?.matches(id) ?? false }.map(\.record.message))
        }
        // Newest first, a page at a time.
        var messages: [String?] = []
        var query = LogQuery(limit: 45)
        while true {
            let page = try await t.index.logs(query)
            messages += page.records.map(\.record.message)
            guard let next = page.next else { break }
            query.before = next
        }
        #expect(messages == items.reversed().map(\.record.message))
        // Oldest first after a cursor, as the exporter reads.
        var ids: [Int64] = []
        var cursor = try await t.index.exportCursor("x")
        while true {
            let batch = try await t.index.exportLogs(after: cursor, limit: 50)
            guard let last = batch.last else { break }
            ids += batch.map(\.id)
            cursor.logID = last.id
        }
        #expect(ids == Array(1...500))
        // A search by level reads the grouped blocks whole, in order.
        var errors = LogQuery(limit: 1000)
        errors.level = "ERROR"
        #expect(try await t.index.logs(errors).records.map(\.record.message) == items.reversed().filter { $0.record.level == "ERROR" }.map(\.record.message))
    }

    /// Blocks sealed before grouping (as an index of schema v12 holds them) and grouped blocks
    /// sealed after, in one store: a trace reads whole across both, and paging reads every
    /// line once in order.
    @Test func blocksSealedBeforeGroupingReadBesideGroupedOnes() async throws {
        var plain = TempIndex.smallBlocks(50)
        plain.groupRecords = 0
        let t = try TempIndex(plain)
        let items = Self.items(400)
        try await t.index.commit(TailBatch(records: items[..<200].map(\.record)))
        var grouped = plain
        grouped.groupRecords = 10
        let reopened = try CorrelationStore(path: t.directory + "/index.db", options: grouped)
        try await reopened.commit(TailBatch(records: items[200...].map(\.record)))
        let kinds = try await reopened.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT b.first_id <= 200 AS early, t.part_offset IS NOT NULL AS grouped FROM block_traces t JOIN blocks b ON b.id = t.block WHERE b.sealed = 1")
                .map { ($0["early"] as Bool, $0["grouped"] as Bool) }
        }
        #expect(kinds.contains { $0 == (true, false) } && kinds.contains { $0 == (false, true) })
        #expect(!kinds.contains { $0 == (true, true) })
        for id in Set(items.compactMap(\.record.traceID)) {
            let found = try await reopened.trace(id, logLimit: 1000)
            #expect(found.logs.map(\.message) == items.filter { $0.record.traceID?.matches(id) ?? false }.map(\.record.message))
        }
        var query = LogQuery(limit: 1000)
        query.after = 0
        #expect(try await reopened.logs(query).records.map(\.id) == Array(1...400))
    }
}
