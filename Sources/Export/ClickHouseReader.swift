import Foundation
import NIOCore
import TraceContext
import TracejoinModel
import TracejoinSupport

/// Reads the fleet's traces back from the exporter's tables (or Distributed tables of the same
/// shape in another database): spans from every host and each host's lines, as a
/// ``StoredTrace`` the query side draws like a local one. Each span carries its host in
/// `meta["tracejoin.host"]`, each line in a `host` field.
///
/// Copies a merge has not collapsed yet are collapsed with `FINAL` (on a Distributed table it
/// runs on each shard; a host's rows are on one shard, so that is enough).
public struct ClickHouseReader: Sendable {
    public let client: ClickHouseClient
    /// Whether the server's `spans` has `details`: a table an earlier exporter made lacks it
    /// until an exporter of this version (or `export init`) adds it, and is read with the
    /// details empty meanwhile. Assumed until ``checkTables()`` looks.
    let spansHaveDetails = Locked(true)

    public init(client: ClickHouseClient) {
        self.client = client
    }

    static let spanColumnsBefore = """
        host, toString(trace_hi) AS n_trace_hi, trace_hi_known, toString(trace_lo) AS n_trace_lo, toString(span_id) AS n_span_id,
        toString(parent_id) AS n_parent_id, service, name, resource, type, toString(start_ns) AS n_start_ns,
        toString(duration_ns) AS n_duration_ns, error, meta, metrics, protocol
        """

    /// The span columns read, `details` as empty where the table has none.
    var spanColumns: String {
        Self.spanColumnsBefore + (spansHaveDetails.withLock { $0 } ? ", details" : ", '' AS details")
    }

    /// Looks at the server's tables (`system.columns`) for what later versions added.
    public func checkTables() async throws {
        let answer = try await client.execute("""
            SELECT toString(count()) FROM system.columns WHERE database = \(Self.literal(client.database)) AND table = 'spans' AND name = 'details'
            """, database: "default")
        let has = String(buffer: answer).trimmingCharacters(in: .whitespacesAndNewlines) != "0"
        spansHaveDetails.withLock { $0 = has }
    }
    static let logColumns = """
        host, toString(id) AS n_id, toString(trace_hi) AS n_trace_hi, trace_hi_known, toString(trace_lo) AS n_trace_lo,
        toString(span_id) AS n_span_id, toString(time_ns) AS n_time_ns, toString(ingested_ns) AS n_ingested_ns, level, message, raw,
        source, rule, file, fields, id_error
        """

    /// The rows of the trace `id`: the 64/128-bit rule (``TraceID/matches(_:)``) as SQL, over the
    /// exporter's columns (`trace_hi_known = 0` where the high half was not known).
    static func matching(_ id: TraceID) -> String {
        id.sqlCondition(low: "trace_lo", high: "trace_hi", highUnknown: "trace_hi_known = 0")
    }

    /// The trace `id` on this server: its spans, its first `logLimit` lines by time, and how
    /// many lines it has (the three queries run at once).
    public func trace(_ id: TraceID, logLimit: Int) async throws -> StoredTrace {
        let db = ClickHouseSchema.quoted(client.database)
        async let spanRows = client.rows("SELECT \(spanColumns) FROM \(db).spans FINAL WHERE \(Self.matching(id)) ORDER BY start_ns, host")
        async let total = client.rows("SELECT toString(count()) AS n_n FROM \(db).logs FINAL WHERE \(Self.matching(id))")
        async let logRows = client.rows("""
            SELECT \(Self.logColumns) FROM \(db).logs FINAL WHERE \(Self.matching(id)) ORDER BY time_ns, host, id LIMIT \(max(0, logLimit))
            """)
        let logs = try await logRows.map(Self.log)
        let count = Int(try await total.first?["n_n"] as? String ?? "") ?? logs.count
        return StoredTrace(spans: try await spanRows.map(Self.span), logs: logs, logsOmitted: max(0, count - logs.count))
    }

