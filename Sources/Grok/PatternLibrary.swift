/// Named regular expressions that grok expressions refer to as `%{NAME}`.
///
/// Definitions may refer to each other. Every definition here was written for Tracejoin; they
/// use only non-capturing groups, so a definition never shifts the numbering of field groups.
public struct PatternLibrary: Sendable {
    public private(set) var definitions: [String: String]

    public init(_ definitions: [String: String] = [:]) {
        self.definitions = definitions
    }

    /// The built-in patterns.
    public static let builtin = PatternLibrary(BuiltinPatterns.all)

    /// A copy with `other`'s definitions added; `other` wins where both define a name.
    public func merging(_ other: [String: String]) -> PatternLibrary {
        PatternLibrary(definitions.merging(other) { _, new in new })
    }

    public subscript(name: String) -> String? { definitions[name] }
}

enum BuiltinPatterns {
    static let all: [String: String] = [
        // Numbers.
        "INT": #"(?:[+-]?\d+)"#,
        "POSINT": #"\b(?:[1-9]\d*)\b"#,
        "NONNEGINT": #"\b\d+\b"#,
        "BASE10NUM": #"(?<![0-9.+-])[+-]?(?:\d+(?:\.\d*)?|\.\d+)"#,
        "NUMBER": #"%{BASE10NUM}"#,
        "BASE16NUM": #"(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?[0-9A-Fa-f]+)"#,

        // Words and text.
        "WORD": #"\b\w+\b"#,
        "NOTSPACE": #"\S+"#,
        "SPACE": #"\s*"#,
        "DATA": #".*?"#,
        "GREEDYDATA": #".*"#,
        "QUOTEDSTRING": #"(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)"#,
        "QS": #"%{QUOTEDSTRING}"#,
        "UUID": #"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}"#,
        "USERNAME": #"[a-zA-Z0-9._-]+"#,
        "USER": #"%{USERNAME}"#,

        // Severity, as the common logging libraries spell it (any case).
        "LOGLEVEL": #"(?i:trace|debug|info(?:rmation)?|notice|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal|severe|alert|emerg(?:ency)?)"#,

        // Time.
        "YEAR": #"(?:\d\d){1,2}"#,
        "MONTHNUM": #"(?:1[0-2]|0?[1-9])"#,
        "MONTHDAY": #"(?:3[01]|[12]\d|0?[1-9])"#,
        "HOUR": #"(?:2[0-3]|[01]?\d)"#,
        "MINUTE": #"(?:[0-5]\d)"#,
        "SECOND": #"(?:(?:[0-5]?\d|60)(?:[.,]\d+)?)"#,
        "TIME": #"%{HOUR}:%{MINUTE}(?::%{SECOND})?"#,
        "ISO8601_TIMEZONE": #"(?:Z|[+-]%{HOUR}(?::?%{MINUTE})?)"#,
        // 2026-11-24T22:11:28.925Z, 2026-11-24 22:11:28,925 (Python's default asctime), ...
        "TIMESTAMP_ISO8601": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?"#,

        // Network.
        "IPV4": #"(?<![0-9])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9])"#,
        "HOSTNAME": #"\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*\.?\b"#,

        // Trace context (see docs/ids.md): any accepted form, or a "no ID" spelling.
        // Longest forms first; the look-ahead keeps a 16-hex prefix of a longer token from matching.
        "TRACEID": #"(?:(?:[0-9A-Fa-f]{32}|\d{1,39}|[0-9A-Fa-f]{16})(?![0-9A-Za-z])|None|null|-)?"#,
        "TRACEID_DEC": #"\d{1,39}(?![0-9])"#,
        "TRACEID_HEX": #"(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{16})(?![0-9A-Fa-f])"#,
        "SPANID": #"(?:(?:\d{1,20}|[0-9A-Fa-f]{16})(?![0-9A-Za-z])|None|null|-)?"#,
        "SPANID_DEC": #"\d{1,20}(?![0-9])"#,
        "SPANID_HEX": #"[0-9A-Fa-f]{16}(?![0-9A-Fa-f])"#,
    ]
}
