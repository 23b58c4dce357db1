import Foundation
import TraceContext
import TracejoinModel
import TracejoinSupport

/// Sealed blocks of lines grouped by trace, so that a trace lookup decodes only what it returns.
///
/// A sealed block's records are partitioned by trace (the ID's low half) into *groups* of
/// about ``CorrelationStore/Options/groupRecords`` records. A trace's lines are never split
/// between groups, and the lines without a trace come last. Each group is a complete block of
/// its own (``LogBlockEncoder``, records in arrival order, its own checksum), packed: its small
/// columns in one zstd frame, its texts in one each (`TJP1`, ``BlockFormat/packedMagic``). The
/// sealed block is the groups one after another, behind a directory:
///
/// ```
/// "TJG1"  u32 groups  u32 length × groups  group…  u64 checksum (of every byte before it)
/// ```
///
/// The trace index (`block_traces`) names, beside each trace's block, where its group lies
/// in the block (`part_offset`, `part_bytes`): a lookup decompresses that group alone, about a
/// sixteenth of the block, where an ungrouped block was decompressed whole to return the few
/// lines of one trace among the hundred whose lines arrived with it. It still reads the whole
/// block and checks its checksum (a few tens of microseconds), so that a damaged block is
/// skipped by every query, lookups included, as before.
///
/// Whole-block readers (searches, the histogram, export) get the groups side by side and
/// read them in id order (``LogBlock/rows(ascending:)``): their replies do not change.
/// Tail blocks (the newest lines, still in the database) and blocks written before schema v13
/// are `TJB1` blocks in arrival order, read whole as before.
enum TraceGroups {
    static let magic: [UInt8] = Array("TJG1".utf8)
    /// Groups a block holds at most: a block of up to ``CorrelationStore/Options/blockRecords``
    /// records cut into groups of at least one record.
    static let maxGroups = 1 << 16

    typealias Item = (id: Int64, ingested: Int64, record: LogRecord)

    /// A sealed, grouped block and its catalog summary (with each trace's group in `parts`).
    struct Sealed {
        var bytes: [UInt8]
        var summary: BlockSummary
    }

    // MARK: Reading

    /// Where each group of a grouped block lies in it; throws when the block is damaged (its
    /// checksum, or a directory that does not add up to the block).
    static func groups(of stored: [UInt8]) throws(BlockCorruption) -> [Range<Int>] {
        let n = stored.count
        let found = stored.withUnsafeBytes { b -> Result<[Range<Int>], BlockCorruption> in
            guard n >= 16 else { return .failure(BlockCorruption(reason: "grouped block of \(n) bytes is shorter than its directory")) }
            let expected = b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self).littleEndian
            guard BlockFormat.checksum(UnsafeRawBufferPointer(rebasing: b[0..<(n - 8)])) == expected else {
                return .failure(BlockCorruption(reason: "checksum mismatch"))
            }
            let groups = Int(b.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian)
            guard groups >= 1, groups <= maxGroups, n - 16 >= groups * 4 else {
                return .failure(BlockCorruption(reason: "grouped block: a directory of \(groups) groups"))
            }
            var ranges: [Range<Int>] = []
            var at = 8 + groups * 4
            for g in 0..<groups {
                let length = Int(b.loadUnaligned(fromByteOffset: 8 + g * 4, as: UInt32.self).littleEndian)
                guard length <= n - 8 - at else { return .failure(BlockCorruption(reason: "grouped block: group \(g) runs past the block's end")) }
                ranges.append(at..<(at + length))
                at += length
            }
            guard at == n - 8 else { return .failure(BlockCorruption(reason: "grouped block: groups end at \(at), the block at \(n - 8)")) }
            return .success(ranges)
        }
        return try found.get()
    }

    /// The group at `part` of a grouped block, once the whole block is found undamaged: a
    /// trace lookup decodes only it. `part` must be one of the block's groups.
    static func group(of stored: [UInt8], at part: (offset: Int, bytes: Int)) throws(BlockCorruption) -> LogBlock {
        guard stored.starts(with: magic) else { throw BlockCorruption(reason: "the trace index names a group in a block not grouped by trace") }
        let range = part.offset..<(part.offset + part.bytes)
        // The whole block's checksum, checked here, covers the group's: not checked twice.
        guard try groups(of: stored).contains(range) else {
            throw BlockCorruption(reason: "the trace index names a group at \(part.offset) (\(part.bytes) bytes) the block does not have")
        }
        return try LogBlock(group: range, of: stored)
    }

    // MARK: Writing

    /// Seals each range of `items` (records in arrival order) as a grouped block, the groups
    /// of all of them encoded and compressed on every core. With `groupRecords` 0 the blocks
    /// are not grouped (`TJB1`, as before schema v13: the benchmark's reference).
    static func seal(_ items: [Item], _ ranges: [Range<Int>], groupRecords: Int, compressor: ZstdCompressor) -> [Sealed] {
        // Every block's groups: lists of item indices, each in arrival order.
        let groups: [(block: Int, items: [Int])] = ranges.enumerated().flatMap { b, range in
            groupRecords > 0 ? partition(items, range, groupRecords: groupRecords).map { (b, $0) } : [(b, Array(range))]
        }
        let done = Locked<[Int: (bytes: [UInt8], summary: BlockSummary)]>([:])
        DispatchQueue.concurrentPerform(iterations: groups.count) { g in
            var encoder = LogBlockEncoder()
            for i in groups[g].items { encoder.append(id: items[i].id, ingested: items[i].ingested, items[i].record) }
            let sealed = (encoder.seal(with: compressor, packed: groupRecords > 0), encoder.summary)
            done.withLock { $0[g] = sealed }
        }
        let encoded = done.withLock { all in groups.indices.map { all[$0]! } }
        guard groupRecords > 0 else { return encoded.map { Sealed(bytes: $0.bytes, summary: $0.summary) } }
        return ranges.indices.map { b in
            assemble(groups.indices.filter { groups[$0].block == b }.map { encoded[$0] })
        }
    }

    /// `range`'s items cut into groups by trace: sorted by the trace ID's low half (lines
    /// without one last), a group closed once it holds `groupRecords` and the trace changes.
    static func partition(_ items: [Item], _ range: Range<Int>, groupRecords: Int) -> [[Int]] {
        let order = range.sorted { a, b in
            switch (items[a].record.traceID?.low, items[b].record.traceID?.low) {
            case let (x?, y?): x != y ? x < y : a < b
            case (nil, nil): a < b
            case (_?, nil): true
            case (nil, _?): false
            }
        }
        var groups: [[Int]] = []
        var current: [Int] = []
        var currentTrace: UInt64?
        for i in order {
            let trace = items[i].record.traceID?.low
            if current.count >= max(1, groupRecords), trace == nil || trace != currentTrace {
                groups.append(current.sorted())
                current = []
            }
            current.append(i)
            currentTrace = trace
        }
        if !current.isEmpty { groups.append(current.sorted()) }
        return groups
    }

    /// The directory, the groups, the checksum; the summary of them all, each trace's group in `parts`.
    static func assemble(_ groups: [(bytes: [UInt8], summary: BlockSummary)]) -> Sealed {
        var out = magic
        out.reserveCapacity(8 + groups.count * 4 + groups.reduce(0) { $0 + $1.bytes.count } + 8)
        LogBlockEncoder.append32(UInt32(groups.count), to: &out)
        for group in groups { LogBlockEncoder.append32(UInt32(group.bytes.count), to: &out) }
        var summary = BlockSummary()
        for group in groups {
            let offset = out.count
            out += group.bytes
            let s = group.summary
            summary.count += s.count
            summary.firstID = min(summary.firstID, s.firstID)
            summary.lastID = max(summary.lastID, s.lastID)
            summary.minIngested = min(summary.minIngested, s.minIngested)
            summary.maxIngested = max(summary.maxIngested, s.maxIngested)
            summary.levels |= s.levels
            summary.sources |= s.sources
            summary.rules |= s.rules
            summary.rawBytes += s.rawBytes
            for (low, lines) in s.traces {
                summary.traces[low, default: 0] += lines
                summary.parts[low] = (offset, group.bytes.count)
            }
        }
        let sum = out.withUnsafeBytes { BlockFormat.checksum($0) }
        LogBlockEncoder.append(sum, to: &out)
        return Sealed(bytes: out, summary: summary)
    }
}