    /// Lines matching the filters, newest first (`tracejoin query logs --clickhouse`): the
    /// fleet service's search, with the same conditions (``conditions(_:database:)``).
    public func logs(traceID: TraceID?, level: String?, source: String?, text: String?, host: String?, limit: Int) async throws -> [LogRecord] {
        var query = LogQuery(traceID: traceID, level: level, source: source, text: text, limit: max(1, limit))
        if let host { query.fields = [.init(name: "host", value: host)] }
        return try await searchLogs(query).map(\.record)
    }

    /// A string as a ClickHouse literal: quotes and backslashes escaped.
    static func literal(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    struct BadRow: Error, CustomStringConvertible {
        var column: String
        var description: String { "ClickHouse returned a row whose \(column) is not what Tracejoin wrote" }
    }

    static func text(_ row: [String: Any], _ column: String) throws -> String {
        if let s = row[column] as? String { return s }
        if let n = row[column] as? NSNumber { return n.stringValue }
        throw BadRow(column: column)
    }

    /// Numeric columns are selected as text (`toString(x) AS n_x`: exact whatever the server's
    /// JSON settings; an alias must not shadow the column the WHERE clause reads).
    static func u64(_ row: [String: Any], _ column: String) throws -> UInt64 {
        guard let v = UInt64(try text(row, row["n_" + column] != nil ? "n_" + column : column)) else { throw BadRow(column: column) }
        return v
    }

    static func i64(_ row: [String: Any], _ column: String) throws -> Int64 {
        guard let v = Int64(try text(row, row["n_" + column] != nil ? "n_" + column : column)) else { throw BadRow(column: column) }
        return v
    }

    static func traceID(_ row: [String: Any]) throws -> TraceID? {
        let low = try u64(row, "trace_lo")
        guard low != 0 else { return nil }
        return TraceID(high: try u64(row, "trace_hi_known") != 0 ? try u64(row, "trace_hi") : nil, low: low)
    }

    static func json<T>(_ text: String, as: T.Type) -> T? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? T
    }

    static func span(_ row: [String: Any]) throws -> SpanRecord {
        guard let trace = try traceID(row) else { throw BadRow(column: "trace_lo") }
        var meta = json(try text(row, "meta"), as: [String: String].self) ?? [:]
        meta["tracejoin.host"] = try text(row, "host")
        let metrics = (json(try text(row, "metrics"), as: [String: Any].self) ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        let parent = try u64(row, "parent_id")
        var span = SpanRecord(
            traceID: trace, spanID: SpanID(try u64(row, "span_id")), parentID: parent == 0 ? nil : SpanID(parent),
            service: try text(row, "service"), name: try text(row, "name"), resource: try text(row, "resource"), type: try text(row, "type"),
            start: try i64(row, "start_ns"), duration: try i64(row, "duration_ns"), error: try u64(row, "error") != 0,
            meta: meta, metrics: metrics, protocolName: try text(row, "protocol"))
        // Events, links, the resource's and typed attributes, as the daemon stored them.
        span.details = SpanDetails(json: Array(try text(row, "details").utf8))
        return span
    }

    static func log(_ row: [String: Any]) throws -> LogRecord {
        let spanValue = try u64(row, "span_id")
        var fields: [LogRecord.Field] = [.init(name: "host", value: try text(row, "host"))]
        if let object = try? JSONDecoder().decode([String: FieldValue].self, from: Data(try text(row, "fields").utf8)) {
            for (name, value) in object.sorted(by: { $0.key < $1.key }) { fields.append(.init(name: name, value: value)) }
        }
        let level = try text(row, "level"), message = try text(row, "message"), idError = try text(row, "id_error")
        return LogRecord(
            traceID: try traceID(row), spanID: spanValue == 0 ? nil : SpanID(spanValue),
            time: Timestamps.iso8601(nanoseconds: try i64(row, "time_ns")), level: level.isEmpty ? nil : level,
            message: message.isEmpty ? nil : message, file: try text(row, "file"), source: try text(row, "source"),
            rule: try text(row, "rule"), raw: try text(row, "raw"), fields: fields, idError: idError.isEmpty ? nil : idError)
    }
}
