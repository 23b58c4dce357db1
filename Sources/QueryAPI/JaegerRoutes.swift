import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// Jaeger's query API (the HTTP JSON API of jaeger-query that Jaeger UI and Grafana's Jaeger data
/// source call), over the same index: services, operations, trace search, a trace, dependencies.
///
/// Replies use Jaeger's JSON model (`model/json` in Jaeger's source): `{"data", "total", "limit",
/// "offset", "errors"}` around traces whose spans carry `traceID`, `spanID`, `operationName`,
/// `references` (`CHILD_OF`), `startTime` and `duration` in µs, typed `tags`, `logs` and a
/// `processID` into the trace's `processes`. Each log line joined to a span is one of that span's
/// logs; lines whose span is not in the trace are listed in the trace's `warnings`.
enum JaegerRoutes {
    static func add(to router: Router<BasicRequestContext>, reader: any TraceReader) {
        router.get("/api/services") { _, _ in
            let services = try await reader.services()
            return reply(Envelope(data: services, total: services.count))
        }
        router.get("/api/services/{service}/operations") { _, context in
            let service = pathParameter(context, "service")
            let operations = Array(Set(try await reader.operations(service: service).map(\.name))).sorted()
            return reply(Envelope(data: operations, total: operations.count))
        }
        router.get("/api/operations") { request, _ in
            guard let service = request.uri.queryParameters["service"].map(String.init), !service.isEmpty else {
                return failure(.badRequest, "parameter 'service' is required")
            }
            let kind = request.uri.queryParameters["spanKind"].map(String.init) ?? ""
            let operations = try await reader.operations(service: service)
                .filter { kind.isEmpty || $0.kind == kind }
                .map { Operation(name: $0.name, spanKind: $0.kind) }
            return reply(Envelope(data: operations, total: operations.count))
        }
        router.get("/api/traces/{id}") { _, context in
            let text = pathParameter(context, "id")
            let candidates = (try? TraceID.lookupCandidates(text, convention: .jaeger)) ?? []
            guard !candidates.isEmpty else {
                return failure(.badRequest, "unable to parse traceID '\(text.prefix(100))': a trace ID is 1 to 32 hex digits (or Datadog's decimal)")
            }
            guard let (stored, id) = try await QueryServer.lookUp(candidates, logLimit: QueryServer.defaultTraceLogs, reader: reader) else { return failure(.notFound, "trace not found") }
            return reply(Envelope(data: [JaegerTrace(stored, id: id)], total: 1))
        }
        router.get("/api/traces") { request, _ in
            let pairs = SearchRoutes.formPairs(request.uri.query ?? "")
            // By ID (Jaeger UI's compare view, a pasted ID): any service, each ID as `/api/traces/{id}` reads it.
            let ids = pairs.filter { $0.0 == "traceID" }.map(\.1)
            if !ids.isEmpty {
                var traces: [JaegerTrace] = []
                var errors: [JaegerError] = []
                for text in ids.prefix(100) {
                    let candidates = (try? TraceID.lookupCandidates(text, convention: .jaeger)) ?? []
                    if candidates.isEmpty {
                        errors.append(JaegerError(code: 400, msg: "unable to parse traceID '\(text.prefix(100))'"))
                    } else if let (stored, id) = try await QueryServer.lookUp(candidates, logLimit: QueryServer.defaultTraceLogs, reader: reader) {
                        traces.append(JaegerTrace(stored, id: id))
                    } else {
                        errors.append(JaegerError(code: 404, msg: "trace not found: \(text.prefix(100))"))
                    }
                }
                return reply(Envelope(data: traces, total: traces.count, errors: errors.isEmpty ? nil : errors))
            }
            let search: SpanSearch
            do throws(BadParameter) {
                search = try parseSearch(pairs)
            } catch {
                return failure(.badRequest, error.message)
            }
            var traces: [JaegerTrace] = []
            for id in try await reader.findTraces(search) {
                let stored = try await reader.trace(id, logLimit: QueryServer.defaultTraceLogs)
                if !stored.isEmpty { traces.append(JaegerTrace(stored, id: id)) }
            }
            return reply(Envelope(data: traces, total: traces.count))
        }
        router.get("/api/dependencies") { request, _ in
            let now = Timestamps.now() / 1_000_000
            let parameters = request.uri.queryParameters
            guard let endTs = parameters["endTs"].map({ Int64(String($0)) }) ?? now else {
                return failure(.badRequest, "unable to parse param 'endTs': milliseconds since the epoch expected")
            }
            guard let lookback = parameters["lookback"].map({ Int64(String($0)) }) ?? 86_400_000 else {
                return failure(.badRequest, "unable to parse param 'lookback': milliseconds expected")
            }
            let window = dependencyWindow(endTs: endTs, lookback: lookback)
            let links = try await reader.dependencies(since: window.since, until: window.until)
            let data = links.map { Dependency(parent: $0.parent, child: $0.child, callCount: $0.calls) }
            return reply(Envelope(data: data, total: data.count))
        }
    }

