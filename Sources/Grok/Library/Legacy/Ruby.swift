extension LogstashLibrary {
    /// Logstash's `ruby` patterns (legacy field names): Ruby's standard Logger format.
    static let legacyRuby: [String: String] = [
        "RUBY_LOGLEVEL": #"(?:DEBUG|FATAL|ERROR|WARN|INFO)"#,
        // I, [2014-01-09T12:34:56.123456 #1234]  INFO -- progname: message
        "RUBY_LOGGER": #"[DFEWI], \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:pid:int}\] *%{RUBY_LOGLEVEL:loglevel} -- +%{DATA:progname}: %{GREEDYDATA:message}"#,
    ]
}