/// The `trace-groups` fuzz target: a block grouped by trace, its checksum made right over the
/// input so that the directory and the packed groups behind it are reached.
package enum TraceGroupsFuzzing {
    /// Decodes `bytes` (the last eight made the checksum of the rest) whole and group by group,
    /// and reads every record. Returns what is wrong when a property fails: the records come
    /// in id order, each once, and a group read alone holds no more than the whole.
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let stored = BlockFormat.checksumMadeRight(bytes)
        guard let block = try? LogBlock(bytes: stored) else { return nil }
        let rows = block.rows(ascending: true)
        guard rows.sorted() == Array(0..<block.count) else { return "the rows in id order are not each record once" }
        for (a, b) in zip(rows, rows.dropFirst()) where block.ids[a] > block.ids[b] { return "rows \(a), \(b) out of id order" }
        for i in 0..<block.count { _ = block.record(i) }
        for range in (try? TraceGroups.groups(of: stored)) ?? [] {
            guard let group = try? TraceGroups.group(of: stored, at: (range.lowerBound, range.count)) else { continue }
            if group.count > block.count { return "a group of \(group.count) records in a block of \(block.count)" }
            for i in 0..<group.count { _ = group.record(i) }
        }
        return nil
    }

    /// A valid grouped block, for the target's seed corpus (`tracejoin-fuzz seed-trace-groups FILE`).
    package static func seed() -> [UInt8] {
        let items: [TraceGroups.Item] = (0..<40).map { i in
            let trace: TraceID? = i % 9 == 4 ? nil : TraceID(high: i % 2 == 0 ? 7 : nil, low: UInt64(i % 5 + 1))
            let raw = "2026-12-07 07:00:00 INFO trace=\(trace?.lowDecimal ?? "-") span=\(i) - request \(i)"
            return (Int64(i + 1), 1_765_000_000_000_000_000 + Int64(i), LogRecord(
                traceID: trace, spanID: SpanID(UInt64(i + 1)), time: "2026-12-07 07:00:00", level: i % 3 == 0 ? "ERROR" : "INFO",
                message: "request \(i)", file: "/var/log/app.log", source: "app", rule: "python", raw: raw,
                fields: [.init(name: "n", value: .integer(Int64(i))), .init(name: "user", value: "ann")]))
        }
        return TraceGroups.seal(items, [0..<40], groupRecords: 8, compressor: ZstdCompressor(level: 1))[0].bytes
    }
}