    struct BadParameter: Error {
        var message: String
    }

    /// A path parameter, percent-decoded (a service name with a space or a non-ASCII letter).
    static func pathParameter(_ context: BasicRequestContext, _ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// `/api/dependencies`' window in nanoseconds: from `lookback` ms before `endTs` (ms since
    /// the epoch) to `endTs`. Any 64-bit numbers may come: a bound beyond what nanoseconds hold
    /// is clamped to the earliest or latest time.
    static func dependencyWindow(endTs: Int64, lookback: Int64) -> (since: Int64, until: Int64) {
        func nanoseconds(_ ms: Int64) -> Int64 {
            let (ns, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
            return overflow ? (ms < 0 ? .min : .max) : ns
        }
        let (start, overflow) = endTs.subtractingReportingOverflow(lookback)
        return (overflow ? (lookback > 0 ? .min : .max) : nanoseconds(start), nanoseconds(endTs))
    }

    /// Jaeger's trace search parameters: `service` (required), `operation`, `tags` (a JSON
    /// object) or `tag=key:value`, `start`/`end` (µs; default the last two days), `minDuration`/
    /// `maxDuration` (Go durations: `1.2s`, `100ms`, `5us`), `limit` (default 100).
    static func parseSearch(_ pairs: [(String, String)]) throws(BadParameter) -> SpanSearch {
        var parameters: [String: String] = [:]
        for (key, value) in pairs where parameters[key] == nil { parameters[key] = value }
        guard let service = parameters["service"], !service.isEmpty else {
            throw BadParameter(message: "parameter 'service' is required")
        }
        let now = Timestamps.now()
        func micros(_ name: String, default value: Int64) throws(BadParameter) -> Int64 {
            guard let text = parameters[name], !text.isEmpty else { return value }
            guard let v = Int64(text) else { throw BadParameter(message: "unable to parse param '\(name)': '\(text)' is not microseconds") }
            return v.multipliedReportingOverflow(by: 1000).overflow ? Int64.max : v * 1000
        }
        func duration(_ name: String) throws(BadParameter) -> Int64? {
            guard let text = parameters[name], !text.isEmpty else { return nil }
            guard let ns = goDuration(text) else {
                throw BadParameter(message: "unable to parse param '\(name)': '\(text)' is not a duration such as 1.2s, 100ms or 5us")
            }
            return ns
        }
        var tags: [String: String] = [:]
        for (key, value) in pairs where key == "tag" {
            let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw BadParameter(message: "malformed 'tag' parameter, expecting key:value, received: \(value)") }
            tags[String(parts[0])] = String(parts[1])
        }
        if let json = parameters["tags"], !json.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
                throw BadParameter(message: "malformed 'tags' parameter, cannot unmarshal JSON: \(json)")
            }
            for (key, value) in object {
                // Jaeger UI sends strings; a script may send a number.
                if let string = value as? String {
                    tags[key] = string
                } else if let number = value as? NSNumber {
                    tags[key] = number.stringValue
                } else {
                    throw BadParameter(message: "malformed 'tags' parameter, the value of '\(key)' is not a string or a number")
                }
            }
        }
        var limit = 100
        if let text = parameters["limit"], !text.isEmpty {
            guard let v = Int(text), v >= 0 else { throw BadParameter(message: "unable to parse param 'limit': '\(text)'") }
            limit = v == 0 ? 100 : min(v, 1500)
        }
        let minDuration = try duration("minDuration"), maxDuration = try duration("maxDuration")
        if let minDuration, let maxDuration, maxDuration < minDuration {
            throw BadParameter(message: "'maxDuration' should be greater than 'minDuration'")
        }
        let operation = parameters["operation"].flatMap { $0.isEmpty || $0 == "all" ? nil : $0 }
        var search = SpanSearch(
            service: service, operation: operation, tags: tags,
            since: try micros("start", default: now - 48 * 3600 * 1_000_000_000), until: try micros("end", default: now),
            minDuration: minDuration, maxDuration: maxDuration, limit: limit)
        search.spanKind = parameters["spanKind"].flatMap { $0.isEmpty ? nil : $0 }
        return search
    }

    /// Go's `time.ParseDuration` forms: a sequence of decimal numbers each with a unit (`ns`,
    /// `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `1h15m`, `1.5s`, `300ms`.
    static func goDuration(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let (unit, scale) = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return total < 9.2e18 ? Int64(total) : nil
    }

    // MARK: The JSON model

    struct Envelope<T: Encodable>: Encodable {
        var data: T?
        var total: Int = 0
        var limit: Int = 0
        var offset: Int = 0
        var errors: [JaegerError]? = nil

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(data, forKey: .data)
            try c.encode(total, forKey: .total)
            try c.encode(limit, forKey: .limit)
            try c.encode(offset, forKey: .offset)
            try c.encode(errors, forKey: .errors)
        }

        enum CodingKeys: String, CodingKey { case data, total, limit, offset, errors }
    }

    struct JaegerError: Encodable {
        var code: Int
        var msg: String
    }

    struct Operation: Encodable {
        var name: String
        var spanKind: String
    }

    struct Dependency: Encodable {
        var parent: String
        var child: String
        var callCount: Int
    }

    static func reply<T: Encodable>(_ envelope: Envelope<T>, status: HTTPResponse.Status = .ok) -> Response {
        JSONReply.response(envelope, status: status)
    }

    static func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        reply(Envelope<[String]>(data: nil, errors: [JaegerError(code: Int(status.code), msg: message)]), status: status)
    }
}

