import Foundation
import TraceContext
import TracejoinModel

/// The JSON answer to `GET /v1/traces/{id}` as a client reads it back: the spans as a tree, each
/// with its log lines. The server writes it from a ``TraceView`` (``TraceView/json()``); this
/// type only decodes it (the CLI draws its tree from it).
///
/// Every ID is a JSON string. Timestamps in nanoseconds are strings too (they exceed 2^53).
public struct TraceDocument: Decodable, Sendable, Equatable {
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

    /// A document a client puts together itself (the CLI, for one span): its summary is
    /// computed from the spans given.
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

    public struct Span: Decodable, Sendable, Equatable {
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

    public struct Log: Decodable, Sendable, Equatable {
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
