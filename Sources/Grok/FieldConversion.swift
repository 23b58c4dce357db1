/// What happens to a captured field's text after a match.
///
/// Logstash's `%{NUMBER:n:int}` and Datadog's `%{data:n:integer}` both name a conversion;
/// so do the Datadog matchers that imply one (`integer`, `number`, `boolean`, `date`). Grok only
/// records the conversion; the rule engine applies it.
public enum FieldConversion: Sendable, Hashable {
    /// Keep the text.
    case none
    /// A whole number (Logstash `int`, Datadog `integer`; `1e3` is 1000). Text that is not one
    /// (or does not fit 64 bits) drops the field.
    case integer
    /// A number with a fraction (Logstash `float`, Datadog `number`). Text that is not a number
    /// drops the field.
    case float
    /// Datadog's `boolean` filter (both words `nil`): `true` in any case is true, any other text
    /// false. The `boolean("yes", "no")` matcher: the given words, in any case.
    case boolean(trueWord: String?, falseWord: String?)
    case lowercase
    case uppercase
    /// The field is dropped when its text equals the value.
    case nullIf(String)
    /// The text is parsed into an object whose members become fields (under the field's name,
    /// if any; at the top level for `%{data::json}`). JSON, and Datadog's other filters that
    /// give an object: `rubyhash`, `xml`, `csv`, `querystring`, `url`, `useragent`.
    case json(ObjectFormat)
    /// `key=value` pairs become fields (under the field's name, if any).
    case keyValue(KeyValueOptions)
    /// Datadog's `date()` matcher: the date as epoch milliseconds.
    case date(DateFormat)
    /// Datadog's `scale(factor)`: the number times the factor.
    case scale(Double)
    /// Datadog's `decodeuricomponent`: `%2F` → `/`.
    case decodeURIComponent
    /// Datadog's `array(…)`: the text split into a list (kept as its JSON text, as arrays are).
    case array(ArrayOptions)

    /// The formats ``json(_:)`` reads.
    public enum ObjectFormat: Sendable, Hashable {
        case json
        /// `{name => "John", "job" => {"title" => "CTO"}}`
        case rubyHash
        /// Elements become objects, attributes members, text `value`; repeated elements arrays.
        case xml
        case csv(CSVOptions)
        /// `?a=1&b=2`: each parameter a member.
        case queryString
        /// `scheme`, `host`, `port`, `path`, `queryString` (and `username`, `fragment`).
        case url
        /// `browser`, `os` and `device` families and versions.
        case userAgent(decode: Bool)
    }

    public struct KeyValueOptions: Sendable, Hashable {
        /// Between a key and its value; default `=`.
        public var separator: String
        /// Characters allowed in keys and unquoted values besides letters, digits and `_.-@`
        /// (Datadog's `characterAllowList`).
        public var allowed: String
        /// Quote pairs, open then close (`<>`, `""`, `''` by default, Datadog's `quotingStr`);
        /// empty for the default.
        public var quotes: String
        /// Between pairs; empty for the default (space, `,` and `;`).
        public var delimiter: String

        public init(separator: String = "=", allowed: String = "", quotes: String = "", delimiter: String = "") {
            self.separator = separator
            self.allowed = allowed
            self.quotes = quotes
            self.delimiter = delimiter
        }
    }

    public struct DateFormat: Sendable, Hashable {
        /// The Java/Joda pattern, as written.
        public var pattern: String
        /// The zone of dates that carry none (Datadog's `timezoneId`); `nil` for UTC.
        public var timeZone: String?
        /// `timeZone`, read once.
        package var zone: JavaDatePattern.Zone?

        public init(pattern: String, timeZone: String? = nil) {
            self.pattern = pattern
            self.timeZone = timeZone
            zone = timeZone.flatMap { JavaDatePattern.zone(named: $0) }
        }
    }

    public struct CSVOptions: Sendable, Hashable {
        public var headers: [String]
        public var separator: UInt8
        public var quote: UInt8

        public init(headers: [String], separator: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\"")) {
            self.headers = headers
            self.separator = separator
            self.quote = quote
        }
    }

    public struct ArrayOptions: Sendable, Hashable {
        /// The characters around the list (`[` and `]`), if any.
        public var open: String
        public var close: String
        public var separator: String
        /// What each element becomes (`none` keeps its text).
        public var element: ElementConversion

        public init(open: String = "", close: String = "", separator: String = ",", element: ElementConversion = .none) {
            self.open = open
            self.close = close
            self.separator = separator
            self.element = element
        }
    }

    /// The filters an `array` element can go through: those that give one value.
    public enum ElementConversion: Sendable, Hashable {
        case none, integer, float, boolean, lowercase, uppercase, decodeURIComponent
        case nullIf(String)
        case scale(Double)
    }
}