/// One trace in Jaeger's JSON model.
struct JaegerTrace: Encodable {
    var traceID: String
    var spans: [Span]
    var processes: [String: Process]
    var warnings: [String]?

    struct Span: Encodable {
        var traceID: String
        var spanID: String
        var operationName: String
        /// Always written, `[]` for a root: Grafana up to 12.0 maps over them.
        var references: [Reference]
        var startTime: Int64
        var duration: Int64
        var tags: [KeyValue]
        var logs: [Log]
        var processID: String
        var warnings: [String]?
    }

    struct Reference: Encodable {
        var refType = "CHILD_OF"
        var traceID: String
        var spanID: String
    }

    struct Process: Encodable {
        var serviceName: String
        var tags: [KeyValue] = []
    }

    struct Log: Encodable {
        var timestamp: Int64
        var fields: [KeyValue]
    }

    /// A typed tag: `string`, `bool`, `int64`, `float64` or `binary` (base64), as Jaeger's `KeyValue`.
    struct KeyValue: Encodable {
        var key: String
        var value: Value

        enum Value {
            case string(String)
            case bool(Bool)
            case int64(Int64)
            case float64(Double)
            case binary(String)

            init(_ attribute: SpanAttribute) {
                self = attribute.isBinary ? .binary(attribute.value.description) : .init(attribute.value)
            }

            init(_ value: FieldValue) {
                switch value {
                case .string(let s): self = .string(s)
                case .integer(let i): self = .int64(i)
                case .float(let d): self = .float64(d)
                case .bool(let b): self = .bool(b)
                case .null: self = .string("")
                }
            }
        }

