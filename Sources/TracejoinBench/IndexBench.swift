import ArgumentParser
import Foundation
import GRDB
import Index
import Logging
import QueryAPI
import TraceContext
import TracejoinAPI
import TracejoinCLI
import TracejoinModel

/// `tracejoin-bench bench-index`: ingest rate into the index with its production indexes, and the
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
    @Option(help: "Where sealed blocks go: segments (files beside the database, the default) or database (blobs in it).") var store = "segments"
    @Option(help: "Lines a trace group of a sealed block (0: blocks not grouped by trace, as before schema v13).")
    var groupRecords = CorrelationStore.Options().groupRecords
    @Flag(inversion: .prefixedNo, help: "Compress the same text with `zstd -1` for comparison (writes it to --directory).") var compare = true

    func run() async throws {
        let dir = directory ?? NSTemporaryDirectory() + "tracejoin-bench-index-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        var rng = SplitMix(seed: 7)
        // 10 log lines a span on average: traces of 1–19 spans, lines spread over them.
        let traceCount = max(1, spans / 10)
        let services = ["checkout", "payments", "inventory", "search", "auth"]

        // The C reference first, on a database made by the same migrations.
        var referenceRate: Double?
        if !scatter {
            print("C reference: the same rows through the SQLite C API…")
            let referencePath = dir + "/reference.db"
            // The row store that v8 kept (one row per line), made by the same migrations.
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = \(CorrelationStore.pageSize)") }
            let rowStore = try DatabaseQueue(path: referencePath, configuration: configuration)
            try Schema.migrator.migrate(rowStore, upTo: "v8: level in the arrival-order index")
            try await rowStore.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
            let binary = dir + "/sqlite_insert"
            _ = try BenchCommand.runProcess(cc, ["-O2", "-o", binary, reference, "-lsqlite3"])
            let output = try BenchCommand.runProcess(binary, [
                referencePath, "\(lines)", "\(traceCount)", "\(concurrency)", "\(batch)", "\(CorrelationStore.writerCacheKiB)", "\(CorrelationStore.checkpointPages)",
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

        var options = CorrelationStore.Options()
        options.sealedInDatabase = store == "database"
        options.groupRecords = groupRecords
        let index = try CorrelationStore(path: dir + "/index.db", options: options)
        var workload = try LogWorkload(traces: traceCount, concurrency: concurrency, perTrace: max(1, lines / traceCount), work: dir + "/work")
        workload.keepText = compare
        let textPath = dir + "/lines.log"
        if compare { _ = FileManager.default.createFile(atPath: textPath, contents: nil) }
        let textFile = compare ? FileHandle(forWritingAtPath: textPath) : nil
        print("storing \(lines) log lines (ddtrace format, parsed by the real rule, not timed) in batches of \(batch), "
            + "\(concurrency) traces in progress at a time, blocks in \(options.sealedInDatabase ? "the database" : "segment files"), "
            + (groupRecords > 0 ? "grouped by trace (\(groupRecords) lines a group)…" : "not grouped by trace…"))
        // Only the commits are timed, not making up the records.
        var logTime = Duration.zero
        var stored = 0
        var records = 0
        let cpuBefore = cpuSeconds()
        var cpuOutside = 0.0
        while stored < lines {
            let n = min(batch, lines - stored)
            let c0 = cpuSeconds()
            let batchRecords = workload.next(n)
            if compare {
                textFile?.write(Data(workload.text))
                workload.text.removeAll(keepingCapacity: true)
            }
            cpuOutside += cpuSeconds() - c0
            let t = ContinuousClock.now
            try await index.commit(TailBatch(records: batchRecords))
            logTime += ContinuousClock.now - t
            stored += n
            records += batchRecords.count
        }
        try textFile?.close()
        let logSeconds = seconds(logTime)
        let logCPU = cpuSeconds() - cpuBefore - cpuOutside
        let rawBytes = workload.rawBytes
        let disk = Self.bytesUnder(dir, excluding: ["lines.log", "lines.log.zst", "reference.db", "work", "sqlite_insert"])
        var zstdLine = ""
        if compare {
            let t = ContinuousClock.now
            _ = try BenchCommand.runProcess("zstd", ["-1", "-q", "-f", textPath, "-o", textPath + ".zst"])
            let zstdSeconds = seconds(ContinuousClock.now - t)
            let zstdBytes = (try FileManager.default.attributesOfItem(atPath: textPath + ".zst")[.size] as? Int) ?? 0
            zstdLine = String(format: "; zstd -1 of the same text: %.3f× in %.2f s (%.0f MB/s)", Double(zstdBytes) / Double(rawBytes), zstdSeconds,
                              Double(rawBytes) / zstdSeconds / 1e6)
            try? FileManager.default.removeItem(atPath: textPath)
            try? FileManager.default.removeItem(atPath: textPath + ".zst")
        }
        let linesDisk = disk

        print("storing \(spans) spans in \(traceCount) traces…")
        var spanTime = Duration.zero
        stored = 0
        while stored < spans {
            let n = min(batch, spans - stored)
            let spanRecords = (0..<n).map { i -> SpanRecord in
                // Span s is span s % 10 of trace s / 10, stored a trace at a time as tracers send them.
                let s = stored + i
                let trace = s / 10 % traceCount
                let id = UInt64(s + 1) &* 0xD6E8_FEB8_6659_FD93
                return SpanRecord(traceID: LogWorkload.traceID(trace), spanID: SpanID(id),
                                  parentID: s % 10 == 0 ? nil : SpanID(UInt64(trace * 10 + 1) &* 0xD6E8_FEB8_6659_FD93),
                                  service: services[trace % services.count], name: "op", resource: "GET /x", start: 1_764_000_000_000_000_000 + Int64(s),
                                  duration: 1000, error: s % 50 == 0, meta: ["env": "prod", "customer": "c\(trace)"], protocolName: "datadog-v0.5")
            }
            let t = ContinuousClock.now
            try await index.insert(spanRecords)
            spanTime += ContinuousClock.now - t
            stored += n
        }
        let spanSeconds = seconds(spanTime)
        let bytes = try await index.usedBytes()

        // Queries are timed on a settled index: the gigabytes just written are flushed first,
        // so the kernel's write-back does not share the two cores with them.
        sync()
        var lookups: [Double] = []
        // Building each found trace's document and writing its JSON, as the route does.
        var documents: [Double] = []
        var documentBytes = 0
        for _ in 0..<queries {
            let id = LogWorkload.traceID(Int(rng.next() % UInt64(traceCount)))
            let t = ContinuousClock.now
            let found = try await index.trace(id)
            lookups.append(seconds(ContinuousClock.now - t) * 1000)
            let t2 = ContinuousClock.now
            documentBytes += TraceView(found, queried: id).json().count
            documents.append(seconds(ContinuousClock.now - t2) * 1000)
            guard !found.spans.isEmpty else { throw ValidationError("trace not found") }
        }
        // Jaeger's search by tag: a tag one trace has (its customer), and one every fiftieth
        // span has (error=true), 20 traces a search as Jaeger UI asks.
        var tagSearches: [Double] = []
        for i in 0..<max(1, queries / 5) {
            // Every fiftieth span is an error: the roots of every fifth trace.
            let trace = Int(rng.next() % UInt64(traceCount)) / 5 * 5
            let tags = i % 2 == 0 ? ["customer": "c\(trace)"] : ["error": "true"]
            let t = ContinuousClock.now
            let found = try await index.findTraces(SpanSearch(service: services[trace % services.count], tags: tags, since: 0, until: .max, limit: 20))
            tagSearches.append(seconds(ContinuousClock.now - t) * 1000)
            guard !found.isEmpty, i % 2 == 1 || found.map(\.low) == [LogWorkload.traceID(trace).low] else {
                throw ValidationError("the search by \(tags) found \(found)")
            }
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
        let server = QueryServer.application(socketPath: socket, mode: 0o600, reader: index, status: DaemonReports(reporters: []), stopping: { false },
                                             logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        var httpLookups: [Double] = []
        var httpSearches: [Double] = []
        var textSearches: [Double] = []
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
                let id = LogWorkload.traceID(Int(rng.next() % UInt64(traceCount)))
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
            // A substring search that matches nothing: it reads the newest blocks until its
            // bound (about a million lines) and answers an empty page with a cursor.
            for _ in 0..<5 {
                let t = ContinuousClock.now
                let reply = try await client.get("/v1/logs?q=no%20such%20text&limit=100")
                textSearches.append(seconds(ContinuousClock.now - t) * 1000)
                guard reply.status == 200 else { throw ValidationError("GET /v1/logs?q=: \(reply.status)") }
            }
            group.cancelAll()
        }

        let logRate = Double(records) / logSeconds
        print("")
        print("ingest: \(records) records (from \(lines) lines) at \(Int(logRate)) records/s, \(String(format: "%.2f", logCPU / Double(records) * 1e6)) CPU µs a record"
            + (referenceRate.map { String(format: "; C SQLite row inserter %d records/s: %.2f× its rate", Int($0), logRate / $0) } ?? ""))
        print("  spans: \(spans) at \(Int(Double(spans) / spanSeconds)) spans/s")
        print(String(format: "disk after the lines: %.1f MiB for %.1f MiB of log text: %.3f× the raw bytes", Double(linesDisk) / 1_048_576,
                     Double(rawBytes) / 1_048_576, Double(linesDisk) / Double(rawBytes)) + zstdLine)
        print("  with the spans too: \(bytes / 1_048_576) MiB;  peak RSS of this process \(Self.peakRSSMiB()) MiB")
        print("GET /v1/traces/{id} (\(lookups.count)):  over HTTP p50 \(pct(httpLookups, 50)) ms  p99 \(pct(httpLookups, 99)) ms;  "
            + "in the index p50 \(pct(lookups, 50)) ms  p99 \(pct(lookups, 99)) ms")
        print("  of which building the document and its JSON (\(documentBytes / max(1, documents.count) / 1024) KiB a trace):  "
            + "p50 \(pct(documents, 50)) ms  p99 \(pct(documents, 99)) ms")
        print("GET /healthz (\(httpFloor.count)), the HTTP round trip alone:  p50 \(pct(httpFloor, 50)) ms  p99 \(pct(httpFloor, 99)) ms")
        print("Jaeger search by tag (\(tagSearches.count), half a tag of one trace, half error=true; limit 20), in the index:  "
            + "p50 \(pct(tagSearches, 50)) ms  p99 \(pct(tagSearches, 99)) ms")
        print("GET /v1/logs?service=&level= (\(searches.count)):  over HTTP p50 \(pct(httpSearches, 50)) ms  p99 \(pct(httpSearches, 99)) ms;  "
            + "in the index p50 \(pct(searches, 50)) ms  p99 \(pct(searches, 99)) ms")
        print("GET /v1/logs?q= matching nothing (\(textSearches.count)), over HTTP, the newest \(min(lines, CorrelationStore.maxRecordsPerSearch)) lines at most:  "
            + "p50 \(pct(textSearches, 50)) ms  max \(pct(textSearches, 100)) ms")
    }

    /// Bytes of every file under `dir` (recursively), except the named top-level entries.
    static func bytesUnder(_ dir: String, excluding: Set<String>) -> Int64 {
        var total: Int64 = 0
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where !excluding.contains(name) {
            let path = dir + "/" + name
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                total += bytesUnder(path, excluding: [])
            } else {
                total += fileBytes(path)
            }
        }
        return total
    }

    /// The size of the file at `path`; 0 when there is none.
    static func fileBytes(_ path: String) -> Int64 {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
    }

    /// This process's peak resident memory (VmHWM).
    static func peakRSSMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// CPU time (user + system) of this process so far, in seconds.
    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    func pct(_ values: [Double], _ p: Double) -> String {
        let sorted = values.sorted()
        return String(format: "%.2f", sorted[min(sorted.count - 1, Int(p / 100 * Double(sorted.count)))])
    }
}
