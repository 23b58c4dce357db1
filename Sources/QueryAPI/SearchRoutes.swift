import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// `GET /v1/logs`, `GET /v1/logs/volume` and `GET /v1/traces`: searches over the index.
package enum SearchRoutes {
    static let maxLogs = 1000
    static let maxTraces = 200

    package struct BadParameter: Error {
        var name: String
        var message: String
        var response: Response { JSONReply.error(.badRequest, "invalid \(name)", detail: message) }
    }

    /// `?trace_id=&span_id=&service=&level=&source=&q=&since=&until=&limit=&cursor=`
    static func logs(_ request: Request, reader: any TraceReader) async throws -> Response {
        let query: LogQuery
        do throws(BadParameter) {
            query = try logQuery(request)
        } catch {
            return error.response
        }
        let page = try await reader.logs(query)
        return JSONReply.response(json: LogsPage.json(page.records, next: page.cursorText))
    }

    /// Buckets `/v1/logs/volume` counts into unless `?buckets=` says otherwise, and the most.
    static let defaultVolumeBuckets = 60
    static let maxVolumeBuckets = 500

    /// `?<the filters of /v1/logs>&buckets=`: the lines `/v1/logs` would list, counted by time
    /// bucket and level class (``LogVolume``).
    static func logVolume(_ request: Request, reader: any TraceReader) async throws -> Response {
        let query: LogQuery
        let buckets: Int
        do throws(BadParameter) {
            query = try logQuery(request)
            buckets = try limit(request.uri.queryParameters["buckets"], default: defaultVolumeBuckets, max: maxVolumeBuckets, name: "buckets")
        } catch {
            return error.response
        }
        let volume = try await reader.logVolume(query, buckets: buckets)
        return JSONReply.response(volume)
    }

    /// The log filters from query parameters. With `form`, an empty parameter counts as absent:
    /// a web form (the logs page's) sends its empty fields.
    static func logQuery(_ request: Request, form: Bool = false) throws(BadParameter) -> LogQuery {
        var p = request.uri.queryParameters
        if form { p = .init(p.filter { !$0.value.isEmpty }) }
        var query = LogQuery()
        query.traceID = try p["trace_id"].flatMap { (t) throws(BadParameter) in try id(t, "trace_id") }
        if let text = p["span_id"] {
            do throws(IDParseError) {
                query.spanID = try SpanID.parse(String(text), encoding: .auto)
            } catch {
                throw BadParameter(name: "span_id", message: error.message)
            }
        }
        query.service = p["service"].map(String.init)
        query.level = p["level"].map(String.init)
        query.source = p["source"].map(String.init)
        query.text = p["q"].map(String.init)
        query.since = try p["since"].map { (t) throws(BadParameter) in try time(t, "since") }
        query.until = try p["until"].map { (t) throws(BadParameter) in try time(t, "until") }
        switch p["by"].map(String.init) {
        case nil, "ingest": query.byLineTime = false
        case "time": query.byLineTime = true
        case let other?: throw BadParameter(name: "by", message: "'\(other)' is not 'time' (the line's own time) or 'ingest' (when it was stored)")
        }
        query.limit = try limit(p["limit"], default: 100, max: maxLogs)
        // `field.<name>=<value>`: lines whose field equals the value (such as
        // `field.k8s.pod=web-1`, `field.stream=stderr`); several must all hold.
        for (key, value) in p where key.hasPrefix("field.") {
            let name = key.dropFirst("field.".count)
            guard !name.isEmpty, name.utf8.count <= 200, value.utf8.count <= 4096 else {
                throw BadParameter(name: "field.", message: "a field filter is field.<name>=<value>, the name at most 200 bytes")
            }
            guard query.fields.count < 8 else { throw BadParameter(name: String(key), message: "at most 8 field filters") }
            query.fields.append(LogQuery.FieldFilter(name: String(name), value: String(value)))
        }
        // `host=`: lines of one host of the fleet (each fleet line carries its host as a field).
        if let host = p["host"] { query.fields.append(LogQuery.FieldFilter(name: "host", value: String(host))) }
        if let cursor = p["cursor"] {
            // A record's id (the daemon's pages), else the fleet service's own form, which its
            // reader checks.
            if let value = Int64(cursor) {
                guard value > 0 else { throw BadParameter(name: "cursor", message: "not a cursor this API returned") }
                query.before = value
            } else {
                guard !cursor.isEmpty, cursor.utf8.count <= 512 else { throw BadParameter(name: "cursor", message: "not a cursor this API returned") }
                query.cursor = String(cursor)
            }
        }
        return query
    }

    /// `?service=&since=&until=&error=&limit=`
    static func traces(_ request: Request, reader: any TraceReader) async throws -> Response {
        let p = request.uri.queryParameters
        var query = TraceListQuery()
        do {
            query.service = p["service"].map(String.init)
            query.since = try p["since"].map { try time($0, "since") }
            query.until = try p["until"].map { try time($0, "until") }
            query.limit = try limit(p["limit"], default: 20, max: maxTraces)
            if let e = p["error"] {
                guard let b = Bool(String(e)) else { throw BadParameter(name: "error", message: "error takes true or false") }
                query.onlyErrors = b
            }
        } catch let error as BadParameter {
            return JSONReply.error(.badRequest, "invalid \(error.name)", detail: error.message)
        }
        let traces = try await reader.recentTraces(query)
        return JSONReply.response(TracesDocument(traces: traces.map(TracesDocument.Entry.init)))
    }

    package static func id(_ text: Substring, _ name: String) throws(BadParameter) -> TraceID? {
        let parsed: TraceID?
        do {
            parsed = try TraceID.parse(String(text), encoding: .auto)
        } catch {
            throw BadParameter(name: name, message: "'\(text)': \(error.message)")
        }
        guard let parsed else { throw BadParameter(name: name, message: "'\(text)' is a zero or empty ID") }
        return parsed
    }

    static func limit(_ text: Substring?, default value: Int, max: Int, name: String = "limit") throws(BadParameter) -> Int {
        guard let text else { return value }
        guard let n = Int(text), n >= 1 else { throw BadParameter(name: name, message: "\(name) is a whole number from 1 to \(max)") }
        return min(n, max)
    }

    /// `application/x-www-form-urlencoded` pairs, as Go's `FormValue` reads them: `+` is a
    /// space, then percent-decoding (Grafana and Jaeger UI encode `tags` this way).
    package static func formPairs(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// RFC 3339 (`2026-11-29T04:00:00Z`), a duration ago (`15m`, `2h`, `7d`, `30s`), or
    /// nanoseconds since the epoch.
    package static func time(_ text: Substring, _ name: String) throws(BadParameter) -> Int64 {
        let s = String(text)
        if let n = Int64(s), n > 1_000_000_000_000 { return n }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = s.last, let scale = units[unit], let n = Int64(s.dropLast()), n >= 0 {
            // A duration beyond what nanoseconds hold (about 292 years) means "since the start".
            let (seconds, o1) = n.multipliedReportingOverflow(by: scale)
            let (ago, o2) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            return o1 || o2 ? Int64.min : Timestamps.now() - ago
        }
        if let date = try? Date(s, strategy: .iso8601) {
            // Nanoseconds since 1970 hold the years 1678 to 2262; a time beyond is clamped.
            let ns = date.timeIntervalSince1970 * 1e9
            return ns >= 9.2e18 ? Int64.max : ns <= -9.2e18 ? Int64.min : Int64(ns)
        }
        throw BadParameter(name: name, message: "'\(s)' is not a time: use RFC 3339 (2026-11-29T04:00:00Z), a duration ago (15m, 2h, 7d) or nanoseconds")
    }
}
