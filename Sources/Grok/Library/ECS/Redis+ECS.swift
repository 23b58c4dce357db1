extension LogstashLibrary {
    /// Logstash's `redis` patterns, ECS field names (`process.pid`, `client.*`, `redis.*`).
    static let ecsRedis: [String: String] = [
        "REDISLOG": #"\[%{POSINT:[process][pid]:int}\] %{REDISTIMESTAMP:timestamp} \*"#,
        "REDISMONLOG": #"%{NUMBER:timestamp} \[%{INT:[redis][database][id]} %{IP:[client][ip]}:%{POSINT:[client][port]:int}\] "%{WORD:[redis][command][name]}"\s?%{GREEDYDATA:[redis][command][args]}"#,
    ]
}
