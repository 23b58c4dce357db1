import GRDB
import TracejoinModel

// The exporter's side of the store: cursors and spans through ``ExportCursors``, lines
// through the same search as `/v1/logs` (ids after the cursor, oldest first).
extension CorrelationStore: ExportSource {
    public func exportCursor(_ target: String) async throws -> ExportCursor {
        try await pool.write { db in try self.exports.cursor(target, db) }
    }

    public func commitExportCursor(_ target: String, _ cursor: ExportCursor) async throws {
        try await pool.write { db in try self.exports.commit(target, cursor, db) }
    }

    public func exportLines(after cursor: ExportCursor, limit: Int) async throws -> any ExportedLines {
        var query = LogQuery(limit: limit)
        query.after = cursor.logID
        return try await pool.read { [query] db in try self.search.lines(query, db) }
    }

    /// The lines ``exportLines(after:limit:)`` reads, as records (what tests compare).
    public func exportLogs(after cursor: ExportCursor, limit: Int) async throws -> [ExportedLog] {
        var query = LogQuery(limit: limit)
        query.after = cursor.logID
        return try await logs(query).records.map { ExportedLog(id: $0.id, ingested: $0.ingested, record: $0.record) }
    }

    public func exportSpans(after cursor: ExportCursor, limit: Int) async throws -> [ExportedSpan] {
        try await pool.read { db in try self.exports.spans(after: cursor, limit: limit, store: self.spans, db) }
    }

    public func exportBacklog(after cursor: ExportCursor) async throws -> ExportBacklog {
        try await pool.read { db in try self.exports.backlog(after: cursor, db) }
    }
}
