import ArgumentParser
import Foundation
import Rules
import TraceContext
import TracejoinAPI

/// Writes a small traced workload the way a ddtrace-instrumented Python service would — log
/// lines to the example source's file, spans to the intake socket — then shows the join.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a small traced workload to the running daemon and show the joined traces.")

    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("The log file to append to (default: the path of the config's 'demo' source).", valueName: "path"))
    var log: String?

    func run() async throws {
        let config: ConfigDirectory
        do {
            config = try ConfigDirectory.load(options.config)
        } catch {
            printError("tracejoin: the configuration has errors:\n\(error)")
            throw ExitCode(2)
        }
        let logPath = try log ?? demoLogPath(config)
        let workload = DemoWorkload.make(now: Date())

        // Logs first, spans second: the index joins them whichever arrives first.
        try FileManager.default.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try append(workload.logLines.joined(separator: "\n") + "\n", to: logPath)
        let intake = UnixHTTPClient(socketPath: config.daemon.intake.socketPath)
        let reply = try await request { try await intake.post("/v1/spans", body: Array(workload.ndjson.utf8), contentType: "application/x-ndjson") }
        guard reply.status == 200 else {
            printError("tracejoin: the intake refused the demo spans: \(reply.text)")
            throw ExitCode(1)
        }
        print("wrote \(workload.logLines.count) log lines to \(logPath) and sent \(workload.spanCount) spans to \(config.daemon.intake.socketPath)\n")

        let query = UnixHTTPClient(socketPath: config.daemon.query.socketPath)
        let renderer = TraceRenderer(color: useColor())
        for trace in workload.traces {
            let document = try await waitForJoin(trace, expectedLogs: trace.logCount, client: query)
            print(renderer.render(document))
            print("")
        }
        print("Query them yourself:")
        for trace in workload.traces {
            print("  tracejoin query trace \(trace.shownID) --config \(options.config)")
        }
        print("  curl --unix-socket \(config.daemon.query.socketPath) http://localhost/v1/traces/\(workload.traces[0].shownID)")
        if let address = config.daemon.query.tcp.first {
            print("In a browser (log in once with the link `tracejoin serve` printed):")
            for trace in workload.traces {
                print("  http://\(address)/trace/\(trace.shownID)")
            }
        }
    }

    /// The first literal (glob-free) path of the source named `demo`.
    private func demoLogPath(_ config: ConfigDirectory) throws -> String {
        let source = config.sources.first { $0.file.source == "demo" }
        guard let path = source?.file.paths.first(where: { !$0.contains(where: { "*?[".contains($0) }) }) else {
            throw ValidationError("the configuration has no 'demo' source with a plain file path; pass --log PATH")
        }
        return path
    }

    /// Polls the query socket until the trace shows all its log lines (the tailer reads within
    /// a poll interval), for up to ten seconds.
    private func waitForJoin(_ trace: DemoWorkload.Trace, expectedLogs: Int, client: UnixHTTPClient) async throws -> TraceDocument {
        let deadline = ContinuousClock.now + .seconds(10)
        var last: TraceDocument?
        while ContinuousClock.now < deadline {
            let reply = try await request { try await client.get("/v1/traces/\(trace.shownID)") }
            if reply.status == 200, let document = try? JSONDecoder().decode(TraceDocument.self, from: Data(reply.body)) {
                last = document
                if joinedLogs(document.spans) >= expectedLogs { return document }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if let last {
            printError("tracejoin: not every demo line was joined within 10 s; showing what is there")
            return last
        }
        printError("tracejoin: the daemon did not index the demo trace within 10 s; is the 'demo' source tailing \(log ?? "its file")?")
        throw ExitCode(1)
    }

    private func joinedLogs(_ spans: [TraceDocument.Span]) -> Int {
        spans.reduce(0) { $0 + $1.logs.count + joinedLogs($1.children) }
    }

    private func append(_ text: String, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
