import ArgumentParser
import Foundation
import GRDB
import Index
import TracejoinModel
import TracejoinSupport

/// What the spans of an end-to-end measurement of `bench-intake` cost: the daemon's CPU µs per
/// span (`--daemon-pid`), and bytes on disk per span as blocks beside the same spans as schema
/// v11's rows.
extension IntakeBenchCommand {
    /// One end-to-end measurement: `send` posts every payload and returns how long that took,
    /// once all are committed. Prints the rate under `label`, and below it the daemon's CPU and
    /// bytes on disk per span; `decoded` gives the spans sent, a payload at a time, decoded as
    /// the intake decodes them, for the v11 reference.
    func endToEnd(_ label: String, spans: Int, decoded: () throws -> [[SpanRecord]],
                  send: () async throws -> Duration) async throws {
        let ticksBefore = try daemonPid.map(Self.cpuTicks)
        let took = try await send()
        let ticksAfter = try daemonPid.map(Self.cpuTicks)
        print("  \(label): \(Self.rate(spans, took)) spans/s")
        if let ticksBefore, let ticksAfter {
            let seconds = Double(ticksAfter - ticksBefore) / Double(sysconf(Int32(_SC_CLK_TCK)))
            print(String(format: "  daemon CPU:              %10.2f µs/span", seconds * 1e6 / Double(spans)))
        }
        // Bytes on disk, settled: the same payloads stored, one transaction each as the intake
        // stores them, in a new store of blocks and in a new v11 table, each then checkpointed
        // (a daemon's WAL, as it stands, says more about when SQLite last checkpointed than
        // about the spans).
        let payloads = try decoded()
        let blocks = try await BlockSpans.bytes(payloads)
        let rows = try V11SpanRows.bytes(payloads)
        print(String(format: "  bytes on disk:           %10.1f B/span (blocks) vs %.1f B/span (v11 rows): %.1f%% of them",
                     Double(blocks) / Double(spans), Double(rows) / Double(spans), Double(blocks) * 100 / Double(max(1, rows))))
    }

    /// CPU time (user + system, in clock ticks) process `pid` has used so far: fields 14 and 15
    /// of /proc/<pid>/stat.
    static func cpuTicks(_ pid: Int) throws -> Int {
        let path = "/proc/\(pid)/stat"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // read(2) to the end: /proc files report no size.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ValidationError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        let stat = String(decoding: bytes, as: UTF8.self)
        // Field 2, the command name, is in parentheses and may itself hold spaces and ')':
        // fields 3 onwards are those after the last ')'.
        guard let paren = stat.lastIndex(of: ")") else { throw ValidationError("unexpected \(path): \(stat)") }
        let fields = stat[stat.index(after: paren)...].split(whereSeparator: \.isWhitespace)
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw ValidationError("unexpected \(path): \(stat)")
        }
        return user + system
    }

}

/// Spans as the store keeps them (schema v12, blocks), measured as ``V11SpanRows`` measures
/// rows: what the payloads add to a new store, after a truncating checkpoint, in the database,
/// its WAL and the segment files.
enum BlockSpans {
    static func bytes(_ payloads: [[SpanRecord]]) async throws -> Int64 {
        let dir = NSTemporaryDirectory() + "tracejoin-bench-blocks-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/index.db"
        // The store is closed (released) before each measurement.
        func settledBytes() throws -> Int64 {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            return IndexBenchCommand.fileBytes(path) + IndexBenchCommand.fileBytes(path + "-wal")
                + IndexBenchCommand.bytesUnder(dir + "/blocks", excluding: [])
        }
        _ = try CorrelationStore(path: path)
        let empty = try settledBytes()
        do {
            let store = try CorrelationStore(path: path)
            for spans in payloads { try await store.insert(spans) }
        }
        return try settledBytes() - empty
    }
}

