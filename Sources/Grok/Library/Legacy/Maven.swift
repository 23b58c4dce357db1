extension LogstashLibrary {
    /// Logstash's `maven` patterns: Maven version strings.
    static let legacyMaven: [String: String] = [
        // 3, 3.8, 3.8.6, 1.0.*, 2.1.0-SNAPSHOT, 4.3.2.RELEASE
        "MAVEN_VERSION": #"(?:[0-9]+\.)?(?:[0-9]+\.)?(?:\*|[0-9]+)(?:[.-](?:RELEASE|SNAPSHOT))?"#,
    ]
}
