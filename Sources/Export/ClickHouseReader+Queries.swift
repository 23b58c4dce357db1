import Foundation
import TraceContext
import TracejoinModel
import TracejoinSupport

// The reads of one ClickHouse server (one shard of the fleet, or a server whose database holds
// Distributed tables over all of them), in the SQL every version from 18.16 on runs. The fleet
// service (``FleetReader``) runs each on every shard and merges the answers.
extension ClickHouseReader {
    var db: String { ClickHouseSchema.quoted(client.database) }

    /// A line of a search, with what orders a page across hosts.
    struct FoundLog: Sendable {
        var host: String
        var id: Int64
        var ingested: Int64
        var time: Int64
        var record: LogRecord
    }

    /// A trace with its latest start among the spans a search selected.
    struct FoundTrace: Sendable {
        var low: UInt64
        var high: UInt64?
        var latest: Int64
    }

    /// The span columns a trace summary and the service links need.
    struct SpanOutline: Sendable {
        var low: UInt64
        var span: UInt64
        var parent: UInt64
        var service: String
        var name: String
        var start: Int64
        var end: Int64
        var error: Bool
    }

    // MARK: Lines

    /// The WHERE conditions of a log search. Fields are read from the exported `fields` JSON
    /// (a text value, or a number or boolean as written); `host` is the host column.
    static func conditions(_ q: LogQuery, database db: String) throws -> [String] {
        var c: [String] = []
        if let id = q.traceID { c.append(matching(id)) }
        if let span = q.spanID { c.append("span_id = \(span.value)") }
        if let service = q.service {
            // Lines joined to a span of that service (the daemon's rule), on this shard.
            c.append("span_id != 0 AND (trace_lo, span_id) IN (SELECT trace_lo, span_id FROM \(db).spans WHERE service = \(literal(service)))")
        }
        if let level = q.level { c.append("lower(level) = \(literal(level.lowercased()))") }
        if let source = q.source { c.append("source = \(literal(source))") }
        if let text = q.text { c.append("position(message, \(literal(text))) > 0") }
        let time = q.byLineTime ? "time_ns" : "ingested_ns"
        if let since = q.since { c.append("\(time) >= \(since)") }
        if let until = q.until { c.append("\(time) < \(until)") }
        for f in q.fields {
            if f.name == "host" {
                c.append("host = \(literal(f.value))")
            } else {
                let name = literal(f.name), value = literal(f.value)
                c.append("(visitParamExtractString(fields, \(name)) = \(value) OR visitParamExtractRaw(fields, \(name)) = \(value))")
            }
        }
        if q.before != nil {
            throw ReadRefused(status: 400, reason: "cursor: a line id is a cursor of one daemon, not of the fleet service")
        }
        if let cursor = q.cursor {
            guard let after = FleetCursor(cursor) else { throw ReadRefused(status: 400, reason: "cursor: not a cursor this API returned") }
            c.append("""
                (ingested_ns < \(after.ingested) OR (ingested_ns = \(after.ingested) AND (host < \(literal(after.host)) \
                OR (host = \(literal(after.host)) AND id < \(after.id)))))
                """)
        }
        return c
    }

    static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    /// The newest `limit` lines of the search, newest stored first (ties by host, then id).
    ///
    /// In two steps, because `FINAL` and the wide columns are what a search over a busy host
    /// costs (18.16 reads every column of every row it sorts; 5M lines: 4.4 s):
    /// 1. the keys of the newest matching lines, `(trace_lo, host, id)`, without `FINAL`, a few
    ///    more than asked for; the copies a merge has not collapsed yet (a batch sent again) are
    ///    removed here, and should they be more than the slack, the keys are asked again with
    ///    `LIMIT 1 BY host, id`, exact and slower;
    /// 2. those lines whole, by their sorting key (`trace_lo IN …`: the index finds them), in
    ///    chunks of ``keysPerRead``, copies again removed here.
    func searchLogs(_ q: LogQuery) async throws -> [FoundLog] {
        let limit = max(1, q.limit)
        let filter = Self.whereClause(try Self.conditions(q, database: db))
        let order = "ORDER BY ingested_ns DESC, host DESC, id DESC"
        let keyColumns = "toString(trace_lo) AS n_trace_lo, host, toString(id) AS n_id"
        let slack = limit / 4 + 16
        var keys = try Self.distinctKeys(try await client.rows("SELECT \(keyColumns) FROM \(db).logs \(filter) \(order) LIMIT \(limit + slack)"))
        // Fewer lines than asked, and the rows ran out only because copies filled the slack.
        if keys.keys.count < limit && keys.keys.count + keys.copies == limit + slack {
            keys = try Self.distinctKeys(try await client.rows("SELECT \(keyColumns) FROM \(db).logs \(filter) \(order) LIMIT 1 BY host, id LIMIT \(limit)"))
        }
        var found: [FoundLog] = []
        var seen = Set<LineKey>()
        for chunk in Array(keys.keys.prefix(limit)).chunks(of: Self.keysPerRead) {
            let traces = Set(chunk.map(\.traceLow)).sorted().map(String.init).joined(separator: ",")
            let lines = chunk.map { "(\(Self.literal($0.host)), \($0.id))" }.joined(separator: ",")
            for row in try await client.rows("SELECT \(Self.logColumns) FROM \(db).logs WHERE trace_lo IN (\(traces)) AND (host, id) IN (\(lines))") {
                let line = try Self.found(row)
                if seen.insert(LineKey(host: line.host, id: line.id)).inserted { found.append(line) }
            }
        }
        return found.sorted { ($0.ingested, $0.host, $0.id) > ($1.ingested, $1.host, $1.id) }
    }

