extension LogstashLibrary {
    /// Logstash's `exim` patterns, ECS field names (`[exim][log]`, `[source]`, `[destination]`).
    static let ecsExim: [String: String] = [
        // As in the legacy set, plus <> (arrival of a bounce).
        "EXIM_FLAGS": #"(?:<=|[-=>*]>|\*\*|==|<>)"#,
        // 2014-09-04 11:58:56
        "EXIM_DATE": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{TIME}"#,
        // [12345] (log_selector +pid)
        "EXIM_PID": #"\[%{POSINT:[process][pid]:int}\]"#,
        // H=host.name (helo.name) [192.0.2.1]:port
        "EXIM_REMOTE_HOST": #"H=(?:(?!\()%{NOTSPACE:[source][address]} )?(?:\(%{NOTSPACE:[exim][log][remote_address]}\) )?\[%{IP:[source][ip]}\](?::%{POSINT:[source][port]:int})?"#,
        // I=[192.0.2.2]:25 (log_selector +incoming_interface)
        "EXIM_INTERFACE": #"I=\[%{IP:[destination][ip]}\](?::%{NUMBER:[destination][port]:int})?"#,
        // P=esmtps
        "EXIM_PROTOCOL": #"P=%{NOTSPACE:[network][protocol]}"#,
        // S=2139
        "EXIM_MSG_SIZE": #"S=%{NUMBER:[exim][log][message][size]:int}"#,
        // id=<Message-ID header>
        "EXIM_HEADER_ID": #"id=%{NOTSPACE:[exim][log][header_id]}"#,
        // The inside of a double-quoted value, with backslash escapes.
        "EXIM_QUOTED_CONTENT": #"(?:[^"\\]|\\.)*"#,
        // T="Subject" (quotes not captured)
        "EXIM_SUBJECT": #"T="%{EXIM_QUOTED_CONTENT:[exim][log][message][subject]}""#,
        // Any other short key=value field, the value possibly quoted.
        "EXIM_UNKNOWN_FIELD": #"[A-Za-z0-9]{1,4}=(?:%{QUOTEDSTRING}|%{NOTSPACE})"#,
        // A message arrival line: date [pid] id <= sender fields… [from <sender>] [for recipient].
        "EXIM_MESSAGE_ARRIVAL": #"%{EXIM_DATE:timestamp} (?:%{EXIM_PID} )?%{EXIM_MSGID:[exim][log][message][id]} (?=<=)%{EXIM_FLAGS:[exim][log][flags]} (?>(?=[a-z:] )%{DATA:[exim][log][status]}(?<=[a-z:] ))?%{EMAILADDRESS:[exim][log][sender][email]}%{EXIM_NAMED_FIELDS}(?:(?: from <?%{DATA:[exim][log][sender][original]}>?)? for %{EMAILADDRESS:[exim][log][recipient][email]})?"#,
    ]
}
