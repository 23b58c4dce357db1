extension LogstashLibrary {
    /// Logstash's `squid` patterns (legacy field names): Squid 3's native access.log format.
    static let legacySquid: [String: String] = [
        // The HTTP status of an access.log line; 0 or 000 when there was no reply.
        "SQUID3_STATUS": #"(?:%{POSINT:status_code}|0|000)"#,
        // time elapsed client code/status bytes method URL user hierarchy/peer type
        // 1525344856.899 16867 10.170.72.111 TCP_TUNNEL/200 6256 CONNECT logs.example.com:443 - HIER_DIRECT/10.0.0.1 -
        "SQUID3": #"%{NUMBER:timestamp}\s+%{NUMBER:duration}\s%{IP:client_address}\s%{WORD:cache_result}/%{SQUID3_STATUS}\s%{NUMBER:bytes}\s%{WORD:request_method}\s%{NOTSPACE:url}\s(?:%{NOTSPACE:user}|-)\s%{WORD:hierarchy_code}/(?:%{IPORHOST:server}|-)\s%{NOTSPACE:content_type}"#,
    ]
}
