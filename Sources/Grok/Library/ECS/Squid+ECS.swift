extension LogstashLibrary {
    /// Logstash's `squid` patterns, ECS field names (`source.ip`, `http.*`, `url.original`,
    /// `squid.*`); '-' columns are not captured.
    static let ecsSquid: [String: String] = [
        "SQUID3_STATUS": #"(?:%{POSINT:[http][response][status_code]:int}|0|000)"#,
        "SQUID3": #"%{NUMBER:timestamp}\s+%{NUMBER:[squid][request][duration]:int}\s%{IP:[source][ip]}\s%{WORD:[event][action]}/%{SQUID3_STATUS}\s%{INT:[http][response][bytes]:int}\s%{WORD:[http][request][method]}\s%{NOTSPACE:[url][original]}\s(?:-|%{NOTSPACE:[user][name]})\s%{WORD:[squid][hierarchy_code]}/(?:-|%{IPORHOST:[destination][address]})\s(?:-|%{NOTSPACE:[http][response][mime_type]})"#,
    ]
}
