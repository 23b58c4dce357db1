import Foundation
import GRDB
import Logging
import TraceContext
import TracejoinModel

/// Converts the log rows of an index written by schema v8 into blocks, oldest first, a block at
/// a time: each step writes one block and deletes its rows in one transaction, so memory stays
/// at one block and a `kill -9` at any point loses nothing (the next open carries on from the
/// rows left). When no row is left the old tables are dropped and the file is vacuumed, which
/// gives their space back to the file system.
///
/// Run once by the store as it opens (``CorrelationStore/init(path:options:logger:)``), on the
/// store's pool: it opens no connection of its own.
struct IndexConversion {
    let blocks: LogBlockStore
    /// The database's path, for the log.
    let path: String
    let logger: Logger

    /// Converts what is left to convert (nothing, in an index made by schema v9 or later).
    func run(_ pool: DatabasePool) throws {
        guard try pool.read({ try $0.tableExists("logs") }) else { return }
        let total = try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM logs") ?? 0 }
        if total > 0 {
            logger.notice("converting the index's log rows into compressed blocks (schema v9); this runs once",
                          metadata: ["rows": "\(total)", "path": "\(path)"])
        }
        let done = try Self.convertInSteps(pool, segments: blocks.segments, total: total, progress: "converting", logger: logger) { db in
            try self.convertOneBlock(db)
        }
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TABLE IF EXISTS logs; DROP TABLE IF EXISTS trace_segments")
            // A v8 file was made without auto_vacuum; VACUUM applies it and returns the old rows' pages.
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            try db.execute(sql: "VACUUM")
            // In WAL mode the vacuumed file is written through the log: copy it back now, so
            // the file shrinks and the log is emptied.
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        if total > 0 {
            logger.notice("conversion done", metadata: ["rows": "\(done)", "blocks_on_disk_bytes": "\(blocks.segments.totalBytes())"])
        }
    }

    /// The loop both conversions run (``SpanConversion`` too): `step` in a transaction of its
    /// own until it converts nothing, the segment files cut back when a step fails (as ingest
    /// does), progress logged every 2 s as `progress`. Returns the rows converted.
    static func convertInSteps(_ pool: DatabasePool, segments: SegmentFiles, total: Int, progress: Logger.Message, logger: Logger,
                               _ step: (Database) throws -> Int) throws -> Int {
        var done = 0
        var lastReport = ContinuousClock.now
        while true {
            let converted: Int = try pool.writeWithoutTransaction { db in
                let mark = segments.mark()
                do {
                    var n = 0
                    try db.inTransaction {
                        n = try step(db)
                        return .commit
                    }
                    return n
                } catch {
                    segments.rewind(to: mark)
                    throw error
                }
            }
            if converted == 0 { return done }
            done += converted
            if ContinuousClock.now - lastReport > .seconds(2) {
                lastReport = ContinuousClock.now
                logger.notice(progress, metadata: ["rows_done": "\(done)", "rows_total": "\(total)",
                                                   "percent": "\(total > 0 ? done * 100 / total : 100)"])
            }
        }
    }

    /// Moves the oldest rows of `logs` (one block's worth) into a sealed block; returns how many.
    private func convertOneBlock(_ db: Database) throws -> Int {
        let rows = try RawStatement(db, """
            SELECT trace_hi, trace_lo, span_id, time, level, message, file, source, rule, raw, fields, id_error, id, ingested_ns
            FROM logs ORDER BY id LIMIT \(blocks.options.blockRecords)
            """)
        var encoder = LogBlockEncoder()
        var lastID: Int64 = 0
        while try rows.next() {
            let record = LogRecord(
                traceID: rows.uint64OrNil(1).map { TraceID(high: rows.uint64OrNil(0), low: $0) },
                spanID: rows.uint64OrNil(2).map(SpanID.init),
                time: rows.stringOrNil(3), level: rows.stringOrNil(4), message: rows.stringOrNil(5), file: rows.string(6),
                source: rows.string(7), rule: rows.string(8), raw: rows.string(9),
                fields: rows.withBytes(10) { $0.map(StoredJSON.decodeFields) } ?? [], idError: rows.stringOrNil(11))
            lastID = rows.int64(12)
            encoder.append(id: lastID, ingested: rows.int64(13), record)
        }
        guard encoder.count > 0 else { return 0 }
        try blocks.write(encoder.seal(with: blocks.compressor), encoder.summary, sealed: true, db)
        try db.execute(sql: "DELETE FROM logs WHERE id <= ?", arguments: [lastID])
        return encoder.count
    }
}
