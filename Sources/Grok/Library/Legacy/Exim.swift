extension LogstashLibrary {
    /// Logstash's `exim` patterns (legacy field names): Exim main log, message arrival lines.
    static let legacyExim: [String: String] = [
        // A message ID: 1XPaVn-0005Pb-Kg (base-62), or the longer form of Exim 4.97+ (1rPabc-000E5R5o2Y-0Ab3).
        "EXIM_MSGID": #"[0-9A-Za-z]{6}-(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{2}|[0-9A-Za-z]{11}-[0-9A-Za-z]{4})"#,
        // The flag after the message ID: <= arrival, => delivery, -> additional address,
        // >> cutthrough, *> suppressed, ** bounced, == deferred.
        "EXIM_FLAGS": #"(?:<=|[-=>*]>|\*\*|==)"#,
        // 2014-09-04 11:58:56
        "EXIM_DATE": #"%{YEAR:exim_year}-%{MONTHNUM:exim_month}-%{MONTHDAY:exim_day} %{TIME:exim_time}"#,
        // [12345] (log_selector +pid)
        "EXIM_PID": #"\[%{POSINT:pid}\]"#,
        // A queue time: 1d2h3m4s.
        "EXIM_QT": #"(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?"#,
        // Phrases of lines that are not about one message's delivery.
        "EXIM_EXCLUDE_TERMS": #"(?:Message is frozen|(?:Start|End) queue run| Warning: | retry time not reached | no (?:IP address|host name) found for (?:IP address|host) | unexpected disconnection while reading SMTP command | no immediate delivery: |another process is handling this message)"#,
        // H=host.name (helo.name) [192.0.2.1]:port
        "EXIM_REMOTE_HOST": #"H=(?:(?!\()%{NOTSPACE:remote_hostname} )?(?:\(%{NOTSPACE:remote_heloname}\) )?\[%{IP:remote_host}\](?::%{POSINT:remote_port})?"#,
        // I=[192.0.2.2]:25 (log_selector +incoming_interface)
        "EXIM_INTERFACE": #"I=\[%{IP:exim_interface}\](?::%{NUMBER:exim_interface_port})?"#,
        // P=esmtps
        "EXIM_PROTOCOL": #"P=%{NOTSPACE:protocol}"#,
        // S=2139
        "EXIM_MSG_SIZE": #"S=%{NUMBER:exim_msg_size}"#,
        // id=<Message-ID header>
        "EXIM_HEADER_ID": #"id=%{NOTSPACE:exim_header_id}"#,
        // T="Subject" (quotes kept in the capture)
        "EXIM_SUBJECT": #"T=%{QS:exim_subject}"#,
        // Any other short key=value field (X=TLS1.3:…, CV=no, DKIM=…).
        "EXIM_UNKNOWN_FIELD": #"[A-Za-z0-9]{1,4}=%{NOTSPACE}"#,
        // The space-separated key=value fields of a line, in any order; each is matched once
        // (atomically) so that a line that does not match fails fast.
        "EXIM_NAMED_FIELDS": #"(?> (?:%{EXIM_REMOTE_HOST}|%{EXIM_INTERFACE}|%{EXIM_PROTOCOL}|%{EXIM_MSG_SIZE}|%{EXIM_HEADER_ID}|%{EXIM_SUBJECT}|%{EXIM_UNKNOWN_FIELD}))*"#,
        // A message arrival line: date [pid] id <= sender fields… [for recipient].
        "EXIM_MESSAGE_ARRIVAL": #"%{EXIM_DATE:timestamp} (?:%{EXIM_PID} )?%{EXIM_MSGID:exim_msgid} (?=<=)%{EXIM_FLAGS:exim_flags} (?>(?=[a-z:] )%{DATA:exim_status}(?<=[a-z:] ))?%{EMAILADDRESS:exim_sender_email}%{EXIM_NAMED_FIELDS}(?: for %{EMAILADDRESS:exim_recipient_email})?"#,
        "EXIM": #"%{EXIM_MESSAGE_ARRIVAL}"#,
    ]
}
