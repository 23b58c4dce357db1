extension LogstashLibrary {
    /// Logstash's `postgresql` patterns, ECS field names (`event.timezone`, `user.name`,
    /// `postgresql.log.connection_id`, `process.pid`).
    static let ecsPostgreSQL: [String: String] = [
        "POSTGRESQL": #"(?:%{TIMESTAMP_ISO8601:timestamp}|%{DATESTAMP:timestamp}) %{TZ:[event][timezone]} %{DATA:[user][name]} %{GREEDYDATA:[postgresql][log][connection_id]} %{POSINT:[process][pid]:int}"#,
    ]
}
