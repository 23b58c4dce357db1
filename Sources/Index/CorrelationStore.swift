import Foundation
import GRDB
import Logging
import TraceContext
import TracejoinModel

/// The correlation index: log records in compressed blocks, spans and tail checkpoints in one
/// SQLite database (WAL), sealed blocks in segment files beside it.
///
/// IDs are unsigned 64-bit values; SQLite integers are signed, so each is stored as the
/// `Int64` with the same bit pattern and converted back on read — exact, with no rounding.
/// A trace ID is two columns: `trace_hi` (NULL when unknown) and `trace_lo`.
public final class Index: TailSink, SpanSink, LogRecordSink, TraceReader {
    let pool: DatabasePool
    public let path: String
    let options: Options
    let segments: SegmentFiles
    let compressor = ZstdCompressor(level: 1)
    /// Whether writes are succeeding; a failed ingest write pauses ingest until one succeeds.
    public let health = IngestHealth()
    /// Blocks found damaged since the daemon started.
    public let damage = DamagedBlocks()
    /// What retention deleted since the index was opened.
    let deleted = Locked(Pruned())
    /// Recently read blocks, decoded (blocks never change once written).
    let cache = BlockCache(capacity: 32)
    /// The tail blocks' records, still encoded, so that sealing them does not decode and encode
    /// them again. Only a hint: it is used when its first and last ids and its count are the
    /// tail's in the database (a write that failed, a restart or retention make it stale, and
    /// then the tail is decoded as before).
    let tailCache = Locked<LogBlockEncoder?>(nil)
    /// The last `received_ns` given to spans (0: not read from the database yet).
    let lastSpanStamp = Locked<Int64>(0)
    let logger: Logger

    /// How blocks are made and kept.
    public struct Options: Sendable {
        /// A block is sealed once it holds this many records…
        public var blockRecords = 4096
        /// …or this many bytes of raw lines.
        public var blockBytes = 512 * 1024
        /// Where sealed blocks go: segment files (the default), or the database itself (kept
        /// for the benchmark that compares the two).
        public var sealedInDatabase = false
        /// The bound on everything under the state directory (`retention.max_bytes`): segment
        /// files and the write-ahead log are sized from it, and it is enforced as blocks are written.
        public var maxBytes: Int64 = 10 << 30
        /// A new segment file is started once the current one holds this many bytes; `nil`:
        /// a 32nd of `maxBytes`, between 1 and 64 MiB, so retention frees space in small steps.
        public var segmentBytes: Int64?
        public init() {}
    }

    /// Page size of a new database file, and the page caches: the writer's holds the pages
    /// ingest touches; each reader's (up to five) what one query needs.
    package static let pageSize = 16384
    package static let writerCacheKiB = 65536
    package static let readerCacheKiB = 8192
    /// The write-ahead log is copied into the file after this many pages (16 MiB) at most, and
    /// cut back to that size: log lines reach it only as small tail blocks, and it counts
    /// against `max_bytes`. A small `max_bytes` gets less.
    package static let checkpointPages = 1000

