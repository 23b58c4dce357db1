import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// Jaeger's query API v3 over HTTP/JSON, as jaeger-query's hand-written gateway serves it
/// (`cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/http_gateway.go`, the proto
/// `proto/api_v3/query_service.proto` of jaeger-idl): what Jaeger UI asks since v2.15 for its
/// service and operation lists and since v2.19 for search (`/api/v3/trace-summaries`). Traces
/// are OTLP/JSON (`{"result": {"resourceSpans": …}}`: hex IDs, times and integers as decimal
/// strings, `kind` and `status.code` as numbers). Errors are `{"error": {"httpCode", "message"}}`.
/// Parameters are taken by their camelCase names (Jaeger 2.19) and their snake_case aliases.
/// docs/api.md, "Jaeger's API v3", lists the sources each shape was checked against.
enum JaegerV3Routes {
    static func add(to router: Router<BasicRequestContext>, reader: any TraceReader) {
        router.get("/api/v3/services") { _, _ in
            var w = JSONWriter()
            w.objectStart()
            w.key("services")
            w.arrayStart()
            for s in try await reader.services() { w.string(s) }
            w.arrayEnd()
            w.objectEnd()
            return JSONReply.response(json: w.bytes)
        }
        router.get("/api/v3/operations") { request, _ in
            let p = formParameters(request)
            let service = p["service"] ?? ""
            let kind = p["spanKind"] ?? p["span_kind"] ?? ""
            var w = JSONWriter()
            w.objectStart()
            w.key("operations")
            w.arrayStart()
            var seen = Set<SpanOperation>()
            for op in try await reader.operations(service: service) {
                // A span of no known kind is listed as `internal`, as Jaeger does.
                let shown = SpanOperation(name: op.name, kind: op.kind.isEmpty ? "internal" : op.kind)
                guard kind.isEmpty || shown.kind == kind, seen.insert(shown).inserted else { continue }
                w.objectStart()
                w.member("name", shown.name)
                w.member("spanKind", shown.kind)
                w.objectEnd()
            }
            w.arrayEnd()
            w.objectEnd()
            return JSONReply.response(json: w.bytes)
        }
        router.get("/api/v3/traces/{trace_id}") { _, context in
            let text = JaegerRoutes.pathParameter(context, "trace_id")
            let candidates = (try? TraceID.lookupCandidates(text, convention: .jaeger)) ?? []
            guard !candidates.isEmpty else { return failure(.badRequest, "malformed parameter trace_id: '\(text.prefix(100))' is not 1 to 32 hex digits") }
            guard let (stored, _) = try await QueryServer.lookUp(candidates, logLimit: QueryServer.defaultTraceLogs, reader: reader), !stored.spans.isEmpty else {
                return failure(.notFound, "No traces found")
            }
            return result([stored])
        }
        router.get("/api/v3/traces") { request, _ in
            let search: SpanSearch
            do throws(JaegerRoutes.BadParameter) {
                search = try parseQuery(request)
            } catch {
                return failure(.badRequest, error.message)
            }
            var traces: [StoredTrace] = []
            for id in try await reader.findTraces(search) {
                let stored = try await reader.trace(id, logLimit: 0)
                if !stored.spans.isEmpty { traces.append(stored) }
            }
            guard !traces.isEmpty else { return failure(.notFound, "No traces found") }
            return result(traces)
        }
        router.get("/api/v3/trace-summaries") { request, _ in
            let search: SpanSearch
            do throws(JaegerRoutes.BadParameter) {
                search = try parseQuery(request)
            } catch {
                return failure(.badRequest, error.message)
            }
            var w = JSONWriter()
            w.objectStart()
            w.key("summaries")
            w.arrayStart()
            for id in try await reader.findTraces(search) {
                let stored = try await reader.trace(id, logLimit: 0)
                guard !stored.spans.isEmpty else { continue }
                summary(stored, to: &w)
            }
            w.arrayEnd()
            w.objectEnd()
            return JSONReply.response(json: w.bytes)
        }
    }

