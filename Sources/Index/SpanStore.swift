import GRDB
import TraceContext
import TracejoinModel
import TracejoinSupport

/// The spans (`spans`): one row per (trace, span), a resent span replacing its earlier copy;
/// the columns searched by, `meta` and `metrics` as JSON objects, `details` as JSON of the rest.
///
/// The database turn comes from the store (``CorrelationStore``); the only state kept here is
/// the last `received_ns` given out, which the exporters' cursors rely on.
final class SpanStore: Sendable {
    /// The last `received_ns` given to spans (0: not read from the database yet).
    private let lastStamp = Locked<Int64>(0)

    /// The 64/128-bit rule (``TraceID/matches(_:)``) as SQL, over `spans`' `trace_hi` and
    /// `trace_lo`: equal low halves, and equal high halves where both are known. Parameter 1
    /// is the asked ID's low half, parameter 2 its high half (NULL when unknown). Every query
    /// of spans by trace uses this one predicate.
    static let matchingTrace = "trace_lo = ?1 AND (?2 IS NULL OR trace_hi IS NULL OR trace_hi = ?2)"

    // MARK: Writing

    /// Stores every span or none (in the caller's transaction). A span seen again (a tracer's
    /// retry) replaces the first copy; a known high half is never forgotten.
    func insert(_ spans: [SpanRecord], _ db: Database) throws {
        // Taken in the writer's turn: a later commit always has a later time, so an
        // exporter that has read up to a time has seen every span stored before it.
        let now = try stamp(db)
        let insert = try RawStatement(db, """
            INSERT INTO spans (trace_hi, trace_lo, span_id, parent_id, service, name, resource, type,
                start_ns, duration_ns, error, meta, metrics, protocol, received_ns, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(trace_lo, span_id) DO UPDATE SET
                trace_hi = COALESCE(excluded.trace_hi, trace_hi), parent_id = excluded.parent_id,
                service = excluded.service, name = excluded.name, resource = excluded.resource,
                type = excluded.type, start_ns = excluded.start_ns, duration_ns = excluded.duration_ns,
                error = excluded.error, meta = excluded.meta, metrics = excluded.metrics, protocol = excluded.protocol,
                received_ns = excluded.received_ns, details = excluded.details
            """)
        var json: [UInt8] = []
        json.reserveCapacity(1024)
        for s in spans {
            insert.bind(1, s.traceID.high)
            insert.bind(2, s.traceID.low)
            insert.bind(3, s.spanID.value)
            insert.bind(4, s.parentID?.value)
            insert.bind(5, s.service)
            insert.bind(6, s.name)
            insert.bind(7, s.resource)
            insert.bind(8, s.type)
            insert.bind(9, s.start)
            insert.bind(10, s.duration)
            insert.bind(11, Int64(s.error ? 1 : 0))
            StoredJSON.meta(s.meta, into: &json)
            insert.bind(12, textOrNull: json)
            StoredJSON.metrics(s.metrics, into: &json)
            insert.bind(13, textOrNull: json)
            insert.bind(14, s.protocolName)
            insert.bind(15, now)
            StoredJSON.details(s.details, into: &json)
            insert.bind(16, textOrNull: json)
            try insert.run()
        }
    }

    /// A `received_ns` for spans stored now, later than any stored before (even if the clock
    /// stepped back). Called inside the write transaction.
    func stamp(_ db: Database) throws -> Int64 {
        let now = Timestamps.now()
        var last = lastStamp.withLock { $0 }
        if last == 0 { last = try Int64.fetchOne(db, sql: "SELECT max(received_ns) FROM spans") ?? 0 }
        let stamp = max(now, last + 1)
        lastStamp.withLock { $0 = stamp }
        return stamp
    }

    // MARK: Reading

    /// The spans of every trace `id` matches, by start time.
    func spans(of id: TraceID, _ db: Database) throws -> [SpanRecord] {
        let spans = try RawStatement(db, """
            SELECT \(Self.spanColumns) FROM spans WHERE \(Self.matchingTrace)
            ORDER BY start_ns, id
            """)
        spans.bind(1, id.low)
        spans.bind(2, id.high)
        var spanRecords: [SpanRecord] = []
        while try spans.next() { spanRecords.append(Self.span(spans)) }
        return spanRecords
    }

    /// The span with ID `id` received last; `nil` when there is none.
    func latest(_ id: SpanID, _ db: Database) throws -> SpanRecord? {
        let spans = try RawStatement(db, "SELECT \(Self.spanColumns) FROM spans WHERE span_id = ? ORDER BY received_ns DESC LIMIT 1")
        spans.bind(1, id.value)
        guard try spans.next() else { return nil }
        return Self.span(spans)
    }

    /// Traces that have spans, most recent first, with span, error and log counts (the log
    /// counts from the trace index).
    func recentTraces(_ query: TraceListQuery, _ db: Database) throws -> [TraceSummary] {
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
                   (SELECT total(lines) FROM block_traces WHERE trace_lo = spans.trace_lo) AS logs
            FROM spans
            """ + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " GROUP BY trace_lo\(having) ORDER BY max(start_ns) DESC LIMIT \(max(1, query.limit))"
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

    // MARK: Rows

    /// The columns ``span(_:)`` reads, in its order.
    static let spanColumns = """
        spans.trace_hi, spans.trace_lo, spans.span_id, spans.parent_id, spans.service, spans.name, spans.resource, spans.type,
        spans.start_ns, spans.duration_ns, spans.error, spans.meta, spans.metrics, spans.protocol, spans.details
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
        span.details = row.withBytes(14) { $0.map(StoredJSON.decodeDetails) } ?? SpanDetails()
        return span
    }
}
