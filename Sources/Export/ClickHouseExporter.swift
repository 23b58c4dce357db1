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

    /// Creates the database, tables and (on a current server) views when missing, adds the
    /// columns a table from an earlier version lacks (``ClickHouseSchema/alterations``), in the
    /// flavour given or else the one the server's version calls for (`tracejoin export init`
    /// does the same); returns the flavour.
    @discardableResult
    public static func createSchema(_ client: ClickHouseClient, flavor: ClickHouseSchema.Flavor? = nil) async throws -> ClickHouseSchema.Flavor {
        let chosen: ClickHouseSchema.Flavor
        if let flavor { chosen = flavor } else { chosen = try await serverFlavor(client) }
        for statement in ClickHouseSchema.tables(database: client.database, flavor: chosen) {
            try await client.execute(statement, database: "default")
        }
        // Tables an earlier version created get the columns added since (before the views,
        // which read them).
        let listed = try await client.execute(
            "SELECT concat(table, '.', name) FROM system.columns WHERE database = \(ClickHouseReader.literal(client.database)) FORMAT TabSeparated",
            database: "default")
        let existing = Set(String(buffer: listed).split(separator: "\n").map(String.init))
        for statement in ClickHouseSchema.alterations(database: client.database, flavor: chosen, existing: existing) {
            try await client.execute(statement, database: "default")
        }
        if chosen == .current {
            for statement in ClickHouseSchema.views(ClickHouseSchema.quoted(client.database)) {
                try await client.execute(statement, database: "default")
            }
        }
        return chosen
    }

    /// The schema flavour for the server's version (`SELECT version()`).
    public static func serverFlavor(_ client: ClickHouseClient) async throws -> ClickHouseSchema.Flavor {
        let answer = try await client.execute("SELECT version()", database: "default")
        return .of(version: String(buffer: answer).trimmingCharacters(in: .whitespacesAndNewlines))
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

    /// Batches sent and not yet acknowledged at once: while one is inserted, the next is
    /// encoded and the one after read.
    static let inFlight = 3

    /// One batch read from the index: its rows and where the cursor stands once it is acknowledged.
    struct Batch: Sendable {
        var logs: any ExportedLines
        var spans: [ExportedSpan]
        var cursor: ExportCursor
        var rows: Int { logs.count + spans.count }
    }

    /// Sends what is due, as a pipeline: reading the next batch from the index, encoding and
    /// inserting those before it, up to ``inFlight`` inserts at once. The cursor moves after
    /// each batch whose insert, and every insert before it, ClickHouse acknowledged: after a
    /// failure the batches from the first unacknowledged one are sent again (the tables
    /// collapse the copies). Returns whether it sent anything.
    func step(_ start: ExportCursor, _ backlog: ExportBacklog) async throws -> Bool {
        guard backlog.logs + backlog.spans > 0 else { return false }
        // Wait for a fuller batch unless the oldest row has waited long enough.
        let waited = Duration.nanoseconds(Timestamps.now() - (backlog.oldest ?? Timestamps.now()))
        if backlog.logs + backlog.spans < settings.maxRows && waited < settings.maxWait { return false }

        try await settings.client.ping()
        var cursor = start
        var pending: [(task: Task<Void, any Error>, batch: (logs: Int, spans: Int, cursor: ExportCursor))] = []
        var sent = false
        // Commits the oldest batch in flight once ClickHouse acknowledged it.
        func settleOldest() async throws {
            let oldest = pending.removeFirst()
            try await oldest.task.value
            try await source.commitExportCursor(Self.target, oldest.batch.cursor)
            state.withLock { s in
                s.exported_logs += Int64(oldest.batch.logs)
                s.exported_spans += Int64(oldest.batch.spans)
                s.batches += 1
                s.last_success = Timestamps.iso8601(nanoseconds: Timestamps.now())
            }
            sent = true
            // The lag as of this acknowledgement: a long drain keeps `/v1/stats` current.
            updateLag(try await source.exportBacklog(after: oldest.batch.cursor), cursor: oldest.batch.cursor, now: Timestamps.now())
        }
        do {
            while !Task.isCancelled {
                let batch = try await read(after: cursor)
                if batch.rows == 0 { break }
                cursor = batch.cursor
                pending.append((Task { try await self.send(batch) }, (batch.logs.count, batch.spans.count, batch.cursor)))
                if pending.count >= Self.inFlight { try await settleOldest() }
                // Caught up: what is left is less than a batch.
                if batch.logs.count < settings.maxRows && batch.spans.count < settings.maxRows { break }
            }
            while !pending.isEmpty { try await settleOldest() }
        } catch {
            // The batches after a failure are not committed; they wait for their inserts to end
            // (so a resend never races its first copy), then go again from the committed cursor.
            for p in pending { _ = try? await p.task.value }
            throw error
        }
        return sent
    }

    /// The next batch after `cursor`: up to `maxRows` lines and `maxRows` spans.
    func read(after cursor: ExportCursor) async throws -> Batch {
        async let logs = source.exportLines(after: cursor, limit: settings.maxRows)
        async let spans = source.exportSpans(after: cursor, limit: settings.maxRows)
        var batch = Batch(logs: try await logs, spans: try await spans, cursor: cursor)
        if batch.logs.count > 0 { batch.cursor.logID = batch.logs.id(batch.logs.count - 1) }
        if let last = batch.spans.last {
            batch.cursor.spanReceived = last.received
            batch.cursor.spanRow = last.row
        }
        return batch
    }

    /// Encodes `batch` as RowBinary and inserts it, lines and spans each in one statement.
    func send(_ batch: Batch) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let db = ClickHouseSchema.quoted(settings.client.database)
        if batch.logs.count > 0 {
            var rows = RowBinaryRows(capacity: batch.logs.count * 400)
            ExportRows.lines(batch.logs, host: settings.host, into: &rows)
            try await insert(rows, into: "\(db).logs")
        }
        if !batch.spans.isEmpty {
            var rows = RowBinaryRows(capacity: batch.spans.count * 400)
            ExportRows.spans(batch.spans, host: settings.host, into: &rows)
            try await insert(rows, into: "\(db).spans")
        }
        logger.debug("exported a batch", metadata: ["lines": "\(batch.logs.count)", "spans": "\(batch.spans.count)", "took": "\(clock.now - began)"])
    }

    func insert(_ rows: RowBinaryRows, into table: String) async throws {
        try await settings.client.execute("INSERT INTO \(table) (\(rows.columns.joined(separator: ", "))) FORMAT RowBinary",
                                          data: ByteBuffer(bytes: rows.output))
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
