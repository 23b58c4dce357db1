import GRDB
import TraceContext
import TracejoinModel

extension Index {
    /// Log records matching `query`, newest first, a page at a time (keyset paging on the
    /// record id, so a page costs the same wherever it starts).
    public func logs(_ query: LogQuery) async throws -> LogPage {
        var conditions: [String] = []
        var arguments: [SQLArgument] = []
        if let id = query.traceID {
            conditions.append(Self.linesOfTrace("?\(arguments.count + 1)", "?\(arguments.count + 2)"))
            arguments.append(.int(Int64(bitPattern: id.low)))
            arguments.append(.int(id.high.map { Int64(bitPattern: $0) }))
        }
        if let span = query.spanID {
            conditions.append("logs.span_id = ?")
            arguments.append(.int(Int64(bitPattern: span.value)))
        }
        if let level = query.level {
            conditions.append("logs.level = ? COLLATE NOCASE")
            arguments.append(.text(level))
        }
        if let source = query.source {
            conditions.append("logs.source = ?")
            arguments.append(.text(source))
        }
        if let text = query.text {
            conditions.append("instr(logs.message, ?) > 0")
            arguments.append(.text(text))
        }
        if let since = query.since {
            conditions.append("logs.ingested_ns >= ?")
            arguments.append(.int(since))
        }
        if let until = query.until {
            conditions.append("logs.ingested_ns < ?")
            arguments.append(.int(until))
        }
        if let before = query.before {
            conditions.append("logs.id < ?")
            arguments.append(.int(before))
        }
        if let after = query.after {
            conditions.append("logs.id > ?")
            arguments.append(.int(after))
        }
        if let service = query.service {
            conditions.append("EXISTS (SELECT 1 FROM spans WHERE spans.trace_lo = logs.trace_lo AND spans.span_id = logs.span_id AND spans.service = ?)")
            arguments.append(.text(service))
        }
        let limit = max(1, query.limit)
        // With a trace, start from its segments (a few ranges of the table) rather than from
        // the newest line.
        let from = query.traceID == nil ? "logs" : Self.traceLines
        let sql = "SELECT \(Self.logColumns) FROM \(from)" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY logs.id \(query.after == nil ? "DESC" : "ASC") LIMIT \(limit + 1)"
        return try await pool.read { [arguments] db in
            let rows = try RawStatement(db, sql)
            for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
            var page: [(id: Int64, ingested: Int64, record: LogRecord)] = []
            var more = false
            while try rows.next() {
                guard page.count < limit else {
                    more = true
                    break
                }
                page.append((rows.int64(Self.logIDColumn), rows.int64(Self.logIngestedColumn), Self.log(rows)))
            }
            return LogPage(records: page, next: more ? page.last?.id : nil)
        }
    }

    /// Traces that have spans, most recent first, with span, error and log counts.
    public func recentTraces(_ query: TraceListQuery) async throws -> [TraceSummary] {
        var conditions: [String] = []
        var arguments: [SQLArgument] = []
        if let service = query.service {
            conditions.append("trace_lo IN (SELECT trace_lo FROM spans WHERE service = ?)")
            arguments.append(.text(service))
        }
        if let since = query.since {
            conditions.append("start_ns >= ?")
            arguments.append(.int(since))
        }
        if let until = query.until {
            conditions.append("start_ns < ?")
            arguments.append(.int(until))
        }
        let having = query.onlyErrors ? " HAVING sum(error) > 0" : ""
        let sql = """
            SELECT trace_lo, max(trace_hi) AS trace_hi, min(start_ns) AS start, max(start_ns + duration_ns) AS end,
                   count(*) AS spans, sum(error) AS errors, group_concat(DISTINCT service) AS services,
                   (SELECT name FROM spans r WHERE r.trace_lo = spans.trace_lo AND r.parent_id IS NULL LIMIT 1) AS root,
                   (SELECT count(*) FROM \(Self.traceLines) WHERE k.trace_lo = spans.trace_lo) AS logs
            FROM spans
            """ + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " GROUP BY trace_lo\(having) ORDER BY max(start_ns) DESC LIMIT \(max(1, query.limit))"
        return try await pool.read { [arguments] db in
            let rows = try RawStatement(db, sql)
            for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
            var traces: [TraceSummary] = []
            while try rows.next() {
                // Columns as selected: trace_lo, trace_hi, start, end, spans, errors, services, root, logs.
                traces.append(TraceSummary(
                    traceID: TraceID(high: rows.uint64OrNil(1), low: rows.uint64(0)),
                    rootName: rows.stringOrNil(7), services: rows.string(6).split(separator: ",").map(String.init).sorted(),
                    start: rows.int64(2), end: rows.int64(3), spans: Int(rows.int64(4)), errors: Int(rows.int64(5)), logs: Int(rows.int64(8))))
            }
            return traces
        }
    }

    public func span(_ id: SpanID) async throws -> (span: SpanRecord, logs: [LogRecord])? {
        let spanID = Int64(bitPattern: id.value)
        return try await pool.read { db in
            let spans = try RawStatement(db, "SELECT \(Self.spanColumns) FROM spans WHERE span_id = ? ORDER BY received_ns DESC LIMIT 1")
            spans.bind(1, spanID)
            guard try spans.next() else { return nil }
            let span = Self.span(spans)
            let logs = try RawStatement(db, """
                SELECT \(Self.logColumns) FROM \(Self.traceLines) WHERE \(Self.linesOfTrace("?1", "?3")) AND logs.span_id = ?2
                ORDER BY logs.id
                """)
            logs.bind(1, span.traceID.low)
            logs.bind(2, spanID)
            logs.bind(3, span.traceID.high)
            var records: [LogRecord] = []
            while try logs.next() { records.append(Self.log(logs)) }
            return (span, records)
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
                let rows = try RawStatement(db, """
                    SELECT \(Self.logColumns) FROM logs WHERE \(orphan) AND source = ?3 AND rule = ?4 ORDER BY id DESC LIMIT ?5
                    """)
                rows.bind(1, since)
                rows.bind(2, until)
                rows.bind(3, source)
                rows.bind(4, rule)
                rows.bind(5, Int64(samples))
                var examples: [LogRecord] = []
                while try rows.next() { examples.append(Self.log(rows)) }
                return UnmatchedGroup(source: source, rule: rule, count: g["n"], traces: g["traces"], samples: examples)
            }
        }
    }

    public func lastLogID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") ?? 0 }
    }
}

/// A value bound to a statement built at run time.
enum SQLArgument: Sendable {
    case int(Int64?)
    case text(String)

    func bind(_ statement: borrowing RawStatement, _ i: Int32) {
        switch self {
        case .int(let v): statement.bind(i, v)
        case .text(let v): statement.bind(i, v)
        }
    }
}
