extension LogstashLibrary {
    /// Logstash's `mcollective` patterns, ECS field names (`process.pid`, `log.level`).
    static let ecsMCollective: [String: String] = [
        "MCOLLECTIVE": #"., \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:[process][pid]:int}\]%{SPACE}%{LOGLEVEL:[log][level]}"#,
    ]
}
