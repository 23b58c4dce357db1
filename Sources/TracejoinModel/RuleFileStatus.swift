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

/// What retention has done, as `GET /v1/stats` shows it.
public struct RetentionStatus: Sendable, Codable, Equatable {
    /// Bytes the index uses (pages in use; the file keeps its high-water mark).
    public var used_bytes: Int64
    public var max_bytes: Int64
    public var max_age_seconds: Int64
    /// Records deleted since the daemon started, because of age or size.
    public var deleted_logs: Int
    public var deleted_spans: Int
    /// When retention last ran (RFC 3339).
    public var last_run: String?

    public init(used_bytes: Int64 = 0, max_bytes: Int64, max_age_seconds: Int64, deleted_logs: Int = 0, deleted_spans: Int = 0, last_run: String? = nil) {
        self.used_bytes = used_bytes
        self.max_bytes = max_bytes
        self.max_age_seconds = max_age_seconds
        self.deleted_logs = deleted_logs
        self.deleted_spans = deleted_spans
        self.last_run = last_run
    }
}
