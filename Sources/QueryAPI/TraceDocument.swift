import Foundation
import TraceContext
import TracejoinModel

/// The JSON answer to `GET /v1/traces/{id}`: the spans as a tree, each with its log lines.
///
/// Every ID is a JSON string. Timestamps in nanoseconds are strings too (they exceed 2^53).
public struct TraceDocument: Codable, Sendable, Equatable {
    /// 32 hex digits when the high half is known, else 16.
    public var trace_id: String
    /// The low 64 bits in decimal, as Datadog shows them.
    public var trace_id_dd: String
    /// The earliest span's start (RFC 3339), `nil` while no span is known.
    public var start: String?
    /// From the earliest span start to the latest span end.
    public var duration_ns: Int64
    /// Spans marked as errors.
    public var errors: Int
    /// The services of its spans, sorted.
    public var services: [String]
    public var span_count: Int
    /// Every line of the trace, including those left out of this document.
    public var log_count: Int
    /// Lines beyond the document's limit (`?logs_limit=`), oldest kept: they are paged, newest
    /// first, by ``logs_more``.
    public var logs_omitted: Int = 0
    /// Where the omitted lines page (`/v1/logs?trace_id=…`), `nil` when none were omitted.
    public var logs_more: String?
    public var spans: [Span]
    /// Lines carrying this trace ID whose span is not (yet) known.
    public var unmatched_logs: [Log]

    public init(trace_id: String, trace_id_dd: String, spans: [Span], unmatched_logs: [Log]) {
        self.trace_id = trace_id
        self.trace_id_dd = trace_id_dd
        self.spans = spans
        self.unmatched_logs = unmatched_logs
        var all: [Span] = []
        func walk(_ s: Span) {
            all.append(s)
            s.children.forEach(walk)
        }
        spans.forEach(walk)
        let starts = all.compactMap { Int64($0.start_ns) }
        let first = starts.min()
        start = all.first { Int64($0.start_ns) == first }?.start
        duration_ns = first.map { f in (all.compactMap { s in Int64(s.start_ns).map { $0 + s.duration_ns } }.max() ?? f) - f } ?? 0
        errors = all.filter(\.error).count
        services = Set(all.map(\.service)).sorted()
        span_count = all.count
        log_count = all.reduce(unmatched_logs.count) { $0 + $1.logs.count }
    }

    public struct Span: Codable, Sendable, Equatable {
        public var span_id: String
        public var span_id_dd: String
        public var parent_id: String?
        public var service: String
        public var name: String
        public var resource: String
        public var type: String
        public var start: String
        public var start_ns: String
        public var duration_ns: Int64
        public var error: Bool
        public var meta: [String: String]
        public var metrics: [String: Double]
        public var `protocol`: String
        public var children: [Span]
        public var logs: [Log]
    }

    public struct Log: Codable, Sendable, Equatable {
        public var time: String?
        public var level: String?
        public var message: String?
        /// The file the line was read from.
        public var source: String
        /// The rule file's `source:` name.
        public var source_name: String
        public var rule: String
        public var raw: String
        public var span_id: String?
        public var span_id_dd: String?
        public var fields: [String: FieldValue]
        public var id_error: String?
    }
}

extension TraceDocument {
    /// Joins stored spans and logs into the tree. Spans whose parent is not in the trace are
    /// roots; children are ordered by start time; log lines keep their arrival order.
    public init(_ stored: StoredTrace, queried: TraceID) {
        // The most complete form of the ID: a high half known from any span or line.
        let high = queried.high ?? stored.spans.lazy.compactMap(\.traceID.high).first
            ?? stored.logs.lazy.compactMap { $0.traceID?.high }.first
        let full = TraceID(high: high, low: queried.low)

        let known = Set(stored.spans.map(\.spanID))
        var logsBySpan: [SpanID: [Log]] = [:]
        var unmatched: [Log] = []
        for record in stored.logs {
            let log = Log(record)
            if let span = record.spanID, known.contains(span) {
                logsBySpan[span, default: []].append(log)
            } else {
                unmatched.append(log)
            }
        }
        var children: [SpanID: [SpanRecord]] = [:]
        var roots: [SpanRecord] = []
        for span in stored.spans {
            if let parent = span.parentID, parent != span.spanID, known.contains(parent) {
                children[parent, default: []].append(span)
            } else {
                roots.append(span)
            }
        }
        // Each span is placed once. Spans on a parent cycle (bad input) are reached from none
        // of the roots; they are shown as roots of their own rather than dropped.
        var placed = Set<SpanID>()
        func build(_ span: SpanRecord) -> Span {
            placed.insert(span.spanID)
            let kids = (children[span.spanID] ?? []).filter { !placed.contains($0.spanID) }.sorted { $0.start < $1.start }
            return Span(span, children: kids.map { build($0) }, logs: logsBySpan[span.spanID] ?? [])
        }
        var tree = roots.sorted { $0.start < $1.start }.map { build($0) }
        for span in stored.spans where !placed.contains(span.spanID) {
            tree.append(build(span))
        }
        self.init(trace_id: full.hex, trace_id_dd: full.lowDecimal, spans: tree, unmatched_logs: unmatched)
        if stored.logsOmitted > 0 {
            logs_omitted = stored.logsOmitted
            log_count += stored.logsOmitted
            logs_more = "/v1/logs?trace_id=\(full.hex)&limit=1000"
        }
    }
}

