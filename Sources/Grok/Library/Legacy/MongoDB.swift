extension LogstashLibrary {
    /// Logstash's `mongodb` patterns (legacy field names): mongod 2.x and 3.x logs and 2.x slow
    /// query lines.
    static let legacyMongoDB: [String: String] = [
        // Mar 29 10:39:01 [conn12] message   (MongoDB 2.x)
        "MONGO_LOG": #"%{SYSLOGTIMESTAMP:timestamp} \[%{WORD:component}\] %{GREEDYDATA:message}"#,
        // The query document of a slow query line, up to ' } ntoreturn:'.
        "MONGO_QUERY": #"\{ .*? \}(?= ntoreturn:)"#,
        // query test.users query: { name: "x" } ntoreturn:0 ntoskip:0 nscanned:1 ... nreturned:1 reslen:100 110ms
        "MONGO_SLOWQUERY": #"%{WORD} %{MONGO_WORDDASH:database}\.%{MONGO_WORDDASH:collection} %{WORD}: %{MONGO_QUERY:query} %{WORD}:%{NONNEGINT:ntoreturn} %{WORD}:%{NONNEGINT:ntoskip} %{WORD}:%{NONNEGINT:nscanned}.*?nreturned:%{NONNEGINT:nreturned}.*? %{INT:duration}ms"#,
        // A database or collection name: word characters and dashes.
        "MONGO_WORDDASH": #"\b[\w-]+\b"#,
        // One letter: F, E, W, I, D.
        "MONGO3_SEVERITY": #"\w"#,
        "MONGO3_COMPONENT": #"(?:%{WORD}|-)"#,
        // 2015-09-29T12:31:35.455+0200 I NETWORK  [initandlisten] message   (MongoDB 3.x)
        "MONGO3_LOG": #"%{TIMESTAMP_ISO8601:timestamp} %{MONGO3_SEVERITY:severity} %{MONGO3_COMPONENT:component}%{SPACE}(?:\[%{DATA:context}\])? %{GREEDYDATA:message}"#,
    ]
}
