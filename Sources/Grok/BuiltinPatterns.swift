/// Tracejoin's own built-in grok patterns: trace and span IDs in every form the correlator
/// accepts (see docs/ids.md). Logstash's pattern library, with the names and capture names
/// operators know, is in ``LogstashLibrary`` (`Library/`); these are added on top of it, and win
/// where a name is defined in both.
enum BuiltinPatterns {
    static let all: [String: String] = [
        // Trace context (see docs/ids.md): any accepted form, or a "no ID" spelling.
        // Longest forms first; the look-ahead keeps a 16-hex prefix of a longer token from matching.
        "TRACEID": #"(?:(?:[0-9A-Fa-f]{32}|[0-9]{1,39}|[0-9A-Fa-f]{16})(?![0-9A-Za-z])|None|null|-)?"#,
        "TRACEID_DEC": #"[0-9]{1,39}(?![0-9])"#,
        "TRACEID_HEX": #"(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{16})(?![0-9A-Fa-f])"#,
        "SPANID": #"(?:(?:[0-9]{1,20}|[0-9A-Fa-f]{16})(?![0-9A-Za-z])|None|null|-)?"#,
        "SPANID_DEC": #"[0-9]{1,20}(?![0-9])"#,
        "SPANID_HEX": #"[0-9A-Fa-f]{16}(?![0-9A-Fa-f])"#,
    ]
}
