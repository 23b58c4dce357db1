import GRDB
import TraceContext
import TracejoinModel

/// The exporters' side of the store (`export_cursors`): a cursor per target, committed after
/// the target acknowledged a batch; the spans after it, oldest first; the backlog; and what
/// retention deleted unexported, counted against each cursor.
///
/// A span's place is its `seq` (kept in the cursor's `span_row`; ``SpanStore``: later for
/// every later commit), so a span sent again is exported again. Holds no state; the database
/// turn comes from the store (``CorrelationStore``), which also reads the lines after a cursor
/// (a search from its log id).
struct ExportCursors: Sendable {
    /// The cursor of `target`, created at the start (everything unexported) when missing; in a
    /// write turn.
    func cursor(_ target: String, _ db: Database) throws -> ExportCursor {
        try db.execute(sql: "INSERT INTO export_cursors (target, log_id, span_received, span_row) VALUES (?, 0, 0, 0) ON CONFLICT(target) DO NOTHING",
                       arguments: [target])
        let row = try Row.fetchOne(db, sql: "SELECT * FROM export_cursors WHERE target = ?", arguments: [target])!
        return ExportCursor(logID: row["log_id"], spanReceived: row["span_received"], spanRow: row["span_row"],
                            lostLogs: row["lost_logs"], lostSpans: row["lost_spans"])
    }

    /// Moves `target`'s cursor (its loss counters are kept).
    func commit(_ target: String, _ cursor: ExportCursor, _ db: Database) throws {
        try db.execute(sql: "UPDATE export_cursors SET log_id = ?, span_received = ?, span_row = ? WHERE target = ?",
                       arguments: [cursor.logID, cursor.spanReceived, cursor.spanRow, target])
    }

    /// Spans after the cursor's span position (their `seq`, in `spanRow`), oldest first: the
    /// span blocks after it in seq order (their seq ranges do not overlap), as many as make
    /// `limit`.
    func spans(after cursor: ExportCursor, limit: Int, store: SpanStore, _ db: Database) throws -> [ExportedSpan] {
        // Along the seq index, block by block, until `limit` spans are found: a far-behind
        // exporter reads no more of the catalog than a batch needs.
        let rows = try RawStatement(db, "SELECT \(BlockPlace.columns) FROM span_blocks b WHERE b.last_seq > ? ORDER BY b.last_seq")
        rows.bind(1, cursor.spanRow)
        var out: [ExportedSpan] = []
        while out.count < limit, try rows.next() {
            guard let block = try store.readBlock(BlockPlace(rows), db) else { continue }
            for i in 0..<block.count where block.seq[i] > cursor.spanRow {
                out.append(ExportedSpan(received: block.received[i], row: block.seq[i], span: block.span(i)))
            }
        }
        out.sort { $0.row < $1.row }
        return Array(out.prefix(limit))
    }

    func backlog(after cursor: ExportCursor, _ db: Database) throws -> ExportBacklog {
        let lastLog = try Int64.fetchOne(db, sql: "SELECT max(last_id) FROM blocks") ?? 0
        // A block's seqs are consecutive, so the spans after the cursor are counted from the catalog.
        let spans = try Int.fetchOne(db, sql: "SELECT total(last_seq - max(first_seq - 1, ?1)) FROM span_blocks WHERE last_seq > ?1",
                                     arguments: [cursor.spanRow]) ?? 0
        let oldestSpan = try Int64.fetchOne(db, sql: "SELECT min(min_received) FROM span_blocks WHERE last_seq > ?", arguments: [cursor.spanRow])
        let oldestLog = try Int64.fetchOne(db, sql: "SELECT min_ingested FROM blocks WHERE last_id > ? ORDER BY last_id LIMIT 1",
                                           arguments: [cursor.logID])
        let oldest = [oldestSpan, oldestLog].compactMap { $0 }.min()
        return ExportBacklog(logs: Int(max(0, lastLog - cursor.logID)), spans: spans, oldest: oldest)
    }

    /// Counts, before retention deletes them, the records no exporter has sent yet: `blocks`
    /// (rows with `first_id`, `last_id`) and `spanBlocks` (rows with `first_seq`, `last_seq`).
    /// Adds them to each cursor's loss counters and returns the largest, for the warning.
    func countUnexported(blocks: [Row], spanBlocks: [Row], _ db: Database) throws -> (logs: Int64, spans: Int64) {
        var worst: (logs: Int64, spans: Int64) = (0, 0)
        for cursor in try Row.fetchAll(db, sql: "SELECT target, log_id, span_row FROM export_cursors") {
            let logID: Int64 = cursor["log_id"], seq: Int64 = cursor["span_row"]
            var logs: Int64 = 0, spans: Int64 = 0
            for block in blocks {
                let first: Int64 = block["first_id"], last: Int64 = block["last_id"]
                if last > logID { logs += last - max(first - 1, logID) }
            }
            for block in spanBlocks {
                let first: Int64 = block["first_seq"], last: Int64 = block["last_seq"]
                if last > seq { spans += last - max(first - 1, seq) }
            }
            if logs > 0 || spans > 0 {
                try db.execute(sql: "UPDATE export_cursors SET lost_logs = lost_logs + ?, lost_spans = lost_spans + ? WHERE target = ?",
                               arguments: [logs, spans, cursor["target"] as String])
            }
            worst = (max(worst.logs, logs), max(worst.spans, spans))
        }
        return worst
    }
}
