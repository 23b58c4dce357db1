import Foundation
import Glibc
import GRDB
import Logging
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The log records' blocks: encoding and sealing them, their segment files, reading them back
/// (checked, cached), and the damaged ones found.
///
/// Its writes are made in the store's transaction (``CorrelationStore/ingestWrite(_:)``), which
/// marks the segment files before and cuts them back if the transaction fails; each block's
/// catalog and trace-index entries are written through ``TraceCatalog`` after its bytes.
final class LogBlockStore: Sendable {
    let segments: SegmentFiles
    let compressor = ZstdCompressor(level: 1)
    let options: CorrelationStore.Options
    let catalog: TraceCatalog
    /// Blocks found damaged since the daemon started.
    let damage = DamagedBlocks()
    /// Reads blocks back, through the 32 most recently decoded.
    let reading: BlockReading<LogBlock>
    /// The tail blocks' records, so that sealing them does not decode them again. Only a hint:
    /// it is used when its first and last ids and its count are the tail's in the database (a
    /// write that failed, a restart or retention make it stale, and then the tail is decoded).
    let tailCache = Locked<[TraceGroups.Item]?>(nil)
    let logger: Logger

    init(segments: SegmentFiles, options: CorrelationStore.Options, catalog: TraceCatalog, logger: Logger) {
        self.segments = segments
        self.options = options
        self.catalog = catalog
        self.logger = logger
        reading = BlockReading(segments: segments, damage: damage, kind: .lines, table: "blocks", cache: BlockCache(capacity: 32),
                               decode: { bytes throws(BlockCorruption) in try LogBlock(bytes: bytes) },
                               decodePart: { bytes, part throws(BlockCorruption) in try TraceGroups.group(of: bytes, at: part) }, logger: logger)
    }

    /// Cuts each segment back to the end of its last block the catalog names (`ends`, from
    /// ``TraceCatalog/segmentEnds(_:)``), removes those it names none of, and continues after
    /// the newest.
    func cutUncommittedBytes(_ ends: [Int64: Int64]) {
        for segment in segments.list() {
            segments.truncate(segment, to: ends[segment] ?? 0)
        }
        segments.resume(after: ends.keys.max() ?? 0)
    }

    // MARK: Writing

    /// Stores `records` in blocks; returns how many blocks were sealed.
    ///
    /// Records first go into a small *tail* block, one a transaction, kept in the database and
    /// queryable at once. When the tail blocks and the new records together reach a block's
    /// size, they are sealed into full blocks grouped by trace (``TraceGroups``), and what is
    /// left over becomes the new tail. A large batch is sealed straight away.
    func store(_ records: [LogRecord], ingested: Int64, _ db: Database) throws -> Int {
        guard !records.isEmpty else { return 0 }
        // After retention deleted every block, an export cursor may stand at a later id: ids go
        // on after it (lines numbered below a cursor would never be exported).
        var nextID = max(try catalog.lastLogID(db), try Int64.fetchOne(db, sql: "SELECT max(log_id) FROM export_cursors") ?? 0) + 1
        let tail = try Row.fetchOne(db, sql: """
            SELECT count(*) AS n, total(records) AS records, total(raw_bytes) AS bytes, min(first_id) AS first, max(last_id) AS last
            FROM blocks WHERE sealed = 0
            """)!
        let tailCount = Int(tail["records"] as Double), tailBytes = Int(tail["bytes"] as Double)
        // The tail's records when the cache holds exactly them (see `tailCache`).
        let cached: [TraceGroups.Item]? = tailCache.withLock { $0 }.flatMap { items in
            tailCount > 0 && items.count == tailCount && items.first?.id == tail["first"] && items.last?.id == tail["last"] ? items : nil
        }
        let batchBytes = records.reduce(0) { $0 + $1.raw.utf8.count }
        if tailCount + records.count < options.blockRecords && tailBytes + batchBytes < options.blockBytes {
            var encoder = LogBlockEncoder()
            var whole = tailCount == 0 ? [] : cached
            whole?.reserveCapacity(tailCount + records.count)
            for r in records {
                encoder.append(id: nextID, ingested: ingested, r)
                whole?.append((nextID, ingested, r))
                nextID += 1
            }
            try write(encoder.seal(with: compressor), encoder.summary, sealed: false, db)
            tailCache.withLock { $0 = whole }
            return 0
        }
        // Sealing: the tail's records, then the batch's, cut into blocks. The tail comes from
        // the cache when it can, else its blocks are decoded.
        var items: [TraceGroups.Item] = cached ?? []
        items.reserveCapacity(tailCount + records.count)
        if (tail["n"] as Int) > 0 {
            for row in try Row.fetchAll(db, sql: "SELECT id, segment, offset, stored_bytes, CASE WHEN \(cached == nil) THEN data END AS data FROM blocks WHERE sealed = 0 ORDER BY id") {
                let place = BlockPlace(row)
                if cached == nil, let block = try readBlock(place, db) {
                    for i in block.rows(ascending: true) { items.append((block.ids[i], block.ingested[i], block.record(i))) }
                }
                try catalog.remove(place.id, db)
            }
        }
        for r in records {
            items.append((nextID, ingested, r))
            nextID += 1
        }
        var cuts: [Range<Int>] = []
        var start = 0, count = 0, bytes = 0
        for (i, item) in items.enumerated() {
            bytes += item.record.raw.utf8.count
            count += 1
            if count >= options.blockRecords || bytes >= options.blockBytes {
                cuts.append(start..<(i + 1))
                start = i + 1
                bytes = 0
                count = 0
            }
        }
        // Sealed blocks are grouped by trace, their groups encoded and compressed on every
        // core; written in order, then what is left as the new tail.
        for block in TraceGroups.seal(items, cuts, groupRecords: options.groupRecords, compressor: compressor) {
            try write(block.bytes, block.summary, sealed: true, db)
        }
        let rest = Array(items[start...])
        if !rest.isEmpty {
            var encoder = LogBlockEncoder()
            for item in rest { encoder.append(id: item.id, ingested: item.ingested, item.record) }
            try write(encoder.seal(with: compressor), encoder.summary, sealed: false, db)
        }
        tailCache.withLock { $0 = rest.isEmpty ? nil : rest }
        return cuts.count
    }

    /// Writes one block: a sealed block's bytes to the current segment file first, then its
    /// catalog and trace-index entries (a tail block's bytes go in its catalog row).
    func write(_ bytes: [UInt8], _ summary: BlockSummary, sealed: Bool, _ db: Database) throws {
        var place: (segment: Int64, offset: Int64)?
        if sealed && !options.sealedInDatabase {
            do {
                place = try segments.append(bytes)
            } catch {
                throw BlockWriteFailed(error: error)
            }
        }
        try catalog.add(bytes, summary, sealed: sealed, place: place, db)
    }

    // MARK: Reading

    /// Reads and checks a block; `nil` when it is damaged (reported once, in the log and in
    /// `/v1/stats`, and skipped from then on) or gone (deleted by retention after the query's
    /// snapshot was taken).
    func readBlock(_ place: BlockPlace, _ db: Database) throws -> LogBlock? {
        try reading.read(place, db)
    }
}

/// A block could not be written to its segment file.
struct BlockWriteFailed: Error {
    var error: SegmentFiles.IOError
}
