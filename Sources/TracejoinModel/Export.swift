/// Where an exporter stands in the index: every log line up to `logID` and every span up to
/// (`spanReceived`, `spanRow`) has been acknowledged by the target. Committed in the index
/// after each acknowledged batch, so a crash resends at most the batch in flight.
public struct ExportCursor: Sendable, Equatable {
    public var logID: Int64
    /// Spans are ordered by the time their latest copy was stored (a span sent again gets a new
    /// time and is exported again), then by row.
    public var spanReceived: Int64
    public var spanRow: Int64
    /// Rows retention deleted before they were exported (counted, and warned about).
    public var lostLogs: Int64
    public var lostSpans: Int64

    public init(logID: Int64 = 0, spanReceived: Int64 = 0, spanRow: Int64 = 0, lostLogs: Int64 = 0, lostSpans: Int64 = 0) {
        self.logID = logID
        self.spanReceived = spanReceived
        self.spanRow = spanRow
        self.lostLogs = lostLogs
        self.lostSpans = lostSpans
    }
}

/// A stored log line with its arrival id and ingest time, as an exporter reads it.
public struct ExportedLog: Sendable {
    public var id: Int64
    public var ingested: Int64
    public var record: LogRecord
    public init(id: Int64, ingested: Int64, record: LogRecord) {
        self.id = id
        self.ingested = ingested
        self.record = record
    }
}

/// A stored span with the position an exporter's cursor takes after it.
public struct ExportedSpan: Sendable {
    public var received: Int64
    public var row: Int64
    public var span: SpanRecord
    public init(received: Int64, row: Int64, span: SpanRecord) {
        self.received = received
        self.row = row
        self.span = span
    }
}

/// What is not exported yet.
public struct ExportBacklog: Sendable, Equatable {
    public var logs: Int
    public var spans: Int
    /// Ingest time (ns) of the oldest row not exported; `nil` when nothing is waiting.
    public var oldest: Int64?
    public init(logs: Int, spans: Int, oldest: Int64?) {
        self.logs = logs
        self.spans = spans
        self.oldest = oldest
    }
}

/// What an exporter needs from storage.
public protocol ExportSource: Sendable {
    /// The cursor of `target`, created at the start (everything unexported) when missing.
    func exportCursor(_ target: String) async throws -> ExportCursor
    /// Moves `target`'s cursor after an acknowledged batch (its loss counters are kept).
    func commitExportCursor(_ target: String, _ cursor: ExportCursor) async throws
    /// Log lines after `cursor.logID`, oldest first.
    func exportLogs(after cursor: ExportCursor, limit: Int) async throws -> [ExportedLog]
    /// Spans after the cursor's span position, oldest first.
    func exportSpans(after cursor: ExportCursor, limit: Int) async throws -> [ExportedSpan]
    func exportBacklog(after cursor: ExportCursor) async throws -> ExportBacklog
}
