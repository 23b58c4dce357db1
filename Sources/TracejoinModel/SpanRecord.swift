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
    /// What a tracer sent beyond the columns: events, links, resource attributes and the exact
    /// types of attributes (empty for most Datadog spans).
    public var details = SpanDetails()

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

/// An attribute with its type: `.integer` is exact to 64 bits, `.bool` a boolean. Bytes (OTLP's
/// `bytesValue`) are kept as their base64 text with ``isBinary`` set, so Jaeger's `binary` type
/// and OTLP's `bytesValue` can be written back.
public struct SpanAttribute: Sendable, Hashable {
    public var key: String
    public var value: FieldValue
    /// The tracer sent bytes; `value` is `.string` of their base64.
    public var isBinary: Bool
    public init(_ key: String, _ value: FieldValue, isBinary: Bool = false) {
        self.key = key
        self.value = value
        self.isBinary = isBinary
    }
}

/// A span's events (OTLP span events, Zipkin annotations: an exception, a retry), its links to
/// other spans, its resource's attributes, and the attributes whose type `meta` (text) and
/// `metrics` (doubles) would lose: booleans and integers.
public struct SpanDetails: Sendable, Hashable {
    public var events: [Event] = []
    public var links: [Link] = []
    /// The resource's attributes, `service.name` included.
    public var resource: [SpanAttribute] = []
    /// Span attributes that are booleans, integers or bytes, with their type.
    public var typed: [SpanAttribute] = []

    public struct Event: Sendable, Hashable {
        /// Nanoseconds since the epoch.
        public var time: Int64
        public var name: String
        public var attributes: [SpanAttribute]
        public init(time: Int64, name: String, attributes: [SpanAttribute] = []) {
            self.time = time
            self.name = name
            self.attributes = attributes
        }
    }

    public struct Link: Sendable, Hashable {
        public var traceID: TraceID
        public var spanID: SpanID
        public var attributes: [SpanAttribute]
        public init(traceID: TraceID, spanID: SpanID, attributes: [SpanAttribute] = []) {
            self.traceID = traceID
            self.spanID = spanID
            self.attributes = attributes
        }
    }

    public init(events: [Event] = [], links: [Link] = [], resource: [SpanAttribute] = [], typed: [SpanAttribute] = []) {
        self.events = events
        self.links = links
        self.resource = resource
        self.typed = typed
    }

    public var isEmpty: Bool { events.isEmpty && links.isEmpty && resource.isEmpty && typed.isEmpty }
}

extension SpanRecord {
    /// The span's tags as the tracer sent them: `meta` then `metrics` (each by key), with the
    /// type the tracer gave (``SpanDetails/typed``: booleans, exact integers; other numbers are
    /// `.float`), and without the `resource.*` copies of the resource's attributes, which
    /// belong to the resource (``SpanDetails/resource``).
    public var tags: [SpanAttribute] {
        let resourceKeys = Set(details.resource.map { "resource." + $0.key })
        let typed = Dictionary(details.typed.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let text = meta.sorted { $0.key < $1.key }.filter { !resourceKeys.contains($0.key) }
            .map { typed[$0.key] ?? SpanAttribute($0.key, .string($0.value)) }
        let numbers = metrics.sorted { $0.key < $1.key }.filter { !resourceKeys.contains($0.key) }
            .map { typed[$0.key] ?? SpanAttribute($0.key, .float($0.value)) }
        return text + numbers
    }
}
