extension LogstashLibrary {
    /// Logstash's `grok-patterns`, ECS field names: the syslog header captures into `process`,
    /// `host` and `log.syslog`; URIs have a separate query part.
    static let ecsCore: [String: String] = [
        // No port capture in the ECS set.
        "URIHOST": #"%{IPORHOST}(?::%{POSINT})?"#,
        // The query of a URI, without its '?'.
        "URIQUERY": #"[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\[\]<>-]*"#,
        "URIPARAM": #"\?%{URIQUERY}"#,
        "URIPATHPARAM": #"%{URIPATH}(?:\?%{URIQUERY})?"#,
        "URI": #"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATH}(?:\?%{URIQUERY})?)?"#,
        "SYSLOGPROG": #"%{PROG:[process][name]}(?:\[%{POSINT:[process][pid]:int}\])?"#,
        "SYSLOGFACILITY": #"<%{NONNEGINT:[log][syslog][facility][code]:int}\.%{NONNEGINT:[log][syslog][priority]:int}>"#,
        "SYSLOGBASE": #"%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:[host][hostname]} %{SYSLOGPROG}:"#,
    ]
}
