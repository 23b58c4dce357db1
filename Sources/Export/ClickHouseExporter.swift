import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// Ships every stored log line and span to ClickHouse, in batches, after they are in the
/// local index: the index is the buffer. A batch goes when it holds `maxRows` rows or its
/// oldest row has waited `maxWait`; the cursor in the index moves only after ClickHouse has
/// acknowledged it, so a crash or a refused insert sends the batch again (the tables collapse
/// the copies, see ``ClickHouseSchema``). While ClickHouse cannot be reached, ingest goes on
/// and the exporter retries with a backoff from 0.5 s to 30 s.
public final class ClickHouseExporter: Service {
    public struct Settings: Sendable {
        public var client: ClickHouseClient
        public var host: String
        public var maxRows: Int
        public var maxWait: Duration
        public init(client: ClickHouseClient, host: String, maxRows: Int = 50_000, maxWait: Duration = .seconds(1)) {
            self.client = client
            self.host = host
            self.maxRows = maxRows
            self.maxWait = maxWait
        }
    }

    /// The cursor's name in the index.
    public static let target = "clickhouse"

    let settings: Settings
    let source: any ExportSource
    let logger: Logger
    let state: Locked<ExportStatus>

    public init(settings: Settings, source: any ExportSource, logger: Logger) {
        self.settings = settings
        self.source = source
        self.logger = logger
        state = Locked(ExportStatus(target: Self.target, url: settings.client.url, host: settings.host))
    }

    public var status: ExportStatus { state.withLock { $0 } }

    /// Creates the database and tables when missing (`tracejoin export init` does the same).
    public static func createSchema(_ client: ClickHouseClient) async throws {
        for statement in ClickHouseSchema.statements(database: client.database) {
            try await client.execute(statement, database: "default")
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    func loop() async {
        var backoff = Duration.milliseconds(500)
        var schemaReady = false
        while !Task.isCancelled {
            do {
                // The cursor exists from the first moment (retention counts what it deletes
                // unexported against it), and the lag is known even while ClickHouse is away.
                let cursor = try await source.exportCursor(Self.target)
                let backlog = try await source.exportBacklog(after: cursor)
                updateLag(backlog, cursor: cursor, now: Timestamps.now())
                if !schemaReady {
                    try await settings.client.ping()
                    try await Self.createSchema(settings.client)
                    schemaReady = true
                    logger.info("exporting", metadata: ["to": "\(settings.client.url)", "database": "\(settings.client.database)", "host": "\(settings.host)"])
                }
                let sent = try await step(cursor, backlog)
                if state.withLock({ $0.state }) == "retrying" {
                    logger.notice("export resumed", metadata: ["to": "\(settings.client.url)"])
                }
                state.withLock { $0.state = "ok" }
                backoff = .milliseconds(500)
                if !sent { try await Task.sleep(for: min(settings.maxWait, .milliseconds(200))) }
            } catch is CancellationError {
                return
            } catch {
                let first = state.withLock { s in
                    let first = s.state != "retrying"
                    s.state = "retrying"
                    s.failures += 1
                    s.last_error = "\(error)"
                    return first
                }
                if first {
                    logger.warning("export failed; the local index keeps the rows and the exporter retries",
                                   metadata: ["to": "\(settings.client.url)", "error": "\(error)"])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// Sends one batch if one is due; returns whether it sent anything.
    func step(_ start: ExportCursor, _ backlog: ExportBacklog) async throws -> Bool {
        var cursor = start
        guard backlog.logs + backlog.spans > 0 else { return false }
        // Wait for a fuller batch unless the oldest row has waited long enough.
        let waited = Duration.nanoseconds(Timestamps.now() - (backlog.oldest ?? Timestamps.now()))
        if backlog.logs + backlog.spans < settings.maxRows && waited < settings.maxWait { return false }

        try await settings.client.ping()
        let clock = ContinuousClock()
        let began = clock.now
        let logs = try await source.exportLogs(after: cursor, limit: settings.maxRows)
        let spans = try await source.exportSpans(after: cursor, limit: settings.maxRows)
        let read = clock.now - began
        var encoding = Duration.zero
        if !logs.isEmpty {
            let encodeStart = clock.now
            var w = JSONWriter(capacity: logs.count * 512)
            ExportRows.logs(logs, host: settings.host, into: &w)
            encoding += clock.now - encodeStart
            try await settings.client.execute("INSERT INTO \(ClickHouseSchema.quoted(settings.client.database)).logs FORMAT JSONEachRow",
                                              data: ByteBuffer(bytes: w.bytes))
            cursor.logID = logs.last!.id
        }
        if !spans.isEmpty {
            var w = JSONWriter(capacity: spans.count * 512)
            ExportRows.spans(spans, host: settings.host, into: &w)
            try await settings.client.execute("INSERT INTO \(ClickHouseSchema.quoted(settings.client.database)).spans FORMAT JSONEachRow",
                                              data: ByteBuffer(bytes: w.bytes))
            cursor.spanReceived = spans.last!.received
            cursor.spanRow = spans.last!.row
        }
        // Acknowledged: only now does the cursor move.
        try await source.commitExportCursor(Self.target, cursor)
        logger.debug("exported a batch", metadata: [
            "lines": "\(logs.count)", "spans": "\(spans.count)", "read": "\(read)", "encode": "\(encoding)", "total": "\(clock.now - began)",
        ])
        state.withLock { s in
            s.exported_logs += Int64(logs.count)
            s.exported_spans += Int64(spans.count)
            s.batches += 1
            s.last_success = Timestamps.iso8601(nanoseconds: Timestamps.now())
        }
        updateLag(try await source.exportBacklog(after: cursor), cursor: cursor, now: Timestamps.now())
        return !logs.isEmpty || !spans.isEmpty
    }

    func updateLag(_ backlog: ExportBacklog, cursor: ExportCursor, now: Int64) {
        state.withLock { s in
            s.lag_rows = Int64(backlog.logs + backlog.spans)
            s.lag_seconds = backlog.oldest.map { Double(max(0, now - $0)) / 1e9 } ?? 0
            s.export_lost_logs = cursor.lostLogs
            s.export_lost_spans = cursor.lostSpans
        }
    }
}
