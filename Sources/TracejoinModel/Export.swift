import TraceContext
import TracejoinSupport

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

/// Stored log lines as an exporter reads them: in place in their blocks, column by column, with
/// no record built (``ExportSource/exportLines(after:limit:)``). Lines `0..<count`, oldest first.
public protocol ExportedLines: Sendable {
    var count: Int { get }
    /// The line's arrival id.
    func id(_ k: Int) -> Int64
    /// When it was stored, nanoseconds since the epoch.
    func ingested(_ k: Int) -> Int64
    /// The line's own time, when it has one.
    func time(_ k: Int) -> Int64?
    func traceID(_ k: Int) -> TraceID?
    func spanID(_ k: Int) -> SpanID?
    /// The line's texts, all at once (valid only inside `body`), gathered in `scratch` (the
    /// caller's, emptied and reused line after line).
    func withTexts<T>(_ k: Int, scratch: inout [UInt8], _ body: (ExportedTexts) -> T) -> T
}

/// A stored line's texts as an exporter reads them (``ExportedLines/withTexts(_:scratch:_:)``): the
/// bytes as stored, not necessarily valid UTF-8; `nil` where the line has none.
public struct ExportedTexts {
    public var level: UnsafeBufferPointer<UInt8>?
    public var message: UnsafeBufferPointer<UInt8>?
    public var file: UnsafeBufferPointer<UInt8>?
    public var source: UnsafeBufferPointer<UInt8>?
    public var rule: UnsafeBufferPointer<UInt8>?
    public var idError: UnsafeBufferPointer<UInt8>?
    /// The text of the first field named `service.name`, `service` or `dd.service` whose value
    /// is text.
    public var service: UnsafeBufferPointer<UInt8>?
    /// The line as it was written.
    public var line: UnsafeBufferPointer<UInt8>
    /// The line's fields as one JSON object, in their order (valid UTF-8).
    public var fields: UnsafeBufferPointer<UInt8>

    public init(level: UnsafeBufferPointer<UInt8>?, message: UnsafeBufferPointer<UInt8>?, file: UnsafeBufferPointer<UInt8>?,
                source: UnsafeBufferPointer<UInt8>?, rule: UnsafeBufferPointer<UInt8>?, idError: UnsafeBufferPointer<UInt8>?,
                service: UnsafeBufferPointer<UInt8>?, line: UnsafeBufferPointer<UInt8>, fields: UnsafeBufferPointer<UInt8>) {
        self.level = level
        self.message = message
        self.file = file
        self.source = source
        self.rule = rule
        self.idError = idError
        self.service = service
        self.line = line
        self.fields = fields
    }

    /// The fields that name a line's service, first found first.
    public static let serviceFields = ["service.name", "service", "dd.service"]
}

/// What an exporter needs from storage.
public protocol ExportSource: Sendable {
    /// The cursor of `target`, created at the start (everything unexported) when missing.
    func exportCursor(_ target: String) async throws -> ExportCursor
    /// Moves `target`'s cursor after an acknowledged batch (its loss counters are kept).
    func commitExportCursor(_ target: String, _ cursor: ExportCursor) async throws
    /// Log lines after `cursor.logID`, oldest first, read in place in their blocks.
    func exportLines(after cursor: ExportCursor, limit: Int) async throws -> any ExportedLines
    /// Spans after the cursor's span position, oldest first.
    func exportSpans(after cursor: ExportCursor, limit: Int) async throws -> [ExportedSpan]
    func exportBacklog(after cursor: ExportCursor) async throws -> ExportBacklog
}
