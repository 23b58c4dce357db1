import Foundation
import GRDB
import Logging
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The correlation store: log records and spans in compressed blocks, their catalogs and tail
/// checkpoints in one SQLite database (WAL), sealed blocks in segment files beside it.
///
/// It is the one owner of the database: it opens the pool (one writer, a few readers), takes
/// each read or write turn, and hands that turn's `Database` to the part that knows the tables:
/// ``LogBlockStore`` (blocks and their segment files), ``TraceCatalog`` (the catalog of blocks
/// and the trace index), ``SpanStore`` (span blocks, their catalog and trace index), ``TailCheckpoints``, ``LogSearch`` (reading
/// lines back), ``ExportCursors``, ``Retention`` and ``IndexConversion``. A write that spans
/// parts (a batch's blocks and its files' offsets) is one transaction taken here, so no part
/// opens a connection or a transaction of its own, and the order of writes inside a
/// transaction is written down in one place (``commit(_:)``).
///
/// IDs are unsigned 64-bit values; SQLite integers are signed, so each is stored as the
/// `Int64` with the same bit pattern and converted back on read — exact, with no rounding.
/// A trace ID is two columns: `trace_hi` (NULL when unknown) and `trace_lo`.
public final class CorrelationStore: TailSink, SpanSink, LogRecordSink, TraceReader {
    let pool: DatabasePool
    public let path: String
    let options: Options
    /// Blocks of log records: segment files, sealing, reading back, the block caches.
    let blocks: LogBlockStore
    /// The catalog of blocks and the trace index.
    let catalog: TraceCatalog
    /// The spans' blocks: sealing, reading back, the block cache, the readers.
    let spans: SpanStore
    let checkpoints = TailCheckpoints()
    /// Reads lines back through the catalog and the blocks.
    let search: LogSearch
    let exports: ExportCursors
    let retention: Retention
    /// Whether writes are succeeding; a failed ingest write pauses ingest until one succeeds.
    public let health = IngestHealth()
    /// Blocks found damaged since the daemon started.
    public var damage: DamagedBlocks { blocks.damage }
    let logger: Logger

    /// How blocks are made and kept.
    public struct Options: Sendable {
        /// A block is sealed once it holds this many records…
        public var blockRecords = 4096
        /// …or this many bytes of raw lines.
        public var blockBytes = 512 * 1024
        /// A sealed block's lines are grouped by trace in groups of about this many
        /// (``TraceGroups``): a trace lookup decompresses its group, not the block. 0: not
        /// grouped (the benchmark's reference).
        public var groupRecords = 256
        /// A block of spans is sealed once it holds this many spans (or about 2 MiB of them).
        public var spanBlockSpans = 1024
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

    /// Records one search reads at most (see ``LogSearch``).
    public static let maxRecordsPerSearch = LogSearch.maxRecordsPerSearch

    /// Opens (creating if needed) the store whose database is `path` and brings its schema up
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
        let segments = try SegmentFiles(
            directory: (directory.isEmpty ? "." : directory) + "/blocks",
            segmentBytes: options.segmentBytes ?? max(1 << 20, min(64 << 20, options.maxBytes / 32)))
        // The parts are built from locals: each is handed the ones it works with.
        let catalog = TraceCatalog()
        let blocks = LogBlockStore(segments: segments, options: options, catalog: catalog, logger: logger)
        let exports = ExportCursors()
        let spans = SpanStore(segments: segments, options: options, damage: blocks.damage, logger: logger)
        self.spans = spans
        self.catalog = catalog
        self.blocks = blocks
        self.exports = exports
        search = LogSearch(blocks: blocks, catalog: catalog, spans: spans)
        retention = Retention(catalog: catalog, exports: exports, logger: logger)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        try cutUncommittedSegmentBytes()
        try IndexConversion(blocks: blocks, path: path, logger: logger).run(pool)
        try SpanConversion(spans: spans, path: path, logger: logger).run(pool)
    }

    /// After a crash, a segment may end with a block its transaction never recorded: cut it
    /// off, and remove segment files the catalog does not name.
    private func cutUncommittedSegmentBytes() throws {
        let ends = try pool.read { db in try self.catalog.segmentEnds(db) }
        blocks.cutUncommittedBytes(ends)
    }

    // MARK: TailSink

    public func loadCheckpoints() async throws -> [FileCheckpoint] {
        try await pool.read { db in try self.checkpoints.load(db) }
    }

    /// Stores the batch's records and its files' offsets in one transaction: the records
    /// first, then the offsets, so that a crash at any instant neither loses nor repeats a line.
    public func commit(_ batch: TailBatch) async throws {
        guard !batch.records.isEmpty || !batch.checkpoints.isEmpty else { return }
        let now = Timestamps.now()
        let sealed = try await ingestWrite { db in
            let sealed = try self.blocks.store(batch.records, ingested: now, db)
            try self.checkpoints.save(batch.checkpoints, updated: now, db)
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

    // MARK: SpanSink

    /// Stores every span or none. A span seen again (a tracer's retry) replaces the first copy;
    /// a known high half is never forgotten.
    public func insert(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        // Encoded here, on the caller's thread; stamped and written in the writer's turn.
        let prepared = self.spans.prepare(spans)
        try await ingestWrite { db in
            try self.spans.insert(prepared, db)
        }
    }

    // MARK: Ingest transactions

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
                let mark = self.blocks.segments.mark()
                do {
                    var value: T?
                    try db.inTransaction {
                        value = try body(db)
                        return .commit
                    }
                    return value!
                } catch {
                    self.blocks.segments.rewind(to: mark)
                    self.spans.forgetUncommitted()
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
}
