import ArgumentParser
import Foundation
import QueryAPI
import TracejoinModel

/// `tracejoin query logs`: log lines matching filters, newest first.
struct LogsQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Search log lines: by trace, span, service, level, source, text and time.")

    @Option(help: "Trace ID, any form.") var trace: String?
    @Option(help: "Span ID, any form.") var span: String?
    @Option(help: "Lines joined to a span of this service.") var service: String?
    @Option(help: "Level, e.g. ERROR (any case).") var level: String?
    @Option(help: "The rule file's source name.") var source: String?
    @Option(name: .customLong("grep"), help: "Text the message contains.") var text: String?
    @Option(help: "Since: RFC 3339, or a duration ago (15m, 2h, 7d).") var since: String?
    @Option(help: "Until: RFC 3339, or a duration ago.") var until: String?
    @Option(help: "Most lines to show (at most 1000).") var limit = 50
    @Flag(help: "Print the API's JSON.") var json = false
    @OptionGroup var socket: SocketOptions

    func run() async throws {
        let items: [(String, String?)] = [
            ("trace_id", trace), ("span_id", span), ("service", service), ("level", level), ("source", source), ("q", text),
            ("since", since), ("until", until), ("limit", String(limit)),
        ]
        let reply = try await get("/v1/logs", items, socket: socket)
        if json {
            print(reply.text)
            return
        }
        let document = try JSONDecoder().decode(Page.self, from: Data(reply.body))
        let renderer = TraceRenderer(color: useColor())
        for entry in document.logs.reversed() {
            print(renderer.line(entry.log) + "  " + renderer.faint("trace \(entry.trace_id ?? "-")" + (entry.log.span_id_dd.map { " span \($0)" } ?? "")))
        }
        if document.logs.isEmpty { printError("no log lines match") }
        if document.next_cursor != nil { printError("(more: raise --limit or narrow the search)") }
    }

    struct Page: Decodable {
        var logs: [Entry]
        var next_cursor: String?
        struct Entry: Decodable {
            var trace_id: String?
            var log: TraceDocument.Log
        }
    }
}

/// `tracejoin query recent`: the most recent traces with their counts.
struct RecentQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recent",
        abstract: "List recent traces with span, log and error counts.")

    @Option(help: "Only traces with a span of this service.") var service: String?
    @Flag(help: "Only traces with an error.") var errors = false
    @Option(help: "Since: RFC 3339, or a duration ago (15m, 2h, 7d).") var since: String?
    @Option(help: "Most traces to show (at most 200).") var limit = 20
    @Flag(help: "Print the API's JSON.") var json = false
    @OptionGroup var socket: SocketOptions

    func run() async throws {
        let reply = try await get("/v1/traces", [("service", service), ("error", errors ? "true" : nil), ("since", since),
                                                ("limit", String(limit))], socket: socket)
        if json {
            print(reply.text)
            return
        }
        struct Page: Decodable {
            var traces: [Entry]
            struct Entry: Decodable {
                var trace_id: String
                var root: String?
                var services: [String]
                var start: String
                var duration_ns: Int64
                var spans: Int
                var errors: Int
                var logs: Int
            }
        }
        let page = try JSONDecoder().decode(Page.self, from: Data(reply.body))
        for t in page.traces {
            let errorMark = t.errors > 0 ? "  ✗ \(t.errors) error\(t.errors == 1 ? "" : "s")" : ""
            print("\(t.start)  \(t.trace_id)  \(t.root ?? "?")  [\(t.services.joined(separator: ", "))]  \(TraceRenderer.duration(t.duration_ns))  \(t.spans) spans, \(t.logs) lines\(errorMark)")
        }
        if page.traces.isEmpty { printError("no traces match") }
    }
}

/// GET `path` with the query items that are set; a 4xx becomes the daemon's message and exit 1.
func get(_ path: String, _ items: [(String, String?)], socket: SocketOptions) async throws -> UnixHTTPClient.Reply {
    var components = URLComponents()
    components.path = path
    let set = items.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
    if !set.isEmpty { components.queryItems = set }
    let client = UnixHTTPClient(socketPath: try socket.querySocket())
    let reply = try await request { try await client.get(components.percentEncodedQuery.map { path + "?" + $0 } ?? path) }
    guard reply.status == 200 else {
        let error = try? JSONDecoder().decode(ErrorReply.self, from: Data(reply.body))
        printError("tracejoin: \(error.map { "\($0.error): \($0.detail ?? "")" } ?? "the daemon answered \(reply.status)")")
        throw ExitCode(1)
    }
    return reply
}
