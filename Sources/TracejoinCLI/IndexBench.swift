import ArgumentParser
import Foundation
import Index
import Logging
import QueryAPI
import TraceContext
import TracejoinModel

/// `tracejoin bench-index`: ingest rate into the index with its production indexes, and the
/// latency of a trace lookup and of a log search once it holds many records.
struct IndexBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-index",
        abstract: "Measure index ingest and query latency on a generated index (docs/benchmarks.md).")

    @Option(help: "Log records to store.") var lines = 10_000_000
    @Option(help: "Spans to store.") var spans = 1_000_000
    @Option(help: "Records per transaction, as the tailer commits them.") var batch = 10_000
    @Option(help: "Queries of each kind to time.") var queries = 1000
    @Option(help: ArgumentHelp("Where to build the database (removed after).", valueName: "dir")) var directory: String?
    @Option(help: "Traces in progress at once: a trace's lines arrive interleaved with this many others'.") var concurrency = 100
    @Flag(help: "Spread every trace's lines over the whole run instead (each trace lasting the whole ingest: a worst case).")
    var scatter = false
    @Option(help: ArgumentHelp("The C reference's source.", valueName: "path")) var reference = "Benchmarks/reference/sqlite_insert.c"
    @Option(help: "C compiler.") var cc = "cc"
    @Flag(help: "Keep the database (in --directory) for a look afterwards.") var keep = false

    func run() async throws {
        let dir = directory ?? NSTemporaryDirectory() + "tracejoin-bench-index-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        var rng = SplitMix(seed: 7)
        // 10 log lines a span on average: traces of 1–19 spans, lines spread over them.
        let traceCount = max(1, spans / 10)
        let services = ["checkout", "payments", "inventory", "search", "auth"]
        let levels = ["INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR"]
        func traceID(_ n: Int) -> TraceID { TraceID(high: 0x6b06_0b90_0000_0000, low: UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1) }

        // The C reference first, on a database made by the same migrations.
        var referenceRate: Double?
        if !scatter {
            print("C reference: the same rows through the SQLite C API…")
            let referencePath = dir + "/reference.db"
            _ = try Index(path: referencePath)
            let binary = dir + "/sqlite_insert"
            _ = try BenchCommand.runProcess(cc, ["-O2", "-o", binary, reference, "-lsqlite3"])
            let output = try BenchCommand.runProcess(binary, [
                referencePath, "\(lines)", "\(traceCount)", "\(concurrency)", "\(batch)", "\(Index.writerCacheKiB)", "\(Index.checkpointPages)",
            ])
            let fields = Dictionary(uniqueKeysWithValues: output.split(whereSeparator: \.isWhitespace).compactMap { pair -> (String, Double)? in
                let kv = pair.split(separator: "=")
                guard kv.count == 2, let v = Double(kv[1]) else { return nil }
                return (String(kv[0]), v)
            })
            guard let rows = fields["rows"], let spent = fields["seconds"], spent > 0 else { throw ValidationError("reference printed: \(output)") }
            referenceRate = rows / spent
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: referencePath + suffix) }
        }

        let index = try Index(path: dir + "/index.db")
        print("storing \(spans) spans in \(traceCount) traces…")
        var spanTime = Duration.zero
        var stored = 0
        while stored < spans {
            let n = min(batch, spans - stored)
            let records = (0..<n).map { i -> SpanRecord in
                // Span k belongs to trace k % traceCount; they are stored a trace at a time, as a
                // tracer sends a trace's spans together.
                let s = stored + i
                let k = s < 10 * traceCount ? s % 10 * traceCount + s / 10 : s
                return SpanRecord(traceID: traceID(k % traceCount), spanID: SpanID(UInt64(k + 1)), parentID: k < traceCount ? nil : SpanID(UInt64(k % traceCount + 1)),
                                  service: services[k % services.count], name: "op", resource: "GET /x", start: 1_764_000_000_000_000_000 + Int64(k),
                                  duration: 1000, error: k % 50 == 0, meta: ["env": "prod"], protocolName: "datadog-v0.5")
            }
            let t = ContinuousClock.now
            try await index.insert(records)
            spanTime += ContinuousClock.now - t
            stored += n
        }
        let spanSeconds = seconds(spanTime)
        print("storing \(lines) log lines in batches of \(batch), " + (scatter ? "each trace's lines spread over the whole run…" : "\(concurrency) traces in progress at a time…"))
        // Only the commits are timed, not making up the records.
        var logTime = Duration.zero
        stored = 0
        while stored < lines {
            let n = min(batch, lines - stored)
            var records: [LogRecord] = []
            records.reserveCapacity(n)
            let perTrace = max(1, lines / traceCount)
            for i in 0..<n {
                let k = stored + i
                let span: Int
                if scatter {
                    span = k % spans
                } else {
                    // Blocks of `concurrency` traces, their lines round-robin, each on its spans in turn.
                    let j = k % (concurrency * perTrace)
                    let trace = (k / (concurrency * perTrace) * concurrency + j % concurrency) % traceCount
                    let s = trace + (j / concurrency) % 10 * traceCount
                    span = s < spans ? s : trace
                }
                let message = "request \(k) handled in \(rng.next() % 500) ms"
                let raw = "2026-11-24 22:11:28,925 \(levels[k % levels.count]) [rc.app] [app.py:144] [dd.trace_id=\(traceID(span % traceCount).hex) dd.span_id=\(span + 1)] - \(message)"
                records.append(LogRecord(traceID: traceID(span % traceCount), spanID: SpanID(UInt64(span + 1)), time: "2026-11-24 22:11:28,925",
                                         level: levels[k % levels.count], message: message, file: "/var/log/app.log", source: "app",
                                         rule: "python-ddtrace", raw: raw, fields: [.init(name: "logger", value: "rc.app")]))
            }
            let t = ContinuousClock.now
            try await index.commit(TailBatch(records: records))
            logTime += ContinuousClock.now - t
            stored += n
        }
        let logSeconds = seconds(logTime)
        let bytes = try await index.usedBytes()

        // Queries are timed on a settled index: the gigabytes just written are flushed first,
        // so the kernel's write-back does not share the two cores with them.
        sync()
        var lookups: [Double] = []
        // Building each found trace's document and writing its JSON, as the route does.
        var documents: [Double] = []
        var documentBytes = 0
        for _ in 0..<queries {
            let id = traceID(Int(rng.next() % UInt64(traceCount)))
            let t = ContinuousClock.now
            let found = try await index.trace(id)
            lookups.append(seconds(ContinuousClock.now - t) * 1000)
            let t2 = ContinuousClock.now
            documentBytes += TraceDocument(found, queried: id).json().count
            documents.append(seconds(ContinuousClock.now - t2) * 1000)
            guard !found.spans.isEmpty else { throw ValidationError("trace not found") }
        }
        var searches: [Double] = []
        for i in 0..<max(1, queries / 5) {
            let t = ContinuousClock.now
            _ = try await index.logs(LogQuery(service: services[i % services.count], level: "ERROR", limit: 100))
            searches.append(seconds(ContinuousClock.now - t) * 1000)
        }

        // The same through the query API: a real query server on a Unix socket, one connection
        // a request as `tracejoin query` makes them.
        let socket = dir + "/query.sock"
        let server = QueryServer.application(socketPath: socket, mode: 0o600, reader: index, status: BenchStatus(), stopping: { false },
                                             logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        var httpLookups: [Double] = []
        var httpSearches: [Double] = []
        var httpFloor: [Double] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let client = UnixHTTPClient(socketPath: socket)
            let deadline = ContinuousClock.now + .seconds(10)
            while (try? await client.get("/healthz"))?.status != 200 {
                guard ContinuousClock.now < deadline else { throw ValidationError("the query server did not start") }
                try await Task.sleep(for: .milliseconds(10))
            }
            // The floor: a request that does no work.
            for _ in 0..<queries {
                let t = ContinuousClock.now
                _ = try await client.get("/healthz")
                httpFloor.append(seconds(ContinuousClock.now - t) * 1000)
            }
            for _ in 0..<queries {
                let id = traceID(Int(rng.next() % UInt64(traceCount)))
                let t = ContinuousClock.now
                let reply = try await client.get("/v1/traces/\(id.hex)")
                httpLookups.append(seconds(ContinuousClock.now - t) * 1000)
                guard reply.status == 200 else { throw ValidationError("GET /v1/traces/\(id.hex): \(reply.status)") }
            }
            for i in 0..<max(1, queries / 5) {
                let t = ContinuousClock.now
                let reply = try await client.get("/v1/logs?service=\(services[i % services.count])&level=ERROR&limit=100")
                httpSearches.append(seconds(ContinuousClock.now - t) * 1000)
                guard reply.status == 200 else { throw ValidationError("GET /v1/logs: \(reply.status)") }
            }
            group.cancelAll()
        }

        let logRate = Double(lines) / logSeconds
        print("")
        print("ingest: \(spans) spans at \(Int(Double(spans) / spanSeconds)) spans/s; \(lines) log lines at \(Int(logRate)) records/s"
            + (referenceRate.map { String(format: "; C reference %d records/s, Tracejoin %.2f× the C time", Int($0), $0 / logRate) } ?? ""))
        print("size: \(bytes / 1_048_576) MiB, \(bytes / Int64(max(1, lines + spans))) bytes a record")
        print("GET /v1/traces/{id} (\(lookups.count)):  over HTTP p50 \(pct(httpLookups, 50)) ms  p99 \(pct(httpLookups, 99)) ms;  "
            + "in the index p50 \(pct(lookups, 50)) ms  p99 \(pct(lookups, 99)) ms")
        print("  of which building the document and its JSON (\(documentBytes / max(1, documents.count) / 1024) KiB a trace):  "
            + "p50 \(pct(documents, 50)) ms  p99 \(pct(documents, 99)) ms")
        print("GET /healthz (\(httpFloor.count)), the HTTP round trip alone:  p50 \(pct(httpFloor, 50)) ms  p99 \(pct(httpFloor, 99)) ms")
        print("GET /v1/logs?service=&level= (\(searches.count)):  over HTTP p50 \(pct(httpSearches, 50)) ms  p99 \(pct(httpSearches, 99)) ms;  "
            + "in the index p50 \(pct(searches, 50)) ms  p99 \(pct(searches, 99)) ms")
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    func pct(_ values: [Double], _ p: Double) -> String {
        let sorted = values.sorted()
        return String(format: "%.2f", sorted[min(sorted.count - 1, Int(p / 100 * Double(sorted.count)))])
    }
}

/// The query server's view of a daemon, for a benchmark that has only an index.
private struct BenchStatus: DaemonStatus {
    let counters = CounterRegistry()
    func ruleFiles() -> [RuleFileStatus] { [] }
    func tailedFiles() -> [TailedFileStatus] { [] }
    func retention() -> RetentionStatus { RetentionStatus(max_bytes: 0, max_age_seconds: 0) }
    func ingest() -> IngestStatus { IngestStatus() }
    func damagedBlocks() -> [DamagedBlock] { [] }
}
