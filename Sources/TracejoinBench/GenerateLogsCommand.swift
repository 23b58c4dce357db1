import ArgumentParser
import Foundation

/// `tracejoin-bench debug-generate-logs`: writes the index benchmark's ddtrace workload as a log file,
/// for the daemon's end-to-end ingest benchmark (`Benchmarks/ingest.py`). Hidden from `--help`.
struct GenerateLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-generate-logs",
        abstract: "Write the benchmark's ddtrace-format log lines to a file.",
        shouldDisplay: false)

    @Option(help: "Lines to write (a traceback folded into an ERROR line counts as one).") var lines = 1_000_000
    @Option(help: "Traces (10 spans each).") var traces = 100_000
    @Option(help: "The file to write.") var output: String

    func run() throws {
        let work = NSTemporaryDirectory() + "tracejoin-generate-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        var workload = try LogWorkload(traces: traces, concurrency: 100, perTrace: max(1, lines / traces), work: work)
        workload.keepText = true
        guard FileManager.default.createFile(atPath: output, contents: nil), let file = FileHandle(forWritingAtPath: output) else {
            throw ValidationError("cannot create \(output)")
        }
        var written = 0
        while written < lines {
            let n = min(50_000, lines - written)
            _ = workload.next(n)
            file.write(Data(workload.text))
            workload.text.removeAll(keepingCapacity: true)
            written += n
        }
        try file.close()
        print("wrote \(lines) lines, \(workload.rawBytes) bytes, to \(output)")
    }
}
