import TracejoinModel

/// How one rule file stands, as `GET /v1/rules` shows it.
public struct RuleFileStatus: Sendable, Codable, Equatable {
    public var file: String
    /// `ok`, `error` (the last good version, if any, stays in force) or `removed`.
    public var status: String
    public var source: String?
    public var rules: [String]
    public var error: String?
    public var warnings: [String]
    /// When the version in force was loaded (RFC 3339), if any is.
    public var loaded_at: String?
    /// When the file was last looked at and found changed (RFC 3339).
    public var checked_at: String
    /// Whether a version of the file is in force (after an error: the last good one).
    public var in_force: Bool

    public init(file: String, status: String, source: String?, rules: [String], error: String?, warnings: [String],
                loaded_at: String?, checked_at: String, in_force: Bool) {
        self.file = file
        self.status = status
        self.source = source
        self.rules = rules
        self.error = error
        self.warnings = warnings
        self.loaded_at = loaded_at
        self.checked_at = checked_at
        self.in_force = in_force
    }
}

/// How the rules in force parse one line: the rule that matched and its record (also for a
/// line without a trace ID), or, for each rule, why the line missed it.
public struct LineTest: Sendable {
    public var line: String
    public var source: String?
    public var rule: String?
    public var record: LogRecord?
    public var misses: [Miss]

    public struct Miss: Sendable {
        public var rule: String
        public var reason: String
        public init(rule: String, reason: String) {
            self.rule = rule
            self.reason = reason
        }
    }

    public init(line: String, source: String? = nil, rule: String? = nil, record: LogRecord? = nil, misses: [Miss] = []) {
        self.line = line
        self.source = source
        self.rule = rule
        self.record = record
        self.misses = misses
    }
}
