/// An exporter's state, for `/v1/stats`, `/metrics` and `tracejoin status`.
public struct ExportStatus: Codable, Sendable, Equatable {
    public var target: String
    public var url: String
    public var host: String
    /// `starting`, `ok`, `retrying` (the target refused or could not be reached).
    public var state: String
    public var exported_logs: Int64
    public var exported_spans: Int64
    /// Rows stored locally and not yet acknowledged, and how long the oldest has waited.
    public var lag_rows: Int64
    public var lag_seconds: Double
    /// Rows retention deleted before they were exported (since the cursor was created).
    public var export_lost_logs: Int64
    public var export_lost_spans: Int64
    public var batches: Int64
    public var failures: Int64
    public var last_error: String?
    public var last_success: String?

    public init(target: String, url: String, host: String) {
        self.target = target
        self.url = url
        self.host = host
        state = "starting"
        exported_logs = 0
        exported_spans = 0
        lag_rows = 0
        lag_seconds = 0
        export_lost_logs = 0
        export_lost_spans = 0
        batches = 0
        failures = 0
    }
}
