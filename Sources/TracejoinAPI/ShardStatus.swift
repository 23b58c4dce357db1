/// One ClickHouse shard as the fleet service sees it (`shards` in `/v1/stats`): whether its last
/// answer came, how long it took, and the last failure. For `/metrics`, the status page and
/// `tracejoin status`. Filled from every read the service sends and from its probe
/// (`SELECT version()` every ``probeIntervalSeconds``), so a shard that went down or came back
/// shows as such even when nobody is reading.
public struct ShardStatus: Codable, Sendable, Equatable {
    /// How often the fleet service asks every shard for its version when nothing else does.
    public static let probeIntervalSeconds = 10

    /// The shard's URL as configured.
    public var url: String
    /// `unknown` (not asked yet), `up` (its last read or probe was answered), `down` (its last
    /// read or probe failed or timed out).
    public var state: String
    /// The server's version (`SELECT version()`), once it has answered the probe.
    public var version: String?
    /// Reads (each one or more statements) and probes sent, those that failed, and of those the
    /// ones that timed out.
    public var queries: Int64
    public var failures: Int64
    public var timeouts: Int64
    /// How long its last read or probe took, answered or not.
    public var last_latency_seconds: Double
    public var last_error: String?
    public var last_error_at: String?
    public var last_success: String?

    public init(url: String) {
        self.url = url
        state = "unknown"
        queries = 0
        failures = 0
        timeouts = 0
        last_latency_seconds = 0
    }
}
