import Foundation
import GRDB
import Logging
import TraceContext
import TracejoinModel

/// Converts the span rows of an index written by schema v11 or before into span blocks,
/// oldest received first, a block at a time: each step writes one sealed block and deletes its
/// rows in one transaction, so memory stays at one block and a `kill -9` at any point loses
/// nothing (the next open carries on from the rows left). Spans are numbered (`seq`) in the
/// order they were exported in, `(received_ns, id)`, which is how migration v12 rewrote the
/// export cursors. When no row is left the table is dropped.
///
/// Run once by the store as it opens, after ``IndexConversion``, on the store's pool.
struct SpanConversion {
    let spans: SpanStore
    /// The database's path, for the log.
    let path: String
    let logger: Logger

    func run(_ pool: DatabasePool) throws {
        guard try pool.read({ try $0.tableExists("spans") }) else { return }
        let total = try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM spans") ?? 0 }
        if total > 0 {
            logger.notice("converting the index's span rows into compressed blocks (schema v12); this runs once",
                          metadata: ["rows": "\(total)", "path": "\(path)"])
        }
        let done = try IndexConversion.convertInSteps(pool, segments: spans.segments, total: total, progress: "converting spans", logger: logger) { db in
            try self.convertOneBlock(db)
        }
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE IF EXISTS spans")
            if try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 > 0 {
                try db.execute(sql: "PRAGMA incremental_vacuum")
            }
        }
        spans.forgetUncommitted()
        if total > 0 {
            logger.notice("span conversion done", metadata: ["rows": "\(done)"])
        }
    }

    /// Moves the oldest received rows of `spans` (one block's worth) into a sealed block;
    /// returns how many.
    private func convertOneBlock(_ db: Database) throws -> Int {
        let order = "ORDER BY received_ns, id LIMIT \(spans.options.spanBlockSpans)"
        let rows = try RawStatement(db, "SELECT \(Self.columns) FROM spans \(order)")
        var seq = try Int64.fetchOne(db, sql: "SELECT max(last_seq) FROM span_blocks") ?? 0
        var encoder = SpanBlockEncoder()
        while try rows.next() {
            seq += 1
            encoder.append(seq: seq, received: rows.int64(15), Self.span(rows))
        }
        guard encoder.count > 0 else { return 0 }
        try spans.write(encoder.seal(with: spans.compressor), encoder.summary, sealed: true, db)
        try db.execute(sql: "DELETE FROM spans WHERE id IN (SELECT id FROM spans \(order))")
        return encoder.count
    }

    /// The v11 columns ``span(_:)`` reads, in its order, then `received_ns`.
    static let columns = """
        trace_hi, trace_lo, span_id, parent_id, service, name, resource, type,
        start_ns, duration_ns, error, meta, metrics, protocol, details, received_ns
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
        span.details = row.withBytes(14) { $0.map { SpanDetails(json: $0) } } ?? SpanDetails()
        return span
    }
}
