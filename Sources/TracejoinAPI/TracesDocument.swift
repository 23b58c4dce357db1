import TraceContext
import TracejoinModel
import TracejoinSupport

/// `GET /v1/traces`: most recent first.
public struct TracesDocument: Codable, Sendable, Equatable {
    public var traces: [Entry]

    public init(traces: [Entry]) {
        self.traces = traces
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var trace_id: String
        public var trace_id_dd: String
        public var root: String?
        public var services: [String]
        public var start: String
        public var duration_ns: Int64
        public var spans: Int
        public var errors: Int
        public var logs: Int

        public init(_ s: TraceSummary) {
            trace_id = s.traceID.hex
            trace_id_dd = s.traceID.lowDecimal
            root = s.rootName
            services = s.services
            start = Timestamps.iso8601(nanoseconds: s.start)
            duration_ns = s.duration
            spans = s.spans
            errors = s.errors
            logs = s.logs
        }
    }
}

extension TraceSummary {
    /// From its first span's start to its last span's end. Spans may be sent with any start
    /// (Datadog's is a signed 64-bit number): a trace that spans more than nanoseconds hold
    /// reads as the longest one rather than overflowing.
    public var duration: Int64 {
        let (d, overflow) = end.subtractingReportingOverflow(start)
        return overflow ? (end > start ? .max : 0) : max(0, d)
    }
}
