extension LogstashLibrary {
    /// Logstash's `ruby` patterns, ECS field names (`process.*`, `log.level`).
    static let ecsRuby: [String: String] = [
        "RUBY_LOGGER": #"[DFEWI], \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:[process][pid]:int}\] *%{RUBY_LOGLEVEL:[log][level]} -- +%{DATA:[process][name]}: %{GREEDYDATA:message}"#,
    ]
}
