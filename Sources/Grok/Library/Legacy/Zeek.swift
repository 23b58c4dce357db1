extension LogstashLibrary {
    /// Logstash's `zeek` patterns (Zeek 3+ TSV logs). Logstash has them in the ECS set only, so
    /// the legacy set has none.
    static let legacyZeek: [String: String] = [:]
}