    /// `query.serviceName` (required), `query.operationName`, `query.attributes` (a JSON object
    /// of strings), `query.startTimeMin`/`Max` (RFC 3339, required), `query.durationMin`/`Max`
    /// (Go durations), `query.searchDepth` (default 20), each also by its snake_case name.
    static func parseQuery(_ request: Request) throws(JaegerRoutes.BadParameter) -> SpanSearch {
        let p = formParameters(request)
        func value(_ camel: String, _ snake: String) -> String? {
            (p[camel] ?? p[snake]).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let service = value("query.serviceName", "query.service_name") else {
            throw .init(message: "malformed parameter query.serviceName: a service is required")
        }
        func time(_ camel: String, _ snake: String) throws(JaegerRoutes.BadParameter) -> Int64 {
            guard let text = value(camel, snake) else { throw .init(message: "query.startTimeMin and query.startTimeMax are required") }
            guard let ns = Timestamps.nanoseconds(parsing: text) else {
                throw .init(message: "malformed parameter \(camel): '\(text.prefix(60))' is not an RFC 3339 time")
            }
            return ns
        }
        func duration(_ camel: String, _ snake: String) throws(JaegerRoutes.BadParameter) -> Int64? {
            guard let text = value(camel, snake) else { return nil }
            guard let ns = JaegerRoutes.goDuration(text) else {
                throw .init(message: "malformed parameter \(camel): '\(text.prefix(60))' is not a duration such as 1.5s or 100ms")
            }
            return ns
        }
        var tags: [String: String] = [:]
        if let json = value("query.attributes", "query.attributes") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
                throw .init(message: "malformed parameter query.attributes: not a JSON object")
            }
            for (key, v) in object {
                if let s = v as? String { tags[key] = s } else if let n = v as? NSNumber { tags[key] = n.stringValue }
            }
        }
        var limit = 20
        if let text = value("query.searchDepth", "query.search_depth") ?? value("query.num_traces", "query.num_traces") {
            guard let n = Int(text), n >= 0 else { throw .init(message: "malformed parameter query.searchDepth: '\(text.prefix(20))'") }
            limit = n == 0 ? 20 : min(n, 1500)
        }
        let since = try time("query.startTimeMin", "query.start_time_min"), until = try time("query.startTimeMax", "query.start_time_max")
        let minDuration = try duration("query.durationMin", "query.duration_min"), maxDuration = try duration("query.durationMax", "query.duration_max")
        return SpanSearch(service: service, operation: value("query.operationName", "query.operation_name"), tags: tags,
                          since: since, until: until, minDuration: minDuration, maxDuration: maxDuration, limit: limit)
    }

    /// The query's parameters decoded as a form (`+` is a space: what URLSearchParams writes),
    /// the first of each name.
    static func formParameters(_ request: Request) -> [String: String] {
        var p: [String: String] = [:]
        for (key, value) in SearchRoutes.formPairs(request.uri.query ?? "") where p[key] == nil { p[key] = value }
        return p
    }

    static func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var w = JSONWriter()
        w.objectStart()
        w.key("error")
        w.objectStart()
        w.member("httpCode", Int64(status.code))
        w.member("message", message)
        w.objectEnd()
        w.objectEnd()
        return JSONReply.response(json: w.bytes, status: status)
    }

    static func result(_ traces: [StoredTrace]) -> Response {
        var w = JSONWriter(capacity: 64 << 10)
        w.objectStart()
        w.key("result")
        w.objectStart()
        w.key("resourceSpans")
        w.arrayStart()
        for stored in traces { resourceSpans(stored, to: &w) }
        w.arrayEnd()
        w.objectEnd()
        w.objectEnd()
        return JSONReply.response(json: w.bytes)
    }

    /// A trace's spans grouped by resource (service and resource attributes), as OTLP/JSON.
    static func resourceSpans(_ stored: StoredTrace, to w: inout JSONWriter) {
        var groups: [JaegerTrace.ProcessKey: [SpanRecord]] = [:]
        var order: [JaegerTrace.ProcessKey] = []
        for s in stored.spans.sorted(by: { ($0.start, $0.spanID.value) < ($1.start, $1.spanID.value) }) {
            let key = JaegerTrace.ProcessKey(service: s.service, tags: s.details.resource.filter { $0.key != "service.name" })
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(s)
        }
        for key in order {
            w.objectStart()
            w.key("resource")
            w.objectStart()
            w.key("attributes")
            w.arrayStart()
            attribute("service.name", .string(key.service), to: &w)
            for a in key.tags { attribute(a, to: &w) }
            w.arrayEnd()
            w.objectEnd()
            w.key("scopeSpans")
            w.arrayStart()
            w.objectStart()
            w.key("scope")
            w.objectStart()
            w.objectEnd()
            w.key("spans")
            w.arrayStart()
            for s in groups[key] ?? [] { span(s, to: &w) }
            w.arrayEnd()
            w.objectEnd()
            w.arrayEnd()
            w.objectEnd()
        }
    }

    /// v3 writes every trace ID in 32 hex digits (a 64-bit one zero-padded).
    static func hex32(_ id: TraceID) -> String {
        TraceID(high: id.high ?? 0, low: id.low).hex
    }

    static let kinds = ["internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5]

    static func span(_ s: SpanRecord, to w: inout JSONWriter) {
        w.objectStart()
        w.member("traceId", hex32(s.traceID))
        w.member("spanId", s.spanID.hex)
        if let parent = s.parentID { w.member("parentSpanId", parent.hex) }
        w.member("name", s.name)
        w.member("kind", Int64(kinds[s.meta["span.kind"] ?? ""] ?? 0))
        w.member("startTimeUnixNano", String(s.start))
        let (end, overflow) = s.start.addingReportingOverflow(s.duration)
        w.member("endTimeUnixNano", String(overflow ? .max : end))
        w.key("attributes")
        w.arrayStart()
        if !s.resource.isEmpty && s.resource != s.name { attribute("resource.name", .string(s.resource), to: &w) }
        if !s.type.isEmpty { attribute("span.type", .string(s.type), to: &w) }
        // The kind is the span's `kind`, not an attribute.
        for tag in s.tags where tag.key != "span.kind" { attribute(tag, to: &w) }
        w.arrayEnd()
        if !s.details.events.isEmpty {
            w.key("events")
            w.arrayStart()
            for e in s.details.events {
                w.objectStart()
                w.member("timeUnixNano", String(e.time))
                w.member("name", e.name)
                w.key("attributes")
                w.arrayStart()
                for a in e.attributes { attribute(a, to: &w) }
                w.arrayEnd()
                w.objectEnd()
            }
            w.arrayEnd()
        }
        if !s.details.links.isEmpty {
            w.key("links")
            w.arrayStart()
            for l in s.details.links {
                w.objectStart()
                w.member("traceId", hex32(l.traceID))
                w.member("spanId", l.spanID.hex)
                w.key("attributes")
                w.arrayStart()
                for a in l.attributes { attribute(a, to: &w) }
                w.arrayEnd()
                w.objectEnd()
            }
            w.arrayEnd()
        }
        w.key("status")
        w.objectStart()
        if s.error {
            w.member("code", Int64(2))
            if let message = s.meta["otel.status_description"] { w.member("message", message) }
        }
        w.objectEnd()
        w.objectEnd()
    }

    /// An attribute as sent: bytes as `bytesValue` (base64, as OTLP/JSON writes them).
    static func attribute(_ a: SpanAttribute, to w: inout JSONWriter) {
        guard a.isBinary else { return attribute(a.key, a.value, to: &w) }
        w.objectStart()
        w.member("key", a.key)
        w.key("value")
        w.objectStart()
        w.member("bytesValue", a.value.description)
        w.objectEnd()
        w.objectEnd()
    }

    /// `{"key": k, "value": {"stringValue" | "intValue" (a string) | "boolValue" | "doubleValue": …}}`
    static func attribute(_ key: String, _ value: FieldValue, to w: inout JSONWriter) {
        w.objectStart()
        w.member("key", key)
        w.key("value")
        w.objectStart()
        switch value {
        case .string(let s): w.member("stringValue", s)
        case .integer(let i): w.member("intValue", String(i))
        case .bool(let b): w.member("boolValue", b)
        case .float(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 9e15 {
                w.member("intValue", String(Int64(d)))
            } else if d.isFinite {
                w.key("doubleValue")
                w.value(.float(d))
            } else {
                w.member("stringValue", String(d))
            }
        case .null: break
        }
        w.objectEnd()
        w.objectEnd()
    }

    /// One trace summary as `/api/v3/trace-summaries` writes it (zero counts left out).
    static func summary(_ stored: StoredTrace, to w: inout JSONWriter) {
        let known = Set(stored.spans.map(\.spanID.value))
        let ordered = stored.spans.sorted { ($0.start, $0.spanID.value) < ($1.start, $1.spanID.value) }
        let root = ordered.first { $0.parentID.map { !known.contains($0.value) } ?? true } ?? ordered[0]
        let start = ordered.map(\.start).min() ?? 0
        let end = stored.spans.map { $0.start.addingReportingOverflow($0.duration).overflow ? Int64.max : $0.start + $0.duration }.max() ?? start
        let orphans = stored.spans.filter { s in s.parentID.map { !known.contains($0.value) } ?? false }.count
        let errors = stored.spans.filter(\.error).count
        w.objectStart()
        w.member("traceId", hex32(root.traceID))
        w.member("rootServiceName", root.service)
        w.member("rootOperationName", root.name)
        w.member("minStartTimeUnixNano", String(start))
        w.member("maxEndTimeUnixNano", String(end))
        w.member("spanCount", Int64(stored.spans.count))
        if errors > 0 { w.member("errorSpanCount", Int64(errors)) }
        if orphans > 0 { w.member("orphanSpanCount", Int64(orphans)) }
        w.key("services")
        w.arrayStart()
        for (service, spans) in Dictionary(grouping: stored.spans, by: \.service).sorted(by: { $0.key < $1.key }) {
            w.objectStart()
            w.member("name", service)
            w.member("spanCount", Int64(spans.count))
            let e = spans.filter(\.error).count
            if e > 0 { w.member("errorSpanCount", Int64(e)) }
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
    }
}