extension TraceDocument.Span {
    init(_ s: SpanRecord, children: [TraceDocument.Span], logs: [TraceDocument.Log]) {
        span_id = s.spanID.hex
        span_id_dd = s.spanID.decimal
        parent_id = s.parentID?.hex
        service = s.service
        name = s.name
        resource = s.resource
        type = s.type
        start = Timestamps.iso8601(nanoseconds: s.start)
        start_ns = String(s.start)
        duration_ns = s.duration
        error = s.error
        meta = s.meta
        metrics = s.metrics
        self.protocol = s.protocolName
        self.children = children
        self.logs = logs
    }
}

extension TraceDocument.Log {
    init(_ r: LogRecord) {
        time = r.time
        level = r.level
        message = r.message
        source = r.file
        source_name = r.source
        rule = r.rule
        raw = r.raw
        span_id = r.spanID?.hex
        span_id_dd = r.spanID?.decimal
        fields = Dictionary(r.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        id_error = r.idError
    }
}

// Absent values are written as JSON null, not left out: a reader can rely on every key.
extension TraceDocument.Span {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(span_id, forKey: .span_id)
        try c.encode(span_id_dd, forKey: .span_id_dd)
        try c.encode(parent_id, forKey: .parent_id)
        try c.encode(service, forKey: .service)
        try c.encode(name, forKey: .name)
        try c.encode(resource, forKey: .resource)
        try c.encode(type, forKey: .type)
        try c.encode(start, forKey: .start)
        try c.encode(start_ns, forKey: .start_ns)
        try c.encode(duration_ns, forKey: .duration_ns)
        try c.encode(error, forKey: .error)
        try c.encode(meta, forKey: .meta)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(self.protocol, forKey: .protocol)
        try c.encode(logs, forKey: .logs)
        try c.encode(children, forKey: .children)
    }
}

extension TraceDocument.Log {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(level, forKey: .level)
        try c.encode(message, forKey: .message)
        try c.encode(span_id, forKey: .span_id)
        try c.encode(span_id_dd, forKey: .span_id_dd)
        try c.encode(source, forKey: .source)
        try c.encode(source_name, forKey: .source_name)
        try c.encode(rule, forKey: .rule)
        try c.encode(fields, forKey: .fields)
        try c.encode(raw, forKey: .raw)
        try c.encode(id_error, forKey: .id_error)
    }
}

// The same document written straight to bytes, member for member as `encode(to:)` writes it:
// a trace of a few hundred lines costs JSONEncoder more than finding it in the index.
extension TraceDocument {
    public func json() -> [UInt8] {
        var w = JSONWriter(capacity: 1024 + 512 * log_count)
        w.objectStart()
        w.member("trace_id", trace_id)
        w.member("trace_id_dd", trace_id_dd)
        w.member("start", start)
        w.member("duration_ns", duration_ns)
        w.member("errors", Int64(errors))
        w.key("services")
        w.arrayStart()
        for s in services { w.string(s) }
        w.arrayEnd()
        w.member("span_count", Int64(span_count))
        w.member("log_count", Int64(log_count))
        w.member("logs_omitted", Int64(logs_omitted))
        if let logs_more { w.member("logs_more", logs_more) }
        w.key("spans")
        Self.write(spans, to: &w)
        w.key("unmatched_logs")
        Self.write(unmatched_logs, to: &w)
        w.objectEnd()
        return w.bytes
    }

    static func write(_ spans: [Span], to w: inout JSONWriter) {
        w.arrayStart()
        for s in spans {
            w.objectStart()
            w.member("span_id", s.span_id)
            w.member("span_id_dd", s.span_id_dd)
            w.member("parent_id", s.parent_id)
            w.member("service", s.service)
            w.member("name", s.name)
            w.member("resource", s.resource)
            w.member("type", s.type)
            w.member("start", s.start)
            w.member("start_ns", s.start_ns)
            w.member("duration_ns", s.duration_ns)
            w.member("error", s.error)
            w.key("meta")
            w.objectStart()
            for (k, v) in s.meta.sorted(by: { $0.key < $1.key }) { w.member(k, v) }
            w.objectEnd()
            w.key("metrics")
            w.objectStart()
            for (k, v) in s.metrics.sorted(by: { $0.key < $1.key }) {
                w.key(k)
                w.value(.float(v))
            }
            w.objectEnd()
            w.member("protocol", s.protocol)
            w.key("logs")
            write(s.logs, to: &w)
            w.key("children")
            write(s.children, to: &w)
            w.objectEnd()
        }
        w.arrayEnd()
    }

    static func write(_ logs: [Log], to w: inout JSONWriter) {
        w.arrayStart()
        for l in logs { l.write(to: &w) }
        w.arrayEnd()
    }
}

extension TraceDocument.Log {
    /// This line as a JSON object, as `encode(to:)` writes it.
    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.member("time", time)
        w.member("level", level)
        w.member("message", message)
        w.member("span_id", span_id)
        w.member("span_id_dd", span_id_dd)
        w.member("source", source)
        w.member("source_name", source_name)
        w.member("rule", rule)
        w.key("fields")
        w.objectStart()
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
            w.key(k)
            w.value(v)
        }
        w.objectEnd()
        w.member("raw", raw)
        w.member("id_error", id_error)
        w.objectEnd()
    }
}
