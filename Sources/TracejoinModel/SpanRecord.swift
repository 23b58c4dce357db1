import TraceContext

/// One span as received on the intake socket, whatever protocol it came by.
public struct SpanRecord: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// `nil` for a root span.
    public var parentID: SpanID?
    public var service: String
    public var name: String
    public var resource: String
    public var type: String
    /// Start, nanoseconds since the Unix epoch.
    public var start: Int64
    /// Duration in nanoseconds.
    public var duration: Int64
    public var error: Bool
    public var meta: [String: String]
    /// Numeric tags (Datadog `metrics`, numeric OTLP attributes).
    public var metrics: [String: Double]
    /// How the span arrived: `ndjson`, `datadog-v0.4`, `datadog-v0.5`, `otlp`.
    public var protocolName: String

    public init(
        traceID: TraceID, spanID: SpanID, parentID: SpanID?, service: String, name: String, resource: String,
        type: String = "", start: Int64, duration: Int64, error: Bool, meta: [String: String] = [:],
        metrics: [String: Double] = [:], protocolName: String
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.service = service
        self.name = name
        self.resource = resource
        self.type = type
        self.start = start
        self.duration = duration
        self.error = error
        self.meta = meta
        self.metrics = metrics
        self.protocolName = protocolName
    }
}
