import GRDB
import TracejoinModel

extension Index {
    /// What one retention step removed.
    public struct Pruned: Sendable, Equatable {
        public var logs = 0
        public var spans = 0
        public var isEmpty: Bool { logs == 0 && spans == 0 }
        public init(logs: Int = 0, spans: Int = 0) {
            self.logs = logs
            self.spans = spans
        }
    }

    /// Deletes up to `batch` log records and `batch` spans older than `cutoff` (ingest time),
    /// in one short transaction: retention runs in small steps, so ingest never waits long.
    public func pruneOlderThan(_ cutoff: Int64, batch: Int = 5000) async throws -> Pruned {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM logs WHERE pos IN (SELECT pos FROM logs WHERE ingested_ns < ? ORDER BY ingested_ns LIMIT ?)",
                           arguments: [cutoff, batch])
            let logs = db.changesCount
            try Self.forgetTraceKeys(db, batch: batch)
            try db.execute(sql: "DELETE FROM spans WHERE id IN (SELECT id FROM spans WHERE received_ns < ? ORDER BY received_ns LIMIT ?)",
                           arguments: [cutoff, batch])
            return Pruned(logs: logs, spans: db.changesCount)
        }
    }

    /// Deletes the oldest `batch` log records and spans (by ingest time).
    public func pruneOldest(batch: Int = 5000) async throws -> Pruned {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM logs WHERE pos IN (SELECT pos FROM logs ORDER BY ingested_ns LIMIT ?)", arguments: [batch])
            let logs = db.changesCount
            try Self.forgetTraceKeys(db, batch: batch)
            try db.execute(sql: "DELETE FROM spans WHERE id IN (SELECT id FROM spans ORDER BY received_ns LIMIT ?)", arguments: [batch])
            return Pruned(logs: logs, spans: db.changesCount)
        }
    }

    /// Deletes up to `batch` trace segments no log line is in any more: every segment below
    /// the one holding the lowest position still in use (segments are numbered as they open).
    static func forgetTraceKeys(_ db: Database, batch: Int) throws {
        try db.execute(sql: """
            DELETE FROM trace_segments WHERE (trace_lo, ord) IN (
                SELECT trace_lo, ord FROM trace_segments
                WHERE ord < coalesce((SELECT min(pos) >> 20 FROM logs WHERE pos > 0), 9223372036854775807)
                ORDER BY ord LIMIT ?)
            """, arguments: [batch])
    }

    /// Bytes the database uses: its pages less the free ones. The file itself does not shrink
    /// (freed pages are reused by new records), so this is what retention keeps under the limit.
    public func usedBytes() async throws -> Int64 {
        try await pool.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            return (pages - free) * size
        }
    }
}
