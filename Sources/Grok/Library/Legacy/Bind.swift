extension LogstashLibrary {
    /// Logstash's `bind` patterns (legacy field names): BIND 9 query log lines
    /// (`logging { category queries …; print-category yes; print-severity yes; print-time yes; }`).
    static let legacyBind: [String: String] = [
        // 17-Feb-2018 23:06:56.326
        "BIND9_TIMESTAMP": #"%{MONTHDAY}-%{MONTH}-%{YEAR} %{TIME}"#,
        // A query log line: client address#port (name): query: name IN type flags (server address).
        // The name is captured twice under `query`, as in Logstash (the second one wins here);
        // `querytype` holds the type and the flags (`A +E(0)K`).
        "BIND9": #"%{BIND9_TIMESTAMP:timestamp} queries: %{LOGLEVEL:loglevel}: client(?: @0x[0-9A-Fa-f]+)? %{IP:clientip}#%{POSINT:clientport}(?: \(%{NOTSPACE:query}\))?: query: %{NOTSPACE:query} IN %{GREEDYDATA:querytype} \(%{IP:dns}\)"#,
    ]
}
