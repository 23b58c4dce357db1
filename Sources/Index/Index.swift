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

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "tracejoin.index"
        configuration.prepareDatabase { db in
            // WAL (set by DatabasePool) with NORMAL sync: a commit survives a process crash;
            // only a power loss may lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
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
            let insert = try db.cachedStatement(sql: """
                INSERT INTO logs (trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, ingested_ns)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in batch.records {
                try insert.execute(arguments: [
                    r.traceID?.high.map { Int64(bitPattern: $0) }, r.traceID.map { Int64(bitPattern: $0.low) },
                    r.spanID.map { Int64(bitPattern: $0.value) }, r.time, r.level, r.message, r.file, r.source, r.rule,
                    r.raw, Self.encodeFields(r.fields), r.idError, now,
                ])
            }
            let checkpoint = try db.cachedStatement(sql: """
                INSERT INTO file_checkpoints (device, inode, path, offset, fingerprint, fingerprint_len, updated_ns)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(device, inode) DO UPDATE SET path = excluded.path, offset = excluded.offset,
                    fingerprint = excluded.fingerprint, fingerprint_len = excluded.fingerprint_len, updated_ns = excluded.updated_ns
                """)
            for c in batch.checkpoints {
                try checkpoint.execute(arguments: [
                    Int64(bitPattern: c.device), Int64(bitPattern: c.inode), c.path, c.offset,
                    Int64(bitPattern: c.fingerprint), c.fingerprintLength, now,
                ])
            }
        }
    }

    // MARK: SpanSink

    /// Stores every span or none. A span seen again (a tracer's retry) replaces the first copy;
    /// a known high half is never forgotten.
    public func insert(_ spans: [SpanRecord]) async throws {
        guard !spans.isEmpty else { return }
        let now = Timestamps.now()
        try await ingestWrite { db in
            let insert = try db.cachedStatement(sql: """
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
            for s in spans {
                try insert.execute(arguments: [
                    s.traceID.high.map { Int64(bitPattern: $0) }, Int64(bitPattern: s.traceID.low),
                    Int64(bitPattern: s.spanID.value), s.parentID.map { Int64(bitPattern: $0.value) },
                    s.service, s.name, s.resource, s.type, s.start, s.duration, s.error ? 1 : 0,
                    Self.encodeMeta(s.meta), Self.encodeMetrics(s.metrics), s.protocolName, now,
                ])
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
            // halves where both are known. The low half is indexed, so this is a lookup.
            let arguments: StatementArguments = [low, high]
            let spans = try Row.fetchAll(db, sql: """
                SELECT * FROM spans WHERE trace_lo = ?1 AND (?2 IS NULL OR trace_hi IS NULL OR trace_hi = ?2)
                ORDER BY start_ns, id
                """, arguments: arguments).map(Self.span)
            let logs = try Row.fetchAll(db, sql: """
                SELECT * FROM logs WHERE trace_lo = ?1 AND (?2 IS NULL OR trace_hi IS NULL OR trace_hi = ?2)
                ORDER BY id
                """, arguments: arguments).map(Self.log)
            return StoredTrace(spans: spans, logs: logs)
        }
    }

    // MARK: Rows

    static func span(_ row: Row) -> SpanRecord {
        SpanRecord(
            traceID: TraceID(high: (row["trace_hi"] as Int64?).map { UInt64(bitPattern: $0) }, low: UInt64(bitPattern: row["trace_lo"])),
            spanID: SpanID(UInt64(bitPattern: row["span_id"])),
            parentID: (row["parent_id"] as Int64?).map { SpanID(UInt64(bitPattern: $0)) },
            service: row["service"], name: row["name"], resource: row["resource"], type: row["type"],
            start: row["start_ns"], duration: row["duration_ns"], error: (row["error"] as Int64) != 0,
            meta: decodeMeta(row["meta"]), metrics: decodeMetrics(row["metrics"]), protocolName: row["protocol"])
    }

    static func log(_ row: Row) -> LogRecord {
        let low = row["trace_lo"] as Int64?
        return LogRecord(
            traceID: low.map { TraceID(high: (row["trace_hi"] as Int64?).map { UInt64(bitPattern: $0) }, low: UInt64(bitPattern: $0)) },
            spanID: (row["span_id"] as Int64?).map { SpanID(UInt64(bitPattern: $0)) },
            time: row["time"], level: row["level"], message: row["message"], file: row["file"], source: row["source"],
            rule: row["rule"], raw: row["raw"], fields: decodeFields(row["fields"]), idError: row["id_error"])
    }

    static func encodeMeta(_ meta: [String: String]) -> String? {
        guard !meta.isEmpty else { return nil }
        return "{" + meta.map { JSONText.quote($0.key) + ":" + JSONText.quote($0.value) }.joined(separator: ",") + "}"
    }

    static func encodeMetrics(_ metrics: [String: Double]) -> String? {
        guard !metrics.isEmpty else { return nil }
        return "{" + metrics.map { JSONText.quote($0.key) + ":" + JSONText.value(.float($0.value)) }.joined(separator: ",") + "}"
    }

    static func decodeMetrics(_ text: String?) -> [String: Double] {
        guard let text, let object = try? JSONDecoder().decode([String: FieldValue].self, from: Data(text.utf8)) else { return [:] }
        return object.compactMapValues {
            switch $0 {
            case .float(let d): return d
            case .integer(let i): return Double(i)
            default: return nil
            }
        }
    }

    static func decodeMeta(_ text: String?) -> [String: String] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] else { return [:] }
        return object
    }

    /// Fields keep their capture order: stored as a JSON array of `[name, value]` pairs.
    static func encodeFields(_ fields: [LogRecord.Field]) -> String? {
        guard !fields.isEmpty else { return nil }
        return "[" + fields.map { "[\(JSONText.quote($0.name)),\(JSONText.value($0.value))]" }.joined(separator: ",") + "]"
    }

    static func decodeFields(_ text: String?) -> [LogRecord.Field] {
        guard let text, let pairs = try? JSONDecoder().decode([[FieldValue]].self, from: Data(text.utf8)) else { return [] }
        return pairs.compactMap { pair in
            guard pair.count == 2, case .string(let name) = pair[0] else { return nil }
            return LogRecord.Field(name: name, value: pair[1])
        }
    }
}
