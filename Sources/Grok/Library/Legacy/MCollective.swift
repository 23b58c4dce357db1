extension LogstashLibrary {
    /// Logstash's `mcollective` patterns (legacy field names): MCollective's log and audit log.
    static let legacyMCollective: [String: String] = [
        // I, [2013-12-05T15:30:01.123456 #1234]  INFO   (the prefix of a log event)
        "MCOLLECTIVE": #"., \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:pid}\]%{SPACE}%{LOGLEVEL:event_level}"#,
        // 2013-12-05T15:30:01.123456+0000:   (the prefix of an audit line)
        "MCOLLECTIVEAUDIT": #"%{TIMESTAMP_ISO8601:timestamp}:"#,
    ]
}
