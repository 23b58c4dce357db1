import Foundation
import Glibc
import GRDB
import Logging
import TracejoinModel

/// Where a block is kept, as the catalog says.
struct BlockPlace {
    var id: Int64
    var segment: Int64?
    var offset: Int64
    var storedBytes: Int
    /// The block itself, when it is kept in the database and was selected with its row.
    var data: [UInt8]?
    /// Its lines of the trace it was found for (trace lookups only).
    var lines = 0

    /// From a row with the columns `id, segment, offset, stored_bytes, data`.
    init(_ row: Row) {
        id = row["id"]
        segment = row["segment"]
        offset = row["offset"] ?? 0
        storedBytes = row["stored_bytes"]
        data = (row["data"] as Data?).map { [UInt8]($0) }
    }

    /// The columns ``init(_:)-(RawStatement)`` reads, in its order (prefix `b.`).
    static let columns = "b.id, b.segment, b.offset, b.stored_bytes, CASE WHEN b.segment IS NULL THEN b.data END"

    init(_ row: borrowing RawStatement) {
        id = row.int64(0)
        segment = row.int64OrNil(1)
        offset = row.int64OrNil(2) ?? 0
        storedBytes = Int(row.int64(3))
        data = row.int64OrNil(1) == nil ? row.blob(4) : nil
    }
}

extension Index {
    /// Reads and checks a block; `nil` when it is damaged (reported once, in the log and in
    /// `/v1/stats`, and skipped from then on) or gone (deleted by retention after the query's
    /// snapshot was taken).
    func readBlock(_ place: BlockPlace, _ db: Database) throws -> LogBlock? {
        if damage.contains(place.id) { return nil }
        if let cached = cache.get(place.id) { return cached }
        let bytes: [UInt8]
        if let segment = place.segment {
            do {
                bytes = try segments.read(segment, offset: place.offset, length: place.storedBytes)
            } catch {
                if error.errno == ENOENT { return nil }
                report(place, reason: "\(error)")
                return nil
            }
        } else if let data = place.data {
            bytes = data
        } else {
            bytes = try Data.fetchOne(db, sql: "SELECT data FROM blocks WHERE id = ?", arguments: [place.id]).map { [UInt8]($0) } ?? []
        }
        do {
            let block = try LogBlock(bytes: bytes)
            cache.put(place.id, block)
            return block
        } catch {
            report(place, reason: error.reason)
            return nil
        }
    }

    private func report(_ place: BlockPlace, reason: String) {
        let file = place.segment.map { segments.path($0) }
        guard damage.record(DamagedBlock(block: place.id, file: file, offset: place.offset, reason: reason,
                                         found: Timestamps.iso8601(nanoseconds: Timestamps.now()))) else { return }
        var metadata: Logger.Metadata = ["block": "\(place.id)", "reason": "\(reason)"]
        if let file {
            metadata["file"] = "\(file)"
            metadata["offset"] = "\(place.offset)"
        }
        logger.error("damaged block skipped: its records cannot be read; the blocks around it are unaffected", metadata: metadata)
    }

    /// The blocks holding lines of the trace whose low half is `low`, in arrival order.
    func blocksOfTrace(_ low: UInt64, descending: Bool, _ db: Database) throws -> [BlockPlace] {
        let rows = try RawStatement(db, """
            SELECT \(BlockPlace.columns), t.lines FROM block_traces t JOIN blocks b ON b.id = t.block
            WHERE t.trace_lo = ? ORDER BY b.id \(descending ? "DESC" : "ASC")
            """)
        rows.bind(1, low)
        var places: [BlockPlace] = []
        while try rows.next() {
            var place = BlockPlace(rows)
            place.lines = Int(rows.int64(5))
            places.append(place)
        }
        return places
    }
}

/// The most recently read blocks, decoded: newest-first searches and follows read the same
/// newest blocks again and again. Least recently used goes first.
final class BlockCache: Sendable {
    private let entries = Locked<(blocks: [Int64: (block: LogBlock, used: UInt64)], clock: UInt64)>(([:], 0))
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func get(_ id: Int64) -> LogBlock? {
        entries.withLock { state in
            guard let hit = state.blocks[id] else { return nil }
            state.clock += 1
            state.blocks[id] = (hit.block, state.clock)
            return hit.block
        }
    }

    func put(_ id: Int64, _ block: LogBlock) {
        entries.withLock { state in
            state.clock += 1
            state.blocks[id] = (block, state.clock)
            if state.blocks.count > capacity, let oldest = state.blocks.min(by: { $0.value.used < $1.value.used })?.key {
                state.blocks[oldest] = nil
            }
        }
    }
}