    /// How many lines one statement of a search's second step reads (its `IN` lists stay well
    /// under ClickHouse's `max_query_size`, 256 KiB).
    static let keysPerRead = 1000

    struct LineKey: Hashable {
        var host: String
        var id: Int64
    }

    struct SearchKey {
        var traceLow: UInt64
        var host: String
        var id: Int64
    }

    /// The keys of a search's first step in their order, each line once, and how many copies
    /// were left out.
    static func distinctKeys(_ rows: [[String: Any]]) throws -> (keys: [SearchKey], copies: Int) {
        var seen = Set<LineKey>()
        var keys: [SearchKey] = []
        for row in rows {
            let key = SearchKey(traceLow: try u64(row, "trace_lo"), host: try text(row, "host"), id: try i64(row, "id"))
            if seen.insert(LineKey(host: key.host, id: key.id)).inserted { keys.append(key) }
        }
        return (keys, rows.count - keys.count)
    }

    static func found(_ row: [String: Any]) throws -> FoundLog {
        FoundLog(host: try text(row, "host"), id: try i64(row, "id"), ingested: try i64(row, "ingested_ns"),
                 time: try i64(row, "time_ns"), record: try log(row))
    }

    /// The earliest and latest time of the search's lines (`nil` when none match).
    func logTimeRange(_ q: LogQuery) async throws -> (Int64, Int64)? {
        let time = q.byLineTime ? "time_ns" : "ingested_ns"
        let rows = try await client.rows("""
            SELECT toString(count()) AS n_n, toString(min(\(time))) AS n_lo, toString(max(\(time))) AS n_hi
            FROM \(db).logs FINAL \(Self.whereClause(try Self.conditions(q, database: db)))
            """)
        guard let row = rows.first, try Self.i64(row, "n") > 0 else { return nil }
        return (try Self.i64(row, "lo"), try Self.i64(row, "hi"))
    }

    /// Lines of the search counted by bucket of `axis` and by level (as written, lower case).
    /// The bucket is the distance from the axis's start over its step, taken in UInt64 (the
    /// Int64 difference wraps in ClickHouse; its bits are the exact distance).
    func logCounts(_ q: LogQuery, axis: LogVolume.Axis) async throws -> [(bucket: Int, level: String, count: Int)] {
        let time = q.byLineTime ? "time_ns" : "ingested_ns"
        var conditions = try Self.conditions(q, database: db)
        conditions.append("\(time) >= \(axis.from)")
        let rows = try await client.rows("""
            SELECT toString(intDiv(toUInt64(\(time) - \(axis.from)), \(axis.step))) AS n_b, lower(level) AS l, toString(count()) AS n_n
            FROM \(db).logs FINAL \(Self.whereClause(conditions)) GROUP BY n_b, l
            """)
        return try rows.map { row in
            let bucket = try Self.u64(row, "b")
            return (Int(min(bucket, UInt64(axis.count - 1))), try Self.text(row, "l"), Int(try Self.i64(row, "n")))
        }
    }

    /// The lines of span `id` (in its trace).
    func spanLogs(_ id: SpanID, trace: TraceID) async throws -> [FoundLog] {
        let rows = try await client.rows("""
            SELECT \(Self.logColumns) FROM \(db).logs FINAL WHERE \(Self.matching(trace)) AND span_id = \(id.value)
            ORDER BY time_ns, host, id LIMIT 10000
            """)
        return try rows.map(Self.found)
    }

    // MARK: Spans

    /// Every copy of span `id` (one per host that stored it; the latest version of each).
    func spans(withID id: SpanID) async throws -> [SpanRecord] {
        try await client.rows("SELECT \(spanColumns) FROM \(db).spans FINAL WHERE span_id = \(id.value) ORDER BY start_ns LIMIT 100")
            .map(Self.span)
    }

    func services() async throws -> [String] {
        try await client.rows("SELECT DISTINCT service FROM \(db).spans ORDER BY service").map { try Self.text($0, "service") }
    }

    func operations(service: String) async throws -> [SpanOperation] {
        try await client.rows("""
            SELECT DISTINCT name, visitParamExtractString(meta, 'span.kind') AS kind FROM \(db).spans
            WHERE service = \(Self.literal(service)) ORDER BY name, kind
            """).map { SpanOperation(name: try Self.text($0, "name"), kind: try Self.text($0, "kind")) }
    }

