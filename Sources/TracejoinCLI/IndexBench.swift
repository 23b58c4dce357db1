import ArgumentParser
import Foundation
import Index
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

    func run() async throws {
        let dir = directory ?? NSTemporaryDirectory() + "tracejoin-bench-index-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let index = try Index(path: dir + "/index.db")
        var rng = SplitMix(seed: 7)
        // 10 log lines a span on average: traces of 1–19 spans, lines spread over them.
        let traceCount = max(1, spans / 10)
        let services = ["checkout", "payments", "inventory", "search", "auth"]
        let levels = ["INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR"]
        func traceID(_ n: Int) -> TraceID { TraceID(high: 0x6b06_0b90_0000_0000, low: UInt64(n) &* 0x9E37_79B9_7F4A_7C15 | 1) }

        print("storing \(spans) spans in \(traceCount) traces…")
        var start = ContinuousClock.now
        var stored = 0
        while stored < spans {
            let n = min(batch, spans - stored)
            let records = (0..<n).map { i -> SpanRecord in
                let k = stored + i
                return SpanRecord(traceID: traceID(k % traceCount), spanID: SpanID(UInt64(k + 1)), parentID: k < traceCount ? nil : SpanID(UInt64(k % traceCount + 1)),
                                  service: services[k % services.count], name: "op", resource: "GET /x", start: 1_764_000_000_000_000_000 + Int64(k),
                                  duration: 1000, error: k % 50 == 0, meta: ["env": "prod"], protocolName: "datadog-v0.5")
            }
            try await index.insert(records)
            stored += n
        }
        let spanSeconds = seconds(ContinuousClock.now - start)
        print("storing \(lines) log lines in batches of \(batch)…")
        start = ContinuousClock.now
        stored = 0
        while stored < lines {
            let n = min(batch, lines - stored)
            var records: [LogRecord] = []
            records.reserveCapacity(n)
            for i in 0..<n {
                let k = stored + i
                let span = k % spans
                let message = "request \(k) handled in \(rng.next() % 500) ms"
                let raw = "2026-11-24 22:11:28,925 \(levels[k % levels.count]) [rc.app] [app.py:144] [dd.trace_id=\(traceID(span % traceCount).hex) dd.span_id=\(span + 1)] - \(message)"
                records.append(LogRecord(traceID: traceID(span % traceCount), spanID: SpanID(UInt64(span + 1)), time: "2026-11-24 22:11:28,925",
                                         level: levels[k % levels.count], message: message, file: "/var/log/app.log", source: "app",
                                         rule: "python-ddtrace", raw: raw, fields: [.init(name: "logger", value: "rc.app")]))
            }
            try await index.commit(TailBatch(records: records))
            stored += n
        }
        let logSeconds = seconds(ContinuousClock.now - start)
        let bytes = try await index.usedBytes()

        var lookups: [Double] = []
        for _ in 0..<queries {
            let id = traceID(Int(rng.next() % UInt64(traceCount)))
            let t = ContinuousClock.now
            let found = try await index.trace(id)
            lookups.append(seconds(ContinuousClock.now - t) * 1000)
            guard !found.spans.isEmpty else { throw ValidationError("trace not found") }
        }
        var searches: [Double] = []
        for i in 0..<max(1, queries / 5) {
            let t = ContinuousClock.now
            _ = try await index.logs(LogQuery(service: services[i % services.count], level: "ERROR", limit: 100))
            searches.append(seconds(ContinuousClock.now - t) * 1000)
        }
        print("")
        print("ingest: \(spans) spans at \(Int(Double(spans) / spanSeconds)) spans/s; \(lines) log lines at \(Int(Double(lines) / logSeconds)) records/s")
        print("size: \(bytes / 1_048_576) MiB, \(bytes / Int64(max(1, lines + spans))) bytes a record")
        print("GET /v1/traces/{id} lookup (\(lookups.count)):  p50 \(pct(lookups, 50)) ms  p99 \(pct(lookups, 99)) ms")
        print("logs search service+level (\(searches.count)):  p50 \(pct(searches, 50)) ms  p99 \(pct(searches, 99)) ms")
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    func pct(_ values: [Double], _ p: Double) -> String {
        let sorted = values.sorted()
        return String(format: "%.2f", sorted[min(sorted.count - 1, Int(p / 100 * Double(sorted.count)))])
    }
}