/// Spans as schema v11 stored them, the reference for bytes on disk per span: one row per span
/// in `spans` with its five indexes, `meta`, `metrics` and `details` as JSON text. A frozen copy
/// of the table (Schema.swift, migrations v1…v11) and of `SpanStore.insert`'s statement, which
/// the column blocks replace.
enum V11SpanRows {
    /// `spans` and its indexes as migrations v1…v11 leave them (v3 added `metrics`, v11 `details`).
    static let schema = """
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            trace_hi INTEGER,
            trace_lo INTEGER NOT NULL,
            span_id INTEGER NOT NULL,
            parent_id INTEGER,
            service TEXT NOT NULL,
            name TEXT NOT NULL,
            resource TEXT NOT NULL,
            type TEXT NOT NULL,
            start_ns INTEGER NOT NULL,
            duration_ns INTEGER NOT NULL,
            error INTEGER NOT NULL,
            meta TEXT,
            protocol TEXT NOT NULL,
            received_ns INTEGER NOT NULL,
            metrics TEXT,
            details TEXT
        );
        CREATE UNIQUE INDEX spans_by_trace ON spans (trace_lo, span_id);
        CREATE INDEX spans_by_time ON spans (received_ns);
        CREATE INDEX spans_by_start ON spans (start_ns);
        CREATE INDEX spans_by_service ON spans (service, start_ns);
        CREATE INDEX spans_by_span_id ON spans (span_id);
        """

    static let insert = """
        INSERT INTO spans (trace_hi, trace_lo, span_id, parent_id, service, name, resource, type,
            start_ns, duration_ns, error, meta, metrics, protocol, received_ns, details)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(trace_lo, span_id) DO UPDATE SET
            trace_hi = COALESCE(excluded.trace_hi, trace_hi), parent_id = excluded.parent_id,
            service = excluded.service, name = excluded.name, resource = excluded.resource,
            type = excluded.type, start_ns = excluded.start_ns, duration_ns = excluded.duration_ns,
            error = excluded.error, meta = excluded.meta, metrics = excluded.metrics, protocol = excluded.protocol,
            received_ns = excluded.received_ns, details = excluded.details
        """

    /// Bytes the rows of `payloads` add to a new database (the file and its WAL after a
    /// truncating checkpoint, less the same of the empty table), each payload stored in one
    /// transaction as the intake stored it.
    static func bytes(_ payloads: [[SpanRecord]]) throws -> Int64 {
        let dir = NSTemporaryDirectory() + "tracejoin-bench-v11-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/spans.db"
        // The pragmas CorrelationStore gives a new file, then WAL.
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA page_size = \(CorrelationStore.pageSize)")
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // `PRAGMA wal_checkpoint(TRUNCATE)`, failing if it could not finish.
        func settledBytes() throws -> Int64 {
            try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            return IndexBenchCommand.fileBytes(path) + IndexBenchCommand.fileBytes(path + "-wal")
        }
        try queue.write { db in try db.execute(sql: Self.schema) }
        let empty = try settledBytes()
        var received: Int64 = 0
        var json: [UInt8] = []
        for spans in payloads {
            // One `received_ns` a payload, later than the last (SpanStore.stamp).
            received = max(Timestamps.now(), received + 1)
            try queue.write { db in
                let statement = try db.cachedStatement(sql: Self.insert)
                for s in spans {
                    // IDs as the Int64 of the same bit pattern; empty JSON stored NULL.
                    let traceHigh = s.traceID.high.map { Int64(bitPattern: $0) }
                    let traceLow = Int64(bitPattern: s.traceID.low)
                    let spanID = Int64(bitPattern: s.spanID.value)
                    let parent = s.parentID.map { Int64(bitPattern: $0.value) }
                    let error: Int64 = s.error ? 1 : 0
                    StoredJSON.meta(s.meta, into: &json)
                    let meta = textOrNull(json)
                    StoredJSON.metrics(s.metrics, into: &json)
                    let metrics = textOrNull(json)
                    s.details.json(into: &json)
                    let details = textOrNull(json)
                    try statement.execute(arguments: [
                        traceHigh, traceLow, spanID, parent, s.service, s.name, s.resource, s.type,
                        s.start, s.duration, error, meta, metrics, s.protocolName, received, details,
                    ])
                }
            }
        }
        return try settledBytes() - empty
    }

    /// `bytes` as text, or NULL when empty (`RawStatement.bind(_:textOrNull:)`).
    static func textOrNull(_ bytes: [UInt8]) -> String? {
        bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}
