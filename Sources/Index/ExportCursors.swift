import GRDB
import TraceContext
import TracejoinModel

/// The exporters' side of the store (`export_cursors`): a cursor per target, committed after
/// the target acknowledged a batch; the spans after it, oldest first; the backlog; and what
/// retention deleted unexported, counted against each cursor.
///
/// A span's place is its `received_ns` (``SpanStore/stamp(_:)``: later for every later
/// commit) and row id, so a span sent again is exported again. Holds no state; the database
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

    /// Spans after the cursor's span position, oldest first.
    func spans(after cursor: ExportCursor, limit: Int, _ db: Database) throws -> [ExportedSpan] {
        let statement = try RawStatement(db, """
            SELECT \(SpanStore.spanColumns), spans.received_ns, spans.id FROM spans
            WHERE received_ns > ?1 OR (received_ns = ?1 AND id > ?2)
            ORDER BY received_ns, id LIMIT ?3
            """)
        statement.bind(1, cursor.spanReceived)
        statement.bind(2, cursor.spanRow)
        statement.bind(3, Int64(limit))
        var out: [ExportedSpan] = []
        while try statement.next() {
            out.append(ExportedSpan(received: statement.int64(15), row: statement.int64(16), span: SpanStore.span(statement)))
        }
        return out
    }

    func backlog(after cursor: ExportCursor, _ db: Database) throws -> ExportBacklog {
        let lastLog = try Int64.fetchOne(db, sql: "SELECT max(last_id) FROM blocks") ?? 0
        let spans = try Int.fetchOne(db, sql: "SELECT count(*) FROM spans WHERE received_ns > ?1 OR (received_ns = ?1 AND id > ?2)",
                                     arguments: [cursor.spanReceived, cursor.spanRow]) ?? 0
        let oldestSpan = try Int64.fetchOne(db, sql: """
            SELECT received_ns FROM spans WHERE received_ns > ?1 OR (received_ns = ?1 AND id > ?2) ORDER BY received_ns, id LIMIT 1
            """, arguments: [cursor.spanReceived, cursor.spanRow])
        let oldestLog = try Int64.fetchOne(db, sql: "SELECT min_ingested FROM blocks WHERE last_id > ? ORDER BY last_id LIMIT 1",
                                           arguments: [cursor.logID])
        let oldest = [oldestSpan, oldestLog].compactMap { $0 }.min()
        return ExportBacklog(logs: Int(max(0, lastLog - cursor.logID)), spans: spans, oldest: oldest)
    }

    /// Counts, before retention deletes them, the rows no exporter has sent yet: `blocks`
    /// (rows with `first_id`, `last_id`) and the spans `spanPredicate` selects. Adds them to
    /// each cursor's loss counters and returns the largest, for the warning.
    func countUnexported(blocks: [Row], spanPredicate: String, arguments: StatementArguments, _ db: Database) throws -> (logs: Int64, spans: Int64) {
        var worst: (logs: Int64, spans: Int64) = (0, 0)
        for cursor in try Row.fetchAll(db, sql: "SELECT target, log_id, span_received, span_row FROM export_cursors") {
            let logID: Int64 = cursor["log_id"]
            var logs: Int64 = 0
            for block in blocks {
                let first: Int64 = block["first_id"], last: Int64 = block["last_id"]
                if last > logID { logs += last - max(first - 1, logID) }
            }
            let spans = try Int64.fetchOne(db, sql: """
                SELECT count(*) FROM spans WHERE (\(spanPredicate)) AND (received_ns > ? OR (received_ns = ? AND id > ?))
                """, arguments: arguments + [cursor["span_received"] as Int64, cursor["span_received"] as Int64, cursor["span_row"] as Int64]) ?? 0
            if logs > 0 || spans > 0 {
                try db.execute(sql: "UPDATE export_cursors SET lost_logs = lost_logs + ?, lost_spans = lost_spans + ? WHERE target = ?",
                               arguments: [logs, spans, cursor["target"] as String])
            }
            worst = (max(worst.logs, logs), max(worst.spans, spans))
        }
        return worst
    }
}
