/// `GET /v1/stats` → `ingest`.
public struct IngestStatus: Sendable, Codable, Equatable {
    /// Writes to the index are failing; the tailer and the intake wait.
    public var paused = false
    /// Why, while paused (e.g. "disk full: database or disk is full").
    public var reason: String?
    /// When the current pause began (RFC 3339).
    public var since: String?
    /// Pauses and failed writes since the daemon started.
    public var pauses = 0
    public var failed_writes = 0

    public init() {}
}
