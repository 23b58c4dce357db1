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
    public var spans: [Span]
    /// Lines carrying this trace ID whose span is not (yet) known.
    public var unmatched_logs: [Log]

    public init(trace_id: String, trace_id_dd: String, spans: [Span], unmatched_logs: [Log]) {
        self.trace_id = trace_id
        self.trace_id_dd = trace_id_dd
        self.spans = spans
        self.unmatched_logs = unmatched_logs
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
        trace_id = full.hex
        trace_id_dd = full.lowDecimal

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
        spans = tree
        unmatched_logs = unmatched
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
