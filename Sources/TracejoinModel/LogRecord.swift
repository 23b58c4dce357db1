import TraceContext

/// One parsed log line (or multiline record) on its way to the index.
public struct LogRecord: Sendable, Hashable {
    /// The trace it was written under; `nil` when the line's trace ID was invalid
    /// (then ``idError`` says why and the record is kept for inspection).
    public var traceID: TraceID?
    public var spanID: SpanID?
    /// The `timestamp` field as written in the line.
    public var time: String?
    public var level: String?
    public var message: String?
    /// The path of the file the line came from.
    public var file: String
    /// The rule file's `source:` name.
    public var source: String
    /// The name of the rule that matched.
    public var rule: String
    /// The line as read (invalid UTF-8 shown as U+FFFD).
    public var raw: String
    /// Every other captured field, in capture order.
    public var fields: [Field]
    /// Why an ID field could not be used, e.g. `span_id: 'x' at offset 0 is not a decimal digit`.
    public var idError: String?

    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var value: FieldValue
        public init(name: String, value: FieldValue) {
            self.name = name
            self.value = value
        }
        public init(name: String, value: String) {
            self.init(name: name, value: .string(value))
        }
    }

    public init(
        traceID: TraceID?, spanID: SpanID?, time: String? = nil, level: String? = nil, message: String? = nil,
        file: String, source: String, rule: String, raw: String, fields: [Field] = [], idError: String? = nil
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.time = time
        self.level = level
        self.message = message
        self.file = file
        self.source = source
        self.rule = rule
        self.raw = raw
        self.fields = fields
        self.idError = idError
    }
}
