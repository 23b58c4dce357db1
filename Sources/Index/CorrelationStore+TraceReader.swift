import GRDB
import TraceContext
import TracejoinModel
import TracejoinSupport

// The query side's reads, each in one read turn (one snapshot): spans from ``SpanStore``,
// lines from ``LogSearch``.
extension CorrelationStore {
    public func trace(_ id: TraceID, logLimit: Int) async throws -> StoredTrace {
        try await pool.read { db in
            let spanRecords = try self.spans.spans(of: id, db)
            let lines = try self.search.traceLines(id, logLimit: logLimit, db)
            var stored = StoredTrace(spans: spanRecords, logs: lines.logs)
            stored.logsOmitted = lines.omitted
            return stored
        }
    }

    public func logs(_ query: LogQuery) async throws -> LogPage {
        // A cursor that is not a line's id is the fleet service's, not this index's.
        if query.cursor != nil { throw ReadRefused(status: 400, reason: "cursor: not a cursor this API returned") }
        return try await pool.read { db in try self.search.logs(query, db) }
    }

    public func logVolume(_ query: LogQuery, buckets: Int) async throws -> LogVolume {
        try await pool.read { db in try self.search.logVolume(query, buckets: buckets, db) }
    }

    public func recentTraces(_ query: TraceListQuery) async throws -> [TraceSummary] {
        try await pool.read { db in try self.spans.recentTraces(query, db) }
    }

    public func span(_ id: SpanID) async throws -> (span: SpanRecord, logs: [LogRecord])? {
        try await pool.read { db in
            guard let span = try self.spans.latest(id, db) else { return nil }
            let logs = try self.search.spanLines(id, of: span.traceID, db)
            return (span, logs)
        }
    }

    public func unmatched(since: Int64, until: Int64, samples: Int) async throws -> [UnmatchedGroup] {
        try await pool.read { db in try self.search.unmatched(since: since, until: until, samples: samples, db) }
    }

    public func lastLogID() async throws -> Int64 {
        try await pool.read { db in try self.catalog.lastLogID(db) }
    }

    // MARK: Jaeger

    public func services() async throws -> [String] {
        try await pool.read { db in try self.spans.services(db) }
    }

    public func operations(service: String) async throws -> [SpanOperation] {
        try await pool.read { db in try self.spans.operations(service: service, db) }
    }

    public func findTraces(_ query: SpanSearch) async throws -> [TraceID] {
        try await pool.read { db in try self.spans.findTraces(query, db) }
    }

    public func dependencies(since: Int64, until: Int64) async throws -> [ServiceLink] {
        try await pool.read { db in try self.spans.dependencies(since: since, until: until, db) }
    }
}
