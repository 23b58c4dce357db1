/// What happens to a captured field's text after a match.
///
/// Logstash's `%{NUMBER:n:int}` and Datadog's `%{data:n:integer}` both name a conversion;
/// so do the Datadog matchers that imply one (`integer`, `number`, `boolean`). Grok only records
/// the conversion; the rule engine applies it.
public enum FieldConversion: Sendable, Hashable {
    /// Keep the text.
    case none
    /// A whole number (Logstash `int`, Datadog `integer`).
    case integer
    /// A number with a fraction (Logstash `float`, Datadog `number`).
    case float
    /// `true`/`false` (any case), or the given words.
    case boolean(trueWord: String?, falseWord: String?)
    case lowercase
    case uppercase
    /// The field is dropped when its text equals the value.
    case nullIf(String)
    /// The text is a JSON object whose members become fields (under the field's name, if any).
    case json
    /// `key=value` pairs become fields (under the field's name, if any).
    case keyValue(KeyValueOptions)

    public struct KeyValueOptions: Sendable, Hashable {
        /// Between a key and its value; default `=`.
        public var separator: String
        /// Characters allowed in keys and unquoted values besides letters and digits.
        public var allowed: String
        /// Quote characters that may enclose a value.
        public var quotes: String
        /// Between pairs, besides whitespace; empty for whitespace only.
        public var delimiter: String

        public init(separator: String = "=", allowed: String = "._-@/:", quotes: String = "\"'", delimiter: String = "") {
            self.separator = separator
            self.allowed = allowed
            self.quotes = quotes
            self.delimiter = delimiter
        }
    }
}
