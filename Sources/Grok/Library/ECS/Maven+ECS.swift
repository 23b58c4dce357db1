extension LogstashLibrary {
    /// Logstash's `maven` patterns capture nothing: the ECS set is the same as the legacy one.
    static let ecsMaven: [String: String] = [:]
}
