import Foundation
import GRDB
import Logging
import TraceContext
import TracejoinModel

/// The correlation index: spans, log records and tail checkpoints in one SQLite database (WAL).
///
/// IDs are unsigned 64-bit values; SQLite integers are signed, so each is stored as the
/// `Int64` with the same bit pattern and converted back on read — exact, with no rounding.
/// A trace ID is two columns: `trace_hi` (NULL when unknown) and `trace_lo`.
public final class Index: TailSink, SpanSink, TraceReader {
    let pool: DatabasePool
    public let path: String
    /// Whether writes are succeeding; a failed ingest write pauses ingest until one succeeds.
    public let health = IngestHealth()
    let logger = Logger(label: "tracejoin.index")

    /// Page size of a new database file, and the page caches: the writer's holds the pages
    /// ingest touches; each reader's (up to five) what one query needs.
    package static let pageSize = 16384
    package static let writerCacheKiB = 65536
    package static let readerCacheKiB = 8192
    /// The write-ahead log is copied into the file after this many pages (64 MiB): pages
    /// rewritten by successive batches are copied once.
    package static let checkpointPages = 4000

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "tracejoin.index"
        configuration.prepareDatabase { db in
            // WAL (set by DatabasePool) with NORMAL sync: a commit survives a process crash;
            // only a power loss may lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -\(Self.readerCacheKiB)")
            } else {
                // 16 KiB pages for a new file (an existing one keeps its size): measured 20%
                // faster ingest than 4 KiB with the same rows (docs/benchmarks.md).
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
            }
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
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
        try await ingestWrite { db in
            let insert = try RawStatement(db, """
                INSERT INTO logs (trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns, pos, id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var places = try Placement.make(db)
            var fields: [UInt8] = []
            fields.reserveCapacity(1024)
            for r in batch.records {
                let (pos, id) = try places.place(r.traceID?.low)
                insert.bind(14, pos)
                insert.bind(15, id)
                insert.bind(1, r.traceID?.high)
                insert.bind(2, r.traceID?.low)
                insert.bind(3, r.spanID?.value)
                insert.bind(4, r.time)
                insert.bind(5, r.level)
                insert.bind(6, r.message)
                insert.bind(7, r.file)
                insert.bind(8, r.source)
                insert.bind(9, r.rule)
                insert.bind(10, r.raw)
                StoredJSON.fields(r.fields, into: &fields)
                insert.bind(11, textOrNull: fields)
                insert.bind(12, r.idError)
                insert.bind(13, now)
                try insert.run()
            }
            try places.save()
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
        }
    }

    /// Where each line of one write transaction goes (migration v7): its arrival number, and
    /// its position, after the last line of its trace's current segment. Segments are found in
    /// `trace_segments`, remembered for the transaction and written back by ``save()``;
    /// nothing outlives the transaction, so a rolled-back batch leaves nothing behind.
    struct Placement: ~Copyable {
        static let segmentBits: Int64 = 20
        let find: RawStatement
        let upsert: RawStatement
        var segments: [UInt64: (ord: Int64, lines: Int64)] = [:]
        var nextOrd: Int64
        var nextID: Int64

        static func make(_ db: Database) throws -> Placement {
            Placement(
                find: try RawStatement(db, "SELECT ord, lines FROM trace_segments WHERE trace_lo = ? ORDER BY ord DESC LIMIT 1"),
                upsert: try RawStatement(db, """
                    INSERT INTO trace_segments (trace_lo, ord, lines) VALUES (?, ?, ?)
                    ON CONFLICT (trace_lo, ord) DO UPDATE SET lines = excluded.lines
                    """),
                nextOrd: (try Int64.fetchOne(db, sql: "SELECT max(ord) FROM trace_segments") ?? 0) + 1,
                nextID: (try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") ?? 0) + 1)
        }

        /// The next line's position and id; `low` is its trace ID's low half, `nil` without one.
        mutating func place(_ low: UInt64?) throws -> (pos: Int64, id: Int64) {
            let id = nextID
            nextID += 1
            guard let low else { return (-id, id) }
            var segment: (ord: Int64, lines: Int64)
            if let known = segments[low] {
                segment = known
            } else {
                find.bind(1, low)
                if try find.next() {
                    segment = (find.int64(0), find.int64(1))
                } else {
                    segment = (nextOrd, 0)
                    nextOrd += 1
                }
                find.reset()
            }
            if segment.lines == 1 << Self.segmentBits {
                // Full: the trace goes on in a new segment (one trace with over a million lines).
                try save(low, segment)
                segment = (nextOrd, 0)
                nextOrd += 1
            }
            let pos = segment.ord << Self.segmentBits | segment.lines
            segment.lines += 1
            segments[low] = segment
            return (pos, id)
        }

        /// Writes back every segment this transaction touched.
        func save() throws {
            for (low, segment) in segments { try save(low, segment) }
        }

        private func save(_ low: UInt64, _ segment: (ord: Int64, lines: Int64)) throws {
            upsert.bind(1, low)
            upsert.bind(2, segment.ord)
            upsert.bind(3, segment.lines)
            try upsert.run()
        }
    }

    // MARK: SpanSink

    /// Stores every span or none. A span seen again (a tracer's retry) replaces the first copy;
    /// a known high half is never forgotten.
    public func insert(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        let now = Timestamps.now()
        try await ingestWrite { db in
            let insert = try RawStatement(db, """
                INSERT INTO spans (trace_hi, trace_lo, span_id, parent_id, service, name, resource, type,
                    start_ns, duration_ns, error, meta, metrics, protocol, received_ns)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(trace_lo, span_id) DO UPDATE SET
                    trace_hi = COALESCE(excluded.trace_hi, trace_hi), parent_id = excluded.parent_id,
                    service = excluded.service, name = excluded.name, resource = excluded.resource,
                    type = excluded.type, start_ns = excluded.start_ns, duration_ns = excluded.duration_ns,
                    error = excluded.error, meta = excluded.meta, metrics = excluded.metrics, protocol = excluded.protocol,
                    received_ns = excluded.received_ns
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
                try insert.run()
            }
        }
    }

    /// One ingest transaction. When it fails, nothing of it is stored (SQLite rolls it back),
    /// ingest is marked paused with the reason, and ``IngestPaused`` tells the writer to keep
    /// its data and try again; the first write that succeeds ends the pause.
    func ingestWrite(_ body: @Sendable @escaping (Database) throws -> Void) async throws {
        do {
            try await pool.write(body)
        } catch let error as DatabaseError {
            let reason = error.resultCode == .SQLITE_FULL
                ? "disk full: the index at \(path) cannot grow (\(error.message ?? "database or disk is full"))"
                : "index write failed: \(error.resultCode) \(error.message ?? "")"
            if health.failed(reason) {
                logger.error("ingest paused: nothing more is read or accepted until the index can be written",
                             metadata: ["reason": "\(reason)"])
            }
            throw IngestPaused(reason: reason)
        }
        if let ended = health.succeeded() {
            logger.notice("ingest resumed: the index takes writes again", metadata: ["paused_since": "\(ended.since ?? "?")"])
        }
    }

    // MARK: TraceReader

    public func trace(_ id: TraceID) async throws -> StoredTrace {
        let high = id.high.map { Int64(bitPattern: $0) }
        let low = Int64(bitPattern: id.low)
        return try await pool.read { db in
            // The 64/128-bit rule (TraceID.matches) as SQL: equal low halves, and equal high
            // halves where both are known. Spans are indexed by the low half, log lines by
            // their trace's ordinal (found from the low half): both are lookups.
            let spans = try RawStatement(db, """
                SELECT \(Self.spanColumns) FROM spans WHERE trace_lo = ?1 AND (?2 IS NULL OR trace_hi IS NULL OR trace_hi = ?2)
                ORDER BY start_ns, id
                """)
            spans.bind(1, low)
            spans.bind(2, high)
            var spanRecords: [SpanRecord] = []
            while try spans.next() { spanRecords.append(Self.span(spans)) }
            let logs = try RawStatement(db, """
                SELECT \(Self.logColumns) FROM \(Self.traceLines) WHERE \(Self.linesOfTrace("?1", "?2"))
                ORDER BY logs.id
                """)
            logs.bind(1, low)
            logs.bind(2, high)
            var logRecords: [LogRecord] = []
            while try logs.next() { logRecords.append(Self.log(logs)) }
            return StoredTrace(spans: spanRecords, logs: logRecords)
        }
    }

    /// A trace's lines: its segments joined to the rows in their position ranges (each one
    /// range of the table's key). Use with ``linesOfTrace(_:_:)``.
    static let traceLines = "trace_segments k JOIN logs ON logs.pos BETWEEN k.ord << 20 AND (k.ord << 20) | 1048575"

    /// The condition, with ``traceLines``, for the lines of the trace whose halves are `low` and
    /// `high` (parameters), by the 64/128-bit rule.
    static func linesOfTrace(_ low: String, _ high: String) -> String {
        "k.trace_lo = \(low) AND logs.trace_lo = \(low) AND (\(high) IS NULL OR logs.trace_hi IS NULL OR logs.trace_hi = \(high))"
    }

    // MARK: Rows

    /// The columns ``span(_:)`` reads, in its order.
    static let spanColumns = """
        spans.trace_hi, spans.trace_lo, spans.span_id, spans.parent_id, spans.service, spans.name, spans.resource, spans.type,
        spans.start_ns, spans.duration_ns, spans.error, spans.meta, spans.metrics, spans.protocol
        """

    static func span(_ row: borrowing RawStatement) -> SpanRecord {
        SpanRecord(
            traceID: TraceID(high: row.uint64OrNil(0), low: row.uint64(1)),
            spanID: SpanID(row.uint64(2)), parentID: row.uint64OrNil(3).map(SpanID.init),
            service: row.string(4), name: row.string(5), resource: row.string(6), type: row.string(7),
            start: row.int64(8), duration: row.int64(9), error: row.int64(10) != 0,
            meta: row.withBytes(11) { $0.map(StoredJSON.decodeMeta) } ?? [:],
            metrics: row.withBytes(12) { $0.map(StoredJSON.decodeMetrics) } ?? [:],
            protocolName: row.string(13))
    }

    /// The columns ``log(_:)`` reads, in its order, then the row's id and ingest time.
    static let logColumns = """
        logs.trace_hi, logs.trace_lo, logs.span_id, logs.time, logs.level, logs.message, logs.file, logs.source, logs.rule,
        logs.raw, logs.fields, logs.id_error, logs.id, logs.ingested_ns
        """
    static let logIDColumn: Int32 = 12
    static let logIngestedColumn: Int32 = 13

    static func log(_ row: borrowing RawStatement) -> LogRecord {
        LogRecord(
            traceID: row.uint64OrNil(1).map { TraceID(high: row.uint64OrNil(0), low: $0) },
            spanID: row.uint64OrNil(2).map(SpanID.init),
            time: row.stringOrNil(3), level: row.stringOrNil(4), message: row.stringOrNil(5), file: row.string(6),
            source: row.string(7), rule: row.string(8), raw: row.string(9),
            fields: row.withBytes(10) { $0.map(StoredJSON.decodeFields) } ?? [], idError: row.stringOrNil(11))
    }
}
