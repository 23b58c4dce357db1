import ArgumentParser
import Foundation
import HTTPSupport
import Rules
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask the running daemon.",
        subcommands: [TraceQuery.self, SpanQuery.self, LogsQuery.self, RecentQuery.self, UnmatchedQuery.self, FollowQuery.self])
}

/// Where to reach the daemon's query socket: `--socket`, or the config's `query.socket`.
struct SocketOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's query socket (default: the config's query.socket).", valueName: "path"))
    var socket: String?

    @OptionGroup var config: ConfigOption

    func querySocket() throws -> String {
        if let socket { return socket }
        do {
            return try DaemonConfig.load(directory: config.config).query.socketPath
        } catch {
            throw ValidationError("cannot find the query socket: \(error). Pass --socket PATH or --config DIR.")
        }
    }
}

struct TraceQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show a trace as a tree of spans with each span's log lines under it.")

    @Argument(help: "The trace ID: 32 or 16 hex digits, or decimal (Datadog's form).")
    var id: String

    @OptionGroup var socket: SocketOptions

    @Flag(help: "Print the query API's JSON instead of the tree.")
    var json = false

    @Option(help: "Most log lines to show (the daemon's default is 10,000; it allows up to 50,000).")
    var logsLimit: Int?

    @OptionGroup var fleet: ClickHouseOptions

    @OptionGroup var output: OutputOptions

    func run() async throws {
        if let client = try fleet.client() {
            try await fleetTrace(id, client: client, logsLimit: logsLimit ?? 10_000, json: json, output: output)
            return
        }
        let client = UnixHTTPClient(socketPath: try socket.querySocket())
        let path = "/v1/traces/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id)
            + (logsLimit.map { "?logs_limit=\($0)" } ?? "")
        let reply = try await request { try await client.get(path) }
        if json {
            print(output.json(reply.text))
            if reply.status != 200 { throw ExitCode(1) }
            return
        }
        guard reply.status == 200 else {
            let error = try? JSONDecoder().decode(JSONReply.ErrorBody.self, from: Data(reply.body))
            printError("tracejoin: \(TerminalText.escape(error?.detail ?? error?.error ?? "the daemon answered \(reply.status)"))")
            throw ExitCode(1)
        }
        let document = try JSONDecoder().decode(TraceDocument.self, from: Data(reply.body))
        print(TraceRenderer(color: useColor(), escape: output.escapes).render(document))
    }
}

/// Runs a request, turning "nothing listens there" into a clear message and exit status 1.
func request(_ body: () async throws -> UnixHTTPClient.Reply) async throws -> UnixHTTPClient.Reply {
    do {
        return try await body()
    } catch let error as UnixHTTPClient.NotRunning {
        printError("tracejoin: the daemon is not running (cannot connect to \(error.socketPath)). Start it with `tracejoin serve --config DIR`.")
        throw ExitCode(1)
    }
}

/// Colour on a terminal, unless `NO_COLOR` is set (https://no-color.org).
func useColor() -> Bool {
    ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) != 0
}
