extension LogstashLibrary {
    /// Logstash's `redis` patterns (legacy field names): the server log prefix and MONITOR output.
    static let legacyRedis: [String: String] = [
        // 14 Nov 07:01:22.119
        "REDISTIMESTAMP": #"%{MONTHDAY} %{MONTH} %{TIME}"#,
        // [4018] 14 Nov 07:01:22.119 *   (the prefix of a Redis 2.x log line)
        "REDISLOG": #"\[%{POSINT:pid}\] %{REDISTIMESTAMP:timestamp} \* "#,
        // 1339518083.107412 [0 127.0.0.1:60866] "keys" "*"   (MONITOR)
        "REDISMONLOG": #"%{NUMBER:timestamp} \[%{INT:database} %{IP:client}:%{NUMBER:port}\] "%{WORD:command}"\s?%{GREEDYDATA:params}"#,
    ]
}
