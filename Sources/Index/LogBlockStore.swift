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
    /// The tail blocks' records, still encoded, so that sealing them does not decode and encode
    /// them again. Only a hint: it is used when its first and last ids and its count are the
    /// tail's in the database (a write that failed, a restart or retention make it stale, and
    /// then the tail is decoded as before).
    let tailCache = Locked<LogBlockEncoder?>(nil)
    let logger: Logger

    init(segments: SegmentFiles, options: CorrelationStore.Options, catalog: TraceCatalog, logger: Logger) {
        self.segments = segments
        self.options = options
        self.catalog = catalog
        self.logger = logger
        reading = BlockReading(segments: segments, damage: damage, kind: .lines, table: "blocks", cache: BlockCache(capacity: 32),
                               decode: { bytes throws(BlockCorruption) in try LogBlock(bytes: bytes) }, logger: logger)
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
    /// size, they are sealed into full blocks (the tail blocks decoded and written again, once)
    /// and what is left over becomes the new tail. A large batch is sealed straight away.
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
        // The tail's records, still encoded, when the cache holds exactly them (see `tailCache`).
        let cached: LogBlockEncoder? = tailCache.withLock { $0 }.flatMap { encoder in
            tailCount > 0 && encoder.count == tailCount && encoder.summary.firstID == tail["first"] && encoder.summary.lastID == tail["last"]
                ? encoder : nil
        }
        let batchBytes = records.reduce(0) { $0 + $1.raw.utf8.count }
        if tailCount + records.count < options.blockRecords && tailBytes + batchBytes < options.blockBytes {
            var encoder = LogBlockEncoder()
            var whole = tailCount == 0 ? LogBlockEncoder() : cached
            for r in records {
                encoder.append(id: nextID, ingested: ingested, r)
                whole?.append(id: nextID, ingested: ingested, r)
                nextID += 1
            }
            try write(encoder.seal(with: compressor), encoder.summary, sealed: false, db)
            tailCache.withLock { $0 = whole }
            return 0
        }
        // Sealing: the tail's records, then the batch's, cut into blocks. The tail comes from
        // the cache when it can, else its blocks are decoded and encoded again.
        var items: [(id: Int64, ingested: Int64, record: LogRecord)] = []
        items.reserveCapacity(records.count + (cached == nil ? tailCount : 0))
        if (tail["n"] as Int) > 0 {
            for row in try Row.fetchAll(db, sql: "SELECT id, segment, offset, stored_bytes, CASE WHEN \(cached == nil) THEN data END AS data FROM blocks WHERE sealed = 0 ORDER BY id") {
                let place = BlockPlace(row)
                if cached == nil, let block = try readBlock(place, db) {
                    for i in 0..<block.count { items.append((block.ids[i], block.ingested[i], block.record(i))) }
                }
                try catalog.remove(place.id, db)
            }
        }
        for r in records {
            items.append((nextID, ingested, r))
            nextID += 1
        }
        var cuts: [Range<Int>] = []
        var start = 0, count = cached?.count ?? 0, bytes = cached?.summary.rawBytes ?? 0
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
        let rest = start..<items.count
        // Blocks are encoded and compressed on every core; written in order.
        let encoded = Self.encode(items, cuts + (rest.isEmpty ? [] : [rest]), first: cached, compressor: compressor)
        for (i, block) in encoded.enumerated() {
            try write(block.bytes, block.encoder.summary, sealed: i < cuts.count, db)
        }
        tailCache.withLock { $0 = encoded.count > cuts.count ? encoded.last?.encoder : nil }
        return cuts.count
    }

    /// Encodes each range of `items` as a block (the first continuing `first`, the tail's
    /// records already encoded), on as many threads as there are cores.
    static func encode(_ items: [(id: Int64, ingested: Int64, record: LogRecord)], _ ranges: [Range<Int>], first: LogBlockEncoder?,
                       compressor: ZstdCompressor) -> [(bytes: [UInt8], encoder: LogBlockEncoder)] {
        let done = Locked<[Int: (bytes: [UInt8], encoder: LogBlockEncoder)]>([:])
        DispatchQueue.concurrentPerform(iterations: ranges.count) { n in
            var encoder = n == 0 ? first ?? LogBlockEncoder() : LogBlockEncoder()
            for item in items[ranges[n]] { encoder.append(id: item.id, ingested: item.ingested, item.record) }
            let block = (encoder.seal(with: compressor), encoder)
            done.withLock { $0[n] = block }
        }
        return done.withLock { blocks in ranges.indices.map { blocks[$0]! } }
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