        init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case key, type, value }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            switch value {
            case .string(let s):
                try c.encode("string", forKey: .type)
                try c.encode(s, forKey: .value)
            case .bool(let b):
                try c.encode("bool", forKey: .type)
                try c.encode(b, forKey: .value)
            case .int64(let i):
                try c.encode("int64", forKey: .type)
                // Beyond JavaScript's exact integers (2^53 − 1) Jaeger writes the decimal as a string.
                if i > 9_007_199_254_740_991 || i < -9_007_199_254_740_991 {
                    try c.encode(String(i), forKey: .value)
                } else {
                    try c.encode(i, forKey: .value)
                }
            case .binary(let base64):
                // Jaeger's JSON model writes bytes as Go's encoding/json does: base64.
                try c.encode("binary", forKey: .type)
                try c.encode(base64, forKey: .value)
            case .float64(let d):
                try c.encode("float64", forKey: .type)
                try c.encode(d.isFinite ? d : 0, forKey: .value)
            }
        }
    }

    /// A joined line as a span log: its time (the span's start when the line's cannot be read)
    /// and its message, level, source, rule and captured fields.
    static func log(_ record: LogRecord, owner: SpanRecord) -> Log {
        let time = record.effectiveNanoseconds ?? owner.start
        var fields = [KeyValue("event", .string("log")), KeyValue("message", .string(record.message ?? record.raw))]
        if let level = record.level { fields.append(KeyValue("level", .string(level))) }
        fields.append(KeyValue("source", .string(record.source)))
        fields.append(KeyValue("rule", .string(record.rule)))
        for field in record.fields {
            switch field.value {
            case .string(let s): fields.append(KeyValue(field.name, .string(s)))
            case .integer(let i): fields.append(KeyValue(field.name, .int64(i)))
            case .float(let d): fields.append(KeyValue(field.name, .float64(d)))
            case .bool(let b): fields.append(KeyValue(field.name, .bool(b)))
            case .null: continue
            }
        }
        return Log(timestamp: time / 1000, fields: fields)
    }

    /// Jaeger writes a trace ID as 16 hex digits when its high half is zero (or, for Datadog's
    /// 64-bit IDs, unknown), else 32.
    static func hex(_ id: TraceID) -> String {
        guard let high = id.high, high != 0 else { return SpanID(id.low).hex }
        return id.hex
    }

    init(_ stored: StoredTrace, id: TraceID) {
        let view = TraceView(stored, queried: id)
        traceID = Self.hex(view.id)
        let traceHex = traceID
        // One process per service and resource (a service on two hosts is two processes, as
        // Jaeger keeps them): the resource's attributes are the process's tags.
        var processIDs: [ProcessKey: String] = [:]
        var processTable: [String: Process] = [:]
        var spans = stored.spans
        var warnings: [String] = []
        // A trace of lines only: one span stands for them, so that both UIs show the lines.
        if spans.isEmpty, !stored.logs.isEmpty {
            let times = stored.logs.compactMap(\.effectiveNanoseconds)
            let start = times.min() ?? 0
            let (span, overflow) = (times.max() ?? start).subtractingReportingOverflow(start)
            spans = [SpanRecord(traceID: view.id, spanID: SpanID(view.id.low == 0 ? 1 : view.id.low), parentID: nil, service: "tracejoin",
                                name: Self.linesOnlyOperation, resource: "", start: start, duration: overflow ? .max : span, error: false,
                                protocolName: "tracejoin")]
            warnings.append("no span of this trace was received: its log lines are shown on a span that stands for them")
        }
        func process(_ s: SpanRecord) -> String {
            var tags = s.details.resource.filter { $0.key != "service.name" }
            // From the fleet service: the host that reported the span, as Jaeger's `hostname`.
            if let host = s.meta["tracejoin.host"], !tags.contains(where: { $0.key == "hostname" }) {
                tags.append(SpanAttribute("hostname", .string(host)))
            }
            let key = ProcessKey(service: s.service, tags: tags)
            if let pid = processIDs[key] { return pid }
            let pid = "p\(processIDs.count + 1)"
            processIDs[key] = pid
            processTable[pid] = Process(serviceName: s.service, tags: key.tags.map { KeyValue($0.key, .init($0)) })
            return pid
        }
        var logsBySpan: [UInt64: [Log]] = [:]
        for owner in spans where logsBySpan[owner.spanID.value] == nil {
            logsBySpan[owner.spanID.value] = view.logs(of: owner.spanID).map { Self.log($0, owner: owner) }
                + owner.details.events.map(Self.log)
        }
        let ordered = spans.sorted { ($0.start, $0.spanID.value) < ($1.start, $1.spanID.value) }
        // Lines whose span is not in the trace: on the root (the first span without a parent in
        // the trace), marked with the span they name, where both UIs show a span's logs.
        let known = Set(spans.map(\.spanID.value))
        if let root = ordered.first(where: { $0.parentID.map { !known.contains($0.value) } ?? true }) {
            let orphans = stored.spans.isEmpty ? [] : view.unmatched
            if stored.spans.isEmpty {
                logsBySpan[root.spanID.value, default: []] += stored.logs.map { Self.log($0, owner: root) }
            } else {
                logsBySpan[root.spanID.value, default: []] += orphans.map { line in
                    var log = Self.log(line, owner: root)
                    log.fields.append(KeyValue("tracejoin.unmatched_span_id", .string(line.spanID?.hex ?? "")))
                    return log
                }
            }
            warnings += orphans.map { "log line without a span in this trace, shown on the root span: \(TerminalText.escape(String($0.raw.prefix(200))))" }
        }
        let jaegerSpans = ordered.map { s in
            var tags: [KeyValue] = []
            if !s.resource.isEmpty && s.resource != s.name { tags.append(KeyValue("resource.name", .string(s.resource))) }
            if !s.type.isEmpty { tags.append(KeyValue("span.type", .string(s.type))) }
            if s.error { tags.append(KeyValue("error", .bool(true))) }
            for tag in s.tags {
                // A whole number sent as a double (Datadog's metrics) reads as an integer.
                if case .float(let value) = tag.value, value.rounded() == value, abs(value) < 9e15 {
                    tags.append(KeyValue(tag.key, .int64(Int64(value))))
                } else {
                    tags.append(KeyValue(tag.key, .init(tag)))
                }
            }
            tags.append(KeyValue("tracejoin.protocol", .string(s.protocolName)))
            var references = s.parentID.map { [Reference(traceID: traceHex, spanID: $0.hex)] } ?? []
            references += s.details.links.map { Reference(refType: "FOLLOWS_FROM", traceID: Self.hex($0.traceID), spanID: $0.spanID.hex) }
            let logs = (logsBySpan[s.spanID.value] ?? []).sorted { $0.timestamp < $1.timestamp }
            return Span(
                traceID: traceHex, spanID: s.spanID.hex, operationName: s.name, references: references,
                startTime: s.start / 1000, duration: s.duration / 1000, tags: tags, logs: logs,
                processID: process(s), warnings: nil)
        }
        self.spans = jaegerSpans
        processes = processTable
        if stored.logsOmitted > 0 { warnings.append("\(stored.logsOmitted) more log lines of this trace are not shown") }
        self.warnings = warnings.isEmpty ? nil : warnings
    }

    /// The operation of the span that stands for a trace's lines when none of its spans came.
    static let linesOnlyOperation = "log lines (no spans received)"

    struct ProcessKey: Hashable {
        var service: String
        var tags: [SpanAttribute]
    }

    /// A span event as a span log: its name as the field `event`, its attributes as fields (as
    /// Jaeger's OTLP translator writes them).
    static func log(_ event: SpanDetails.Event) -> Log {
        Log(timestamp: event.time / 1000,
            fields: [KeyValue("event", .string(event.name))] + event.attributes.map { KeyValue($0.key, .init($0)) })
    }
}