    /// Traces with a span that `conditions` select, the latest start first, at most `limit`.
    func traces(where conditions: [String], limit: Int) async throws -> [FoundTrace] {
        try await client.rows("""
            SELECT toString(trace_lo) AS n_trace_lo, toString(max(trace_hi)) AS n_trace_hi, max(trace_hi_known) AS known,
                toString(max(start_ns)) AS n_latest
            FROM \(db).spans FINAL \(Self.whereClause(conditions)) GROUP BY trace_lo ORDER BY max(start_ns) DESC, trace_lo DESC LIMIT \(max(1, limit))
            """).map { row in
            FoundTrace(low: try Self.u64(row, "trace_lo"), high: try Self.u64(row, "known") != 0 ? try Self.u64(row, "trace_hi") : nil,
                       latest: try Self.i64(row, "latest"))
        }
    }

    /// Jaeger's trace search as conditions on the span columns: `error`, `resource.name` and
    /// `span.type` are columns; another tag is a `meta` text or, when its value reads as a
    /// number, a `metrics` value equal to it (the daemon's rule).
    static func conditions(_ q: SpanSearch) -> [String] {
        var c = ["service = \(literal(q.service))", "start_ns >= \(q.since)", "start_ns <= \(q.until)"]
        if let operation = q.operation { c.append("name = \(literal(operation))") }
        if let min = q.minDuration { c.append("duration_ns >= \(min)") }
        if let max = q.maxDuration { c.append("duration_ns <= \(max)") }
        if let kind = q.spanKind { c.append("visitParamExtractString(meta, 'span.kind') = \(literal(kind))") }
        for (key, value) in q.tags.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "error": c.append("error = \(value == "true" ? 1 : 0)")
            case "resource.name": c.append("(resource = \(literal(value)) OR visitParamExtractString(meta, 'resource.name') = \(literal(value)))")
            case "span.type": c.append("type = \(literal(value))")
            default:
                var either = "visitParamExtractString(meta, \(literal(key))) = \(literal(value))"
                if let number = Double(value), number.isFinite {
                    either += " OR (visitParamHas(metrics, \(literal(key))) AND visitParamExtractFloat(metrics, \(literal(key))) = \(number))"
                }
                c.append("(" + either + ")")
            }
        }
        return c
    }

    /// The outlines of the spans of traces `lows`.
    func outlines(ofTraces lows: [UInt64]) async throws -> [SpanOutline] {
        guard !lows.isEmpty else { return [] }
        return try await outlines(where: ["trace_lo IN (\(lows.map(String.init).joined(separator: ",")))"], limit: 1_000_000)
    }

    /// Span outlines `conditions` select, at most `limit`.
    func outlines(where conditions: [String], limit: Int) async throws -> [SpanOutline] {
        try await client.rows("""
            SELECT toString(trace_lo) AS n_trace_lo, toString(span_id) AS n_span_id, toString(parent_id) AS n_parent_id, service, name,
                toString(start_ns) AS n_start_ns, toString(duration_ns) AS n_duration_ns, error
            FROM \(db).spans FINAL \(Self.whereClause(conditions)) LIMIT \(limit)
            """).map { row in
            let start = try Self.i64(row, "start_ns")
            return SpanOutline(low: try Self.u64(row, "trace_lo"), span: try Self.u64(row, "span_id"), parent: try Self.u64(row, "parent_id"),
                               service: try Self.text(row, "service"), name: try Self.text(row, "name"), start: start,
                               end: start &+ (try Self.i64(row, "duration_ns")), error: try Self.u64(row, "error") != 0)
        }
    }

    /// Lines of each of traces `lows`.
    func lineCounts(ofTraces lows: [UInt64]) async throws -> [UInt64: Int] {
        guard !lows.isEmpty else { return [:] }
        var counts: [UInt64: Int] = [:]
        for row in try await client.rows("""
            SELECT toString(trace_lo) AS n_trace_lo, toString(count()) AS n_n FROM \(db).logs FINAL
            WHERE trace_lo IN (\(lows.map(String.init).joined(separator: ","))) GROUP BY trace_lo
            """) {
            counts[try Self.u64(row, "trace_lo")] = Int(try Self.i64(row, "n"))
        }
        return counts
    }
}

/// Where the fleet service's next page of lines starts: after the line of `host` with `id`,
/// stored at `ingested` (a page is ordered by those three, newest first). Written
/// `ingested.id.host`, so that a host's name may hold any character.
struct FleetCursor: Equatable {
    var ingested: Int64
    var id: Int64
    var host: String

    init(ingested: Int64, id: Int64, host: String) {
        self.ingested = ingested
        self.id = id
        self.host = host
    }

    init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let ingested = Int64(parts[0]), let id = Int64(parts[1]), !parts[2].isEmpty,
              let host = String(parts[2]).removingPercentEncoding
        else { return nil }
        self.init(ingested: ingested, id: id, host: host)
    }

    var text: String {
        "\(ingested).\(id)." + (host.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? host)
    }
}
