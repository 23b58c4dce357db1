extension LogstashLibrary {
    /// Logstash's `linux-syslog` patterns, ECS field names (`host.hostname`, `process.*`,
    /// `system.*`, `log.syslog.*`).
    static let ecsSyslog: [String: String] = [
        "SYSLOGBASE2": #"(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp})(?: %{SYSLOGFACILITY})?(?: %{SYSLOGHOST:[host][hostname]})?(?: %{SYSLOGPROG}:)?"#,
        "SYSLOGPAMSESSION": #"%{SYSLOGBASE} (?=%{GREEDYDATA:message})%{WORD:[system][auth][pam][module]}\(%{DATA:[system][auth][pam][origin]}\): session %{WORD:[system][auth][pam][session_state]} for user %{USERNAME:[user][name]}(?: by %{GREEDYDATA})?"#,
        "CRONLOG": #"%{SYSLOGBASE} \(%{USER:[user][name]}\) %{CRON_ACTION:[system][cron][action]} \(%{DATA:message}\)"#,
        "SYSLOG5424PRI": #"<%{NONNEGINT:[log][syslog][priority]:int}>"#,
        "SYSLOG5424BASE": #"%{SYSLOG5424PRI}%{NONNEGINT:[system][syslog][version]} +(?:-|%{TIMESTAMP_ISO8601:timestamp}) +(?:-|%{IPORHOST:[host][hostname]}) +(?:-|%{SYSLOG5424PRINTASCII:[process][name]}) +(?:-|%{POSINT:[process][pid]:int}) +(?:-|%{SYSLOG5424PRINTASCII:[event][code]}) +(?:-|%{SYSLOG5424SD:[system][syslog][structured_data]})?"#,
        "SYSLOG5424LINE": #"%{SYSLOG5424BASE} +%{GREEDYDATA:message}"#,
    ]
}
