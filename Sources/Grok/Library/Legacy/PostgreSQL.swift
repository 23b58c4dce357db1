extension LogstashLibrary {
    /// Logstash's `postgresql` patterns (legacy field names): the pg_log line prefix.
    static let legacyPostgreSQL: [String: String] = [
        // log_line_prefix '%t %u %c %p': 2014-01-28 10:10:10 UTC postgres 52e7ce0e.1a2b 4711
        // (the date as PostgreSQL writes it, or day/month/year)
        "POSTGRESQL": #"(?:%{TIMESTAMP_ISO8601:timestamp}|%{DATESTAMP:timestamp}) %{TZ} %{DATA:user_id} %{GREEDYDATA:connection_id} %{POSINT:pid}"#,
    ]
}
