extension LogstashLibrary {
    /// Logstash's `bind` patterns, ECS field names (`[client]`, `[dns][question]`, `[bind][log]`).
    static let ecsBind: [String: String] = [
        // A DNS record type as BIND logs it.
        "BIND9_DNSTYPE": #"\b(?:AAAA|A|AFSDB|ANY|APL|AXFR|CAA|CDNSKEY|CDS|CERT|CNAME|CSYNC|DHCID|DLV|DNAME|DNSKEY|DS|HINFO|HIP|HTTPS|IPSECKEY|IXFR|KEY|KX|LOC|MX|NAPTR|NSEC3PARAM|NSEC3|NSEC|NS|NULL|OPENPGPKEY|PTR|RRSIG|RP|SIG|SMIMEA|SOA|SPF|SRV|SSHFP|SVCB|TA|TKEY|TLSA|TSIG|TXT|URI|ZONEMD|TYPE[0-9]+)\b"#,
        // The logging category of query log lines.
        "BIND9_CATEGORY": #"queries"#,
        // The message of a query log line: client address#port (name): query: name class type
        // flags (server address).
        "BIND9_QUERYLOGBASE": #"client(?: @0x[0-9A-Fa-f]+)? %{IP:[client][ip]}#%{POSINT:[client][port]:int}(?: \(%{NOTSPACE:[bind][log][question][name]}\))?: query: %{NOTSPACE:[dns][question][name]} (?=(?:IN|CH|HS) )%{WORD:[dns][question][class]} %{BIND9_DNSTYPE:[dns][question][type]}(?: %{DATA:[bind][log][question][flags]})? \(%{IP:[server][ip]}\)"#,
        // A query log line with time, category and severity.
        "BIND9_QUERYLOG": #"%{BIND9_TIMESTAMP:timestamp} %{BIND9_CATEGORY:[bind][log][category]}: %{LOGLEVEL:[log][level]}: %{BIND9_QUERYLOGBASE}"#,
        "BIND9": #"%{BIND9_QUERYLOG}"#,
    ]
}
