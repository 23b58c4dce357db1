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
