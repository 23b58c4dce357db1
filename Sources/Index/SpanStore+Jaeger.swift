import GRDB
import TraceContext
import TracejoinModel

/// What Jaeger's query API asks of the spans: services, operations, trace search, service links.
extension SpanStore {
    func services(_ db: Database) throws -> [String] {
        let rows = try RawStatement(db, "SELECT DISTINCT service FROM spans ORDER BY service")
        var out: [String] = []
        while try rows.next() { out.append(rows.string(0)) }
        return out
    }

    func operations(service: String, _ db: Database) throws -> [SpanOperation] {
        let rows = try RawStatement(db, """
            SELECT DISTINCT name, coalesce(json_extract(meta, '$."span.kind"'), '') FROM spans WHERE service = ? ORDER BY 1, 2
            """)
        rows.bind(1, service)
        var out: [SpanOperation] = []
        while try rows.next() { out.append(SpanOperation(name: rows.string(0), kind: rows.string(1))) }
        return out
    }

    func findTraces(_ query: SpanSearch, _ db: Database) throws -> [TraceID] {
        var conditions = ["service = ?", "start_ns >= ?", "start_ns <= ?"]
        var arguments: [SQLArgument] = [.text(query.service), .int(query.since), .int(query.until)]
        if let operation = query.operation {
            conditions.append("name = ?")
            arguments.append(.text(operation))
        }
        if let min = query.minDuration {
            conditions.append("duration_ns >= ?")
            arguments.append(.int(min))
        }
        if let max = query.maxDuration {
            conditions.append("duration_ns <= ?")
            arguments.append(.int(max))
        }
        if let kind = query.spanKind {
            conditions.append("json_extract(meta, '$.\"span.kind\"') = ?")
            arguments.append(.text(kind))
        }
        for (key, value) in query.tags.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "error":
                conditions.append("error = ?")
                arguments.append(.int(value == "true" ? 1 : 0))
            case "resource.name":
                conditions.append("(resource = ? OR json_extract(meta, '$.\"resource.name\"') = ?)")
                arguments.append(.text(value))
                arguments.append(.text(value))
            case "span.type":
                conditions.append("type = ?")
                arguments.append(.text(value))
            default:
                // meta holds text, metrics numbers: a value that reads as a number also matches
                // the number (`http.status_code=500` finds 500.0). The key is quoted so that
                // dots are not a path.
                let path = "$.\"" + key.replacingOccurrences(of: "\"", with: "\\\"") + "\""
                if let number = Double(value), number.isFinite {
                    conditions.append("(json_extract(meta, ?) = ? OR json_extract(metrics, ?) = ?)")
                    arguments.append(.text(path))
                    arguments.append(.text(value))
                    arguments.append(.text(path))
                    arguments.append(.double(number))
                } else {
                    conditions.append("json_extract(meta, ?) = ?")
                    arguments.append(.text(path))
                    arguments.append(.text(value))
                }
            }
        }
        let sql = "SELECT trace_lo, max(trace_hi) FROM spans WHERE " + conditions.joined(separator: " AND ")
            + " GROUP BY trace_lo ORDER BY max(start_ns) DESC LIMIT \(max(1, query.limit))"
        let rows = try RawStatement(db, sql)
        for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
        var out: [TraceID] = []
        while try rows.next() { out.append(TraceID(high: rows.uint64OrNil(1), low: rows.uint64(0))) }
        return out
    }

    func dependencies(since: Int64, until: Int64, _ db: Database) throws -> [ServiceLink] {
        let rows = try RawStatement(db, """
            SELECT p.service, c.service, count(*) FROM spans c
            JOIN spans p ON p.trace_lo = c.trace_lo AND p.span_id = c.parent_id
            WHERE c.start_ns >= ? AND c.start_ns <= ? AND p.service != c.service
            GROUP BY p.service, c.service ORDER BY p.service, c.service
            """)
        rows.bind(1, since)
        rows.bind(2, until)
        var out: [ServiceLink] = []
        while try rows.next() { out.append(ServiceLink(parent: rows.string(0), child: rows.string(1), calls: Int(rows.int64(2)))) }
        return out
    }
}
