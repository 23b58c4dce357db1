import GRDB
import TraceContext
import TracejoinModel

extension Index {
    /// Log records matching `query`, newest first, a page at a time (keyset paging on the
    /// record id, so a page costs the same wherever it starts).
    public func logs(_ query: LogQuery) async throws -> LogPage {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let id = query.traceID {
            conditions.append("logs.trace_lo = ? AND (? IS NULL OR logs.trace_hi IS NULL OR logs.trace_hi = ?)")
            let high: Int64? = id.high.map { Int64(bitPattern: $0) }
            arguments.append(Int64(bitPattern: id.low))
            arguments.append(high)
            arguments.append(high)
        }
        if let span = query.spanID {
            conditions.append("logs.span_id = ?")
            arguments.append(Int64(bitPattern: span.value))
        }
        if let level = query.level {
            conditions.append("logs.level = ? COLLATE NOCASE")
            arguments.append(level)
        }
        if let source = query.source {
            conditions.append("logs.source = ?")
            arguments.append(source)
        }
        if let text = query.text {
            conditions.append("instr(logs.message, ?) > 0")
            arguments.append(text)
        }
        if let since = query.since {
            conditions.append("logs.ingested_ns >= ?")
            arguments.append(since)
        }
        if let until = query.until {
            conditions.append("logs.ingested_ns < ?")
            arguments.append(until)
        }
        if let before = query.before {
            conditions.append("logs.id < ?")
            arguments.append(before)
        }
        if let after = query.after {
            conditions.append("logs.id > ?")
            arguments.append(after)
        }
        if let service = query.service {
            conditions.append("EXISTS (SELECT 1 FROM spans WHERE spans.trace_lo = logs.trace_lo AND spans.span_id = logs.span_id AND spans.service = ?)")
            arguments.append(service)
        }
        let limit = max(1, query.limit)
        let sql = "SELECT * FROM logs" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY logs.id \(query.after == nil ? "DESC" : "ASC") LIMIT \(limit + 1)"
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: statementArguments)
            let page = rows.prefix(limit).map { row in (id: row["id"] as Int64, ingested: row["ingested_ns"] as Int64, record: Self.log(row)) }
            return LogPage(records: Array(page), next: rows.count > limit ? page.last?.id : nil)
        }
    }

    /// Traces that have spans, most recent first, with span, error and log counts.
    public func recentTraces(_ query: TraceListQuery) async throws -> [TraceSummary] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let service = query.service {
            conditions.append("trace_lo IN (SELECT trace_lo FROM spans WHERE service = ?)")
            arguments.append(service)
        }
        if let since = query.since {
            conditions.append("start_ns >= ?")
            arguments.append(since)
        }
        if let until = query.until {
            conditions.append("start_ns < ?")
            arguments.append(until)
        }
        let having = query.onlyErrors ? " HAVING sum(error) > 0" : ""
        let sql = """
            SELECT trace_lo, max(trace_hi) AS trace_hi, min(start_ns) AS start, max(start_ns + duration_ns) AS end,
                   count(*) AS spans, sum(error) AS errors, group_concat(DISTINCT service) AS services,
                   (SELECT name FROM spans r WHERE r.trace_lo = spans.trace_lo AND r.parent_id IS NULL LIMIT 1) AS root,
                   (SELECT count(*) FROM logs WHERE logs.trace_lo = spans.trace_lo) AS logs
            FROM spans
            """ + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " GROUP BY trace_lo\(having) ORDER BY max(start_ns) DESC LIMIT \(max(1, query.limit))"
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                TraceSummary(
                    traceID: TraceID(high: (row["trace_hi"] as Int64?).map { UInt64(bitPattern: $0) }, low: UInt64(bitPattern: row["trace_lo"])),
                    rootName: row["root"], services: ((row["services"] as String?) ?? "").split(separator: ",").map(String.init).sorted(),
                    start: row["start"], end: row["end"], spans: row["spans"], errors: row["errors"], logs: row["logs"])
            }
        }
    }

    public func span(_ id: SpanID) async throws -> (span: SpanRecord, logs: [LogRecord])? {
        let spanID = Int64(bitPattern: id.value)
        return try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM spans WHERE span_id = ? ORDER BY received_ns DESC LIMIT 1", arguments: [spanID])
            else { return nil }
            let span = Self.span(row)
            let high: Int64? = span.traceID.high.map { Int64(bitPattern: $0) }
            let logs = try Row.fetchAll(db, sql: """
                SELECT * FROM logs WHERE trace_lo = ? AND span_id = ? AND (? IS NULL OR trace_hi IS NULL OR trace_hi = ?) ORDER BY id
                """, arguments: [Int64(bitPattern: span.traceID.low), spanID, high, high]).map(Self.log)
            return (span, logs)
        }
    }

    public func unmatched(since: Int64, until: Int64, samples: Int) async throws -> [UnmatchedGroup] {
        // A line is unmatched when no span shares its trace (64/128-bit rule), whatever its span.
        let orphan = """
            logs.trace_lo IS NOT NULL AND logs.ingested_ns >= ?1 AND logs.ingested_ns < ?2 AND NOT EXISTS (
                SELECT 1 FROM spans WHERE spans.trace_lo = logs.trace_lo
                AND (logs.trace_hi IS NULL OR spans.trace_hi IS NULL OR spans.trace_hi = logs.trace_hi))
            """
        return try await pool.read { db in
            let groups = try Row.fetchAll(db, sql: """
                SELECT source, rule, count(*) AS n, count(DISTINCT trace_lo) AS traces FROM logs WHERE \(orphan)
                GROUP BY source, rule ORDER BY n DESC
                """, arguments: [since, until])
            return try groups.map { g in
                let source: String = g["source"], rule: String = g["rule"]
                let examples = try Row.fetchAll(db, sql: """
                    SELECT * FROM logs WHERE \(orphan) AND source = ?3 AND rule = ?4 ORDER BY id DESC LIMIT ?5
                    """, arguments: [since, until, source, rule, samples]).map(Self.log)
                return UnmatchedGroup(source: source, rule: rule, count: g["n"], traces: g["traces"], samples: examples)
            }
        }
    }

    public func lastLogID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") ?? 0 }
    }
}