    /// Opens (creating if needed) the index whose database is `path` and brings its schema up
    /// to date; an index of rows (schema v8) is converted into blocks first.
    public init(path: String, options: Options = Options(), logger: Logger = Logger(label: "tracejoin.index")) throws {
        var configuration = Configuration()
        configuration.label = "tracejoin.index"
        let checkpointPages = Int(max(64, min(Int64(Self.checkpointPages), options.maxBytes / 16 / Int64(Self.pageSize))))
        configuration.prepareDatabase { db in
            // WAL (set by DatabasePool) with NORMAL sync: a commit survives a process crash;
            // only a power loss may lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -\(Self.readerCacheKiB)")
            } else {
                // A new file: freed pages go back to the file system (`incremental_vacuum`
                // after retention), and 16 KiB pages (docs/benchmarks.md). An existing file
                // keeps what it was made with until the conversion's VACUUM.
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
                // The log is cut back to this size after each checkpoint, so it counts
                // against max_bytes only by what is in flight.
                try db.execute(sql: "PRAGMA journal_size_limit = \(checkpointPages * Self.pageSize)")
            }
        }
        self.path = path
        self.options = options
        self.logger = logger
        let directory = (path as NSString).deletingLastPathComponent
        segments = try SegmentFiles(
            directory: (directory.isEmpty ? "." : directory) + "/blocks",
            segmentBytes: options.segmentBytes ?? max(1 << 20, min(64 << 20, options.maxBytes / 32)))
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        try cutUncommittedSegmentBytes()
        try convertRowsToBlocks()
    }

    /// After a crash, a segment may end with a block its transaction never recorded: cut it
    /// off, and remove segment files the catalog does not name.
    private func cutUncommittedSegmentBytes() throws {
        let ends = try pool.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT segment, max(offset + stored_bytes) AS end FROM blocks WHERE segment IS NOT NULL GROUP BY segment
                """).map { ($0["segment"] as Int64, $0["end"] as Int64) })
        }
        for segment in segments.list() {
            segments.truncate(segment, to: ends[segment] ?? 0)
        }
        segments.resume(after: ends.keys.max() ?? 0)
    }

    // MARK: TailSink

    public func loadCheckpoints() async throws -> [FileCheckpoint] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM file_checkpoints").map { row in
                FileCheckpoint(
                    path: row["path"], device: UInt64(bitPattern: row["device"]), inode: UInt64(bitPattern: row["inode"]),
                    offset: row["offset"], fingerprint: UInt64(bitPattern: row["fingerprint"]), fingerprintLength: row["fingerprint_len"])
            }
        }
    }

    /// Stores the batch's records and its files' offsets in one transaction.
    public func commit(_ batch: TailBatch) async throws {
        guard !batch.records.isEmpty || !batch.checkpoints.isEmpty else { return }
        let now = Timestamps.now()
        let sealed = try await ingestWrite { db in
            let sealed = try self.store(batch.records, ingested: now, db)
            let checkpoint = try RawStatement(db, """
                INSERT INTO file_checkpoints (device, inode, path, offset, fingerprint, fingerprint_len, updated_ns)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(device, inode) DO UPDATE SET path = excluded.path, offset = excluded.offset,
                    fingerprint = excluded.fingerprint, fingerprint_len = excluded.fingerprint_len, updated_ns = excluded.updated_ns
                """)
            for c in batch.checkpoints {
                checkpoint.bind(1, c.device)
                checkpoint.bind(2, c.inode)
                checkpoint.bind(3, c.path)
                checkpoint.bind(4, Int64(c.offset))
                checkpoint.bind(5, c.fingerprint)
                checkpoint.bind(6, Int64(c.fingerprintLength))
                checkpoint.bind(7, now)
                try checkpoint.run()
            }
            return sealed
        }
        // max_bytes is kept as blocks are written, not only by the retention timer.
        if sealed > 0 { try await keepWithinMaxBytes() }
    }

    // MARK: LogRecordSink

    /// Stores records that arrived over the network (OTLP logs) as a tailed batch without
    /// checkpoints: one transaction, the same blocks.
    public func append(_ records: [LogRecord]) async throws {
        try await commit(TailBatch(records: records))
    }

    /// Stores `records` in blocks; returns how many blocks were sealed.
    ///
    /// Records first go into a small *tail* block, one a transaction, kept in the database and
    /// queryable at once. When the tail blocks and the new records together reach a block's
    /// size, they are sealed into full blocks (the tail blocks decoded and written again, once)
    /// and what is left over becomes the new tail. A large batch is sealed straight away.
    func store(_ records: [LogRecord], ingested: Int64, _ db: Database) throws -> Int {
        guard !records.isEmpty else { return 0 }
        var nextID = (try Int64.fetchOne(db, sql: "SELECT max(last_id) FROM blocks") ?? 0) + 1
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
                try deleteBlock(place.id, db)
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

    /// Writes one block and its catalog and trace-index entries.
    func write(_ bytes: [UInt8], _ summary: BlockSummary, sealed: Bool, _ db: Database) throws {
        var place: (segment: Int64, offset: Int64)?
        if sealed && !options.sealedInDatabase {
            do {
                place = try segments.append(bytes)
            } catch {
                throw BlockWriteFailed(error: error)
            }
        }
        let insert = try RawStatement(db, """
            INSERT INTO blocks (first_id, last_id, records, min_ingested, max_ingested, levels, sources, rules, raw_bytes,
                stored_bytes, sealed, segment, offset, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, summary.firstID)
        insert.bind(2, summary.lastID)
        insert.bind(3, Int64(summary.count))
        insert.bind(4, summary.minIngested)
        insert.bind(5, summary.maxIngested)
        insert.bind(6, summary.levels)
        insert.bind(7, summary.sources)
        insert.bind(8, summary.rules)
        insert.bind(9, Int64(summary.rawBytes))
        insert.bind(10, Int64(bytes.count))
        insert.bind(11, Int64(sealed ? 1 : 0))
        insert.bind(12, place?.segment)
        insert.bind(13, place?.offset)
        if place == nil { insert.bind(14, blob: bytes) } else { insert.bind(14, nil as Int64?) }
        try insert.run()
        let block = db.lastInsertedRowID
        let traces = try RawStatement(db, "INSERT INTO block_traces (trace_lo, block, lines) VALUES (?, ?, ?)")
        for (low, lines) in summary.traces {
            traces.bind(1, low)
            traces.bind(2, block)
            traces.bind(3, Int64(lines))
            try traces.run()
        }
    }

    /// Removes a block from the catalog and the trace index (its segment bytes stay until the
    /// whole segment goes).
    func deleteBlock(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM block_traces WHERE block = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM blocks WHERE id = ?", arguments: [id])
    }

    // MARK: SpanSink

    /// Stores every span or none. A span seen again (a tracer's retry) replaces the first copy;
    /// a known high half is never forgotten.
    public func insert(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        try await ingestWrite { db in
            // Taken in the writer's turn: a later commit always has a later time, so an
            // exporter that has read up to a time has seen every span stored before it.
            let now = try self.spanStamp(db)
            let insert = try RawStatement(db, """
                INSERT INTO spans (trace_hi, trace_lo, span_id, parent_id, service, name, resource, type,
                    start_ns, duration_ns, error, meta, metrics, protocol, received_ns, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(trace_lo, span_id) DO UPDATE SET
                    trace_hi = COALESCE(excluded.trace_hi, trace_hi), parent_id = excluded.parent_id,
                    service = excluded.service, name = excluded.name, resource = excluded.resource,
                    type = excluded.type, start_ns = excluded.start_ns, duration_ns = excluded.duration_ns,
                    error = excluded.error, meta = excluded.meta, metrics = excluded.metrics, protocol = excluded.protocol,
                    received_ns = excluded.received_ns, details = excluded.details
                """)
            var json: [UInt8] = []
            json.reserveCapacity(1024)
            for s in spans {
                insert.bind(1, s.traceID.high)
                insert.bind(2, s.traceID.low)
                insert.bind(3, s.spanID.value)
                insert.bind(4, s.parentID?.value)
                insert.bind(5, s.service)
                insert.bind(6, s.name)
                insert.bind(7, s.resource)
                insert.bind(8, s.type)
                insert.bind(9, s.start)
                insert.bind(10, s.duration)
                insert.bind(11, Int64(s.error ? 1 : 0))
                StoredJSON.meta(s.meta, into: &json)
                insert.bind(12, textOrNull: json)
                StoredJSON.metrics(s.metrics, into: &json)
                insert.bind(13, textOrNull: json)
                insert.bind(14, s.protocolName)
                insert.bind(15, now)
                StoredJSON.details(s.details, into: &json)
                insert.bind(16, textOrNull: json)
                try insert.run()
            }
        }
    }

    /// One ingest transaction. When it fails, nothing of it is stored (SQLite rolls it back,
    /// and the segment bytes it wrote are cut off), ingest is marked paused with the reason,
    /// and ``IngestPaused`` tells the writer to keep its data and try again; the first write
    /// that succeeds ends the pause.
    @discardableResult
    func ingestWrite<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        let result: T
        do {
            result = try await pool.writeWithoutTransaction { db in
                // The mark is taken and used inside the writer's turn, so no other write
                // can append between them.
                let mark = self.segments.mark()
                do {
                    var value: T?
                    try db.inTransaction {
                        value = try body(db)
                        return .commit
                    }
                    return value!
                } catch {
                    self.segments.rewind(to: mark)
                    throw error
                }
            }
        } catch let error as DatabaseError {
            throw paused(error.resultCode == .SQLITE_FULL
                ? "disk full: the index at \(path) cannot grow (\(error.message ?? "database or disk is full"))"
                : "index write failed: \(error.resultCode) \(error.message ?? "")")
        } catch let error as BlockWriteFailed {
            throw paused(error.error.isDiskFull
                ? "disk full: cannot write a block (\(error.error))"
                : "block write failed: \(error.error)")
        }
        if let ended = health.succeeded() {
            logger.notice("ingest resumed: the index takes writes again", metadata: ["paused_since": "\(ended.since ?? "?")"])
        }
        return result
    }

    private func paused(_ reason: String) -> IngestPaused {
        if health.failed(reason) {
            logger.error("ingest paused: nothing more is read or accepted until the index can be written",
                         metadata: ["reason": "\(reason)"])
        }
        return IngestPaused(reason: reason)
    }

    // MARK: TraceReader

    public func trace(_ id: TraceID, logLimit: Int) async throws -> StoredTrace {
        try await pool.read { db in
            // The 64/128-bit rule (TraceID.matches) as SQL: equal low halves, and equal high
            // halves where both are known.
            let spans = try RawStatement(db, """
                SELECT \(Self.spanColumns) FROM spans WHERE trace_lo = ?1 AND (?2 IS NULL OR trace_hi IS NULL OR trace_hi = ?2)
                ORDER BY start_ns, id
                """)
            spans.bind(1, id.low)
            spans.bind(2, id.high)
            var spanRecords: [SpanRecord] = []
            while try spans.next() { spanRecords.append(Self.span(spans)) }
            // Lines: the trace's blocks, oldest first, until the limit; the total from the
            // trace index, so a huge trace is counted without being read.
            var logs: [LogRecord] = []
            var total = 0
            for place in try self.blocksOfTrace(id.low, descending: false, db) {
                // A damaged block's lines cannot be shown by any limit: they are not counted
                // as left out (the damage is reported in /v1/stats).
                if self.damage.contains(place.id) { continue }
                guard logs.count < logLimit else {
                    total += place.lines
                    continue
                }
                guard let block = try self.readBlock(place, db) else { continue }
                total += place.lines
                for i in 0..<block.count where Self.matches(block, i, id) {
                    guard logs.count < logLimit else { break }
                    logs.append(block.record(i))
                }
            }
            var stored = StoredTrace(spans: spanRecords, logs: logs)
            stored.logsOmitted = max(0, total - logs.count)
            return stored
        }
    }

    /// Whether record `i` of `block` belongs to the trace `id` (TraceID.matches).
    static func matches(_ block: LogBlock, _ i: Int, _ id: TraceID) -> Bool {
        guard block.traceLow[i] == id.low else { return false }
        guard let high = id.high, let other = block.traceHigh[i] else { return true }
        return high == other
    }

    // MARK: Rows

    /// The columns ``span(_:)`` reads, in its order.
    static let spanColumns = """
        spans.trace_hi, spans.trace_lo, spans.span_id, spans.parent_id, spans.service, spans.name, spans.resource, spans.type,
        spans.start_ns, spans.duration_ns, spans.error, spans.meta, spans.metrics, spans.protocol, spans.details
        """

    static func span(_ row: borrowing RawStatement) -> SpanRecord {
        var span = SpanRecord(
            traceID: TraceID(high: row.uint64OrNil(0), low: row.uint64(1)),
            spanID: SpanID(row.uint64(2)), parentID: row.uint64OrNil(3).map(SpanID.init),
            service: row.string(4), name: row.string(5), resource: row.string(6), type: row.string(7),
            start: row.int64(8), duration: row.int64(9), error: row.int64(10) != 0,
            meta: row.withBytes(11) { $0.map(StoredJSON.decodeMeta) } ?? [:],
            metrics: row.withBytes(12) { $0.map(StoredJSON.decodeMetrics) } ?? [:],
            protocolName: row.string(13))
        span.details = row.withBytes(14) { $0.map(StoredJSON.decodeDetails) } ?? SpanDetails()
        return span
    }
}

/// A block could not be written to its segment file.
struct BlockWriteFailed: Error {
    var error: SegmentFiles.IOError
}

