extension LogstashLibrary {
    /// Logstash's `linux-syslog` patterns (legacy field names): BSD (RFC 3164) and IETF (RFC 5424)
    /// syslog lines, PAM sessions and cron.
    static let legacySyslog: [String: String] = [
        // Printable ASCII without spaces (RFC 5424's PRINTUSASCII).
        "SYSLOG5424PRINTASCII": #"[!-~]+"#,
        // The header of a syslog line: BSD or ISO 8601 time, optional <facility.priority>, host,
        // optional tag[pid]:
        "SYSLOGBASE2": #"(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp8601}) (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource}(?: %{SYSLOGPROG}:)?"#,
        // pam_unix(sshd:session): session opened for user alice by (uid=0)
        "SYSLOGPAMSESSION": #"%{SYSLOGBASE} (?=%{GREEDYDATA:message})%{WORD:pam_module}\(%{DATA:pam_caller}\): session %{WORD:pam_session_state} for user %{USERNAME:username}(?: by %{GREEDYDATA:pam_by})?"#,
        // What cron did: CMD, RELOAD, ...
        "CRON_ACTION": #"[A-Z ]+"#,
        // CRON[1234]: (root) CMD (run-parts /etc/cron.hourly)
        "CRONLOG": #"%{SYSLOGBASE} \(%{USER:user}\) %{CRON_ACTION:action} \(%{DATA:message}\)"#,
        // A whole BSD syslog line.
        "SYSLOGLINE": #"%{SYSLOGBASE2} %{GREEDYDATA:message}"#,

        // RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG,
        // '-' for a missing field.
        "SYSLOG5424PRI": #"<%{NONNEGINT:syslog5424_pri:int}>"#,
        // One or more [id param="value" ...] elements.
        "SYSLOG5424SD": #"(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+"#,
        "SYSLOG5424BASE": #"%{SYSLOG5424PRI}%{NONNEGINT:syslog5424_ver:int} +(?:%{TIMESTAMP_ISO8601:syslog5424_ts}|-) +(?:%{IPORHOST:syslog5424_host}|-) +(?:-|%{SYSLOG5424PRINTASCII:syslog5424_app}) +(?:-|%{SYSLOG5424PRINTASCII:syslog5424_proc}) +(?:-|%{SYSLOG5424PRINTASCII:syslog5424_msgid}) +(?:%{SYSLOG5424SD:syslog5424_sd}|-|)"#,
        "SYSLOG5424LINE": #"%{SYSLOG5424BASE} +%{GREEDYDATA:syslog5424_msg}"#,
    ]
}
