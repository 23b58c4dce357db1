import TraceContext
import TracejoinSupport

/// One parsed log line (or multiline record) on its way to the index.
///
/// The line is kept once, as `raw`. A parser that read the line's bytes unchanged (valid UTF-8)
/// gives the parsed text — time, level, message, text fields — as byte ranges of `raw` (see
/// ``Text``) rather than strings of their own: no string is made per field, and the block
/// encoder stores them as references into the line without looking for them. The properties
/// read and write strings as before; a value set from outside is kept as its own string.
public struct LogRecord: Sendable, Hashable {
    /// The trace it was written under; `nil` when the line's trace ID was invalid
    /// (then ``idError`` says why and the record is kept for inspection).
    public var traceID: TraceID?
    public var spanID: SpanID?
    /// The path of the file the line came from.
    public var file: String
    /// The rule file's `source:` name.
    public var source: String
    /// The name of the rule that matched.
    public var rule: String
    /// The line as read (invalid UTF-8 shown as U+FFFD).
    public var raw: String
    /// Why an ID field could not be used, e.g. `span_id: 'x' at offset 0 is not a decimal digit`.
    public var idError: String?
    /// The line's own time (its `timestamp` as the rule reads it: format, zone), in nanoseconds
    /// since the epoch; `nil` when the line has no time the rule could read. Parsed once, at
    /// ingest, and stored; every view orders and places the line by it (docs/grok.md, "Times").
    public var timeNanoseconds: Int64?

    /// Where the parsed text is: the stored forms of `time`, `level`, `message`.
    public var timeText: Text?
    public var levelText: Text?
    public var messageText: Text?
    /// The other captured fields, in capture order, text ones possibly as ranges of `raw`.
    public var fieldTexts: [FieldText]
    /// Where the trace and span IDs' text is in `raw`, when the parser knows (the encoder
    /// then cuts it out of the stored line without looking for it).
    public var traceIDRange: Range<Int>?
    public var spanIDRange: Range<Int>?

    /// A parsed value: a range of the record's `raw` (UTF-8 byte offsets), or a value of its own.
    public enum Text: Sendable, Hashable {
        case inLine(Range<Int>)
        case own(String)
    }

    /// A captured field as stored: its value, or a range of `raw` for text taken as it is.
    public struct FieldText: Sendable, Hashable {
        public var name: String
        public var value: Value
        public enum Value: Sendable, Hashable {
            case inLine(Range<Int>)
            case own(FieldValue)
        }
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
    }

    /// The `timestamp` field as written in the line.
    public var time: String? {
        get { timeText.map(string) }
        set { timeText = newValue.map(Text.own) }
    }
    public var level: String? {
        get { levelText.map(string) }
        set { levelText = newValue.map(Text.own) }
    }
    public var message: String? {
        get { messageText.map(string) }
        set { messageText = newValue.map(Text.own) }
    }
    /// Every other captured field, in capture order.
    public var fields: [Field] {
        get {
            fieldTexts.map { f in
                switch f.value {
                case .own(let v): return Field(name: f.name, value: v)
                case .inLine(let r): return Field(name: f.name, value: .string(substring(r)))
                }
            }
        }
        set { fieldTexts = newValue.map { FieldText(name: $0.name, value: .own($0.value)) } }
    }

    /// The string a stored text stands for.
    public func string(_ text: Text) -> String {
        switch text {
        case .own(let s): return s
        case .inLine(let r): return substring(r)
        }
    }

    /// `raw`'s bytes in `range` as a string (empty if `raw` no longer reaches that far).
    public func substring(_ range: Range<Int>) -> String {
        var raw = raw
        return raw.withUTF8 { bytes in
            guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return "" }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
    }

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

    /// A record whose parsed text is given as ranges of `raw` (which must hold the line's
    /// bytes unchanged).
    public init(traceID: TraceID?, spanID: SpanID?, raw: String, time: Text?, level: Text?, message: Text?,
                fields: [FieldText], file: String, source: String, rule: String, idError: String? = nil,
                traceIDRange: Range<Int>? = nil, spanIDRange: Range<Int>? = nil, timeNanoseconds: Int64? = nil) {
        self.timeNanoseconds = timeNanoseconds
        self.traceID = traceID
        self.spanID = spanID
        self.raw = raw
        timeText = time
        levelText = level
        messageText = message
        fieldTexts = fields
        self.file = file
        self.source = source
        self.rule = rule
        self.idError = idError
        self.traceIDRange = traceIDRange
        self.spanIDRange = spanIDRange
    }

    // Equal when they read the same, however their text is stored.
    public static func == (a: LogRecord, b: LogRecord) -> Bool {
        a.traceID == b.traceID && a.spanID == b.spanID && a.raw == b.raw && a.file == b.file && a.source == b.source
            && a.rule == b.rule && a.idError == b.idError && a.time == b.time && a.level == b.level && a.message == b.message
            && a.fields == b.fields && a.timeNanoseconds == b.timeNanoseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(traceID)
        hasher.combine(spanID)
        hasher.combine(raw)
        hasher.combine(rule)
        hasher.combine(message)
    }

    public init(
        traceID: TraceID?, spanID: SpanID?, time: String? = nil, level: String? = nil, message: String? = nil,
        file: String, source: String, rule: String, raw: String, fields: [Field] = [], idError: String? = nil,
        timeNanoseconds: Int64? = nil
    ) {
        self.timeNanoseconds = timeNanoseconds
        self.traceID = traceID
        self.spanID = spanID
        timeText = time.map(Text.own)
        levelText = level.map(Text.own)
        messageText = message.map(Text.own)
        self.file = file
        self.source = source
        self.rule = rule
        self.raw = raw
        fieldTexts = fields.map { FieldText(name: $0.name, value: .own($0.value)) }
        self.idError = idError
    }
}

extension LogRecord {
    /// The line's time for ordering and placing it: its own, else its `time` text read as
    /// before parsed times were stored (ISO-like, zone-less as UTC: records stored by an earlier
    /// version), else nil.
    public var effectiveNanoseconds: Int64? {
        timeNanoseconds ?? time.flatMap(Timestamps.nanoseconds(parsing:))
    }
}
