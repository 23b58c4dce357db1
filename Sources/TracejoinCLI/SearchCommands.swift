import ArgumentParser
import Export
import Foundation
import HTTPSupport
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

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
    @OptionGroup var fleet: ClickHouseOptions
    @Option(help: "With --clickhouse: only lines of this host.") var host: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        if let client = try fleet.client() {
            try await fleetLogs(client)
            return
        }
        let items: [(String, String?)] = [
            ("trace_id", trace), ("span_id", span), ("service", service), ("level", level), ("source", source), ("q", text),
            ("since", since), ("until", until), ("limit", String(limit)),
        ]
        let reply = try await get("/v1/logs", items, socket: socket)
        if json {
            print(output.json(reply.text))
            return
        }
        let document = try JSONDecoder().decode(LogsPage.self, from: Data(reply.body))
        let renderer = TraceRenderer(color: useColor(), escape: output.escapes)
        for entry in document.logs.reversed() {
            let ids = "trace \(entry.trace_id ?? "-")" + (entry.log.span_id_dd.map { " span \($0)" } ?? "")
            print(renderer.line(entry.log) + "  " + renderer.faint(renderer.text(ids)))
        }
        if document.logs.isEmpty { printError("no log lines match") }
        if document.next_cursor != nil { printError("(more: raise --limit or narrow the search)") }
    }

    /// The same search over ClickHouse: trace, level, source, text and host.
    func fleetLogs(_ client: ClickHouseClient) async throws {
        guard span == nil, service == nil, since == nil, until == nil else {
            throw ValidationError("with --clickhouse, search by --trace, --level, --source, --grep and --host")
        }
        var traceID: TraceID?
        if let trace {
            guard let id = try? TraceID.parse(trace, encoding: .auto) else { throw ValidationError("'\(trace)' is not a trace ID") }
            traceID = id
        }
        let records: [LogRecord]
        do {
            records = try await ClickHouseReader(client: client).logs(traceID: traceID, level: level, source: source, text: text, host: host, limit: limit)
        } catch {
            printError("tracejoin: \(error)")
            throw ExitCode(1)
        }
        let renderer = TraceRenderer(color: useColor(), escape: output.escapes)
        for r in records.reversed() {
            let log = TraceDocument.Log(r)
            let host = r.fields.first { $0.name == "host" }.map { "\($0.value)" } ?? "?"
            print(renderer.line(log) + "  " + renderer.faint("\(renderer.text(host)) trace \(r.traceID?.hex ?? "-")" + (r.spanID.map { " span \($0.decimal)" } ?? "")))
        }
        if records.isEmpty { printError("no log lines match") }
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
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let reply = try await get("/v1/traces", [("service", service), ("error", errors ? "true" : nil), ("since", since),
                                                ("limit", String(limit))], socket: socket)
        if json {
            print(output.json(reply.text))
            return
        }
        let page = try JSONDecoder().decode(TracesDocument.self, from: Data(reply.body))
        let text = output.text
        for t in page.traces {
            let errorMark = t.errors > 0 ? "  ✗ \(t.errors) error\(t.errors == 1 ? "" : "s")" : ""
            print("\(text(t.start))  \(text(t.trace_id))  \(text(t.root ?? "?"))  [\(t.services.map(text).joined(separator: ", "))]  \(HumanUnits.duration(t.duration_ns))  \(t.spans) spans, \(t.logs) lines\(errorMark)")
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
        let error = try? JSONDecoder().decode(JSONReply.ErrorBody.self, from: Data(reply.body))
        printError("tracejoin: " + TerminalText.escape(error.map { "\($0.error): \($0.detail ?? "")" } ?? "the daemon answered \(reply.status)"))
        throw ExitCode(1)
    }
    return reply
}

/// `tracejoin query span ID`: one span and its log lines.
struct SpanQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "span", abstract: "Show a span and the log lines joined to it.")

    @Argument(help: "The span ID: decimal (Datadog) or 16 hex digits.") var id: String
    @Flag(help: "Print the API's JSON.") var json = false
    @OptionGroup var socket: SocketOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let reply = try await get("/v1/spans/\(id)", [], socket: socket)
        if json {
            print(output.json(reply.text))
            return
        }
        let d = try JSONDecoder().decode(SpanDocument.self, from: Data(reply.body))
        guard let span = d.span else {
            printError("tracejoin: the daemon's reply carries no span")
            throw ExitCode(1)
        }
        let trace = TraceDocument(trace_id: d.trace_id ?? "", trace_id_dd: d.trace_id_dd ?? "", spans: [span], unmatched_logs: [])
        print(TraceRenderer(color: useColor(), escape: output.escapes).render(trace))
    }
}

/// `tracejoin query unmatched`: lines whose trace no span has claimed, by source and rule.
struct UnmatchedQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmatched",
        abstract: "Show lines whose trace ID no span has claimed: where correlation is failing.")

    @Option(help: "Since: RFC 3339, or a duration ago (default 1h).") var since: String?
    @Option(help: "Ignore lines younger than this (their spans may still come), default 30s.") var grace: String?
    @Flag(help: "Print the API's JSON.") var json = false
    @OptionGroup var socket: SocketOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let reply = try await get("/v1/logs/unmatched", [("since", since), ("grace", grace)], socket: socket)
        if json {
            print(output.json(reply.text))
            return
        }
        let d = try JSONDecoder().decode(UnmatchedDocument.self, from: Data(reply.body))
        let renderer = TraceRenderer(color: useColor(), escape: output.escapes)
        for g in d.groups {
            print("\(renderer.text(g.source))/\(renderer.text(g.rule)): \(g.lines) line\(g.lines == 1 ? "" : "s") in \(g.traces) trace\(g.traces == 1 ? "" : "s") with no span")
            for s in g.samples { print("  " + renderer.line(s.log)) }
        }
        if d.groups.isEmpty { print("every line with a trace ID has a span to join") }
    }
}

/// `tracejoin query follow`: new lines as they are stored.
struct FollowQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "follow", abstract: "Print log lines as they are stored (Ctrl-C stops).")

    @Option(help: "Trace ID, any form.") var trace: String?
    @Option(help: "Lines joined to a span of this service.") var service: String?
    @Option(help: "Level, e.g. ERROR.") var level: String?
    @Option(help: "The rule file's source name.") var source: String?
    @Flag(help: "Print the stream's NDJSON.") var json = false
    @OptionGroup var socket: SocketOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var components = URLComponents()
        components.path = "/v1/follow"
        let items = [("trace_id", trace), ("service", service), ("level", level), ("source", source)]
            .compactMap { n, v in v.map { URLQueryItem(name: n, value: $0) } }
        if !items.isEmpty { components.queryItems = items }
        let client = UnixHTTPClient(socketPath: try socket.querySocket())
        let json = self.json
        let escapes = output.escapes
        let renderer = TraceRenderer(color: useColor(), escape: escapes)
        let pending = LineBuffer()
        let status = try await requestStatus {
            try await client.stream(components.percentEncodedQuery.map { "/v1/follow?" + $0 } ?? "/v1/follow") { bytes in
                for line in pending.add(bytes) {
                    if json {
                        print(escapes ? TerminalText.escapeJSON(line) : line)
                    } else if let entry = try? JSONDecoder().decode(LogsPage.Entry.self, from: Data(line.utf8)) {
                        print(renderer.line(entry.log) + "  " + renderer.faint("trace \(renderer.text(entry.trace_id ?? "-"))"))
                    }
                    FileHandle.standardOutput.synchronizeFile()
                }
            }
        }
        if status != 200 { throw ExitCode(1) }
    }
}

/// Splits a byte stream into lines.
final class LineBuffer: @unchecked Sendable {
    private var bytes: [UInt8] = []
    func add(_ more: [UInt8]) -> [String] {
        bytes += more
        var lines: [String] = []
        while let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: bytes[..<newline], as: UTF8.self))
            bytes.removeSubrange(...newline)
        }
        return lines
    }
}

func requestStatus(_ body: () async throws -> Int) async throws -> Int {
    do {
        return try await body()
    } catch let error as UnixHTTPClient.NotRunning {
        printError("tracejoin: the daemon is not running (cannot connect to \(error.socketPath)). Start it with `tracejoin serve --config DIR`.")
        throw ExitCode(1)
    }
}

/// `tracejoin status`: is the daemon up and keeping up?
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's sources, rules, files and retention.")

    @Flag(help: "Print /v1/stats and /v1/rules as JSON.") var json = false
    @OptionGroup var socket: SocketOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let stats = try await get("/v1/stats", [], socket: socket)
        let rules = try await get("/v1/rules", [], socket: socket)
        if json {
            print(output.json("{\"stats\":\(stats.text),\"rules\":\(rules.text)}"))
            return
        }
        let s = try JSONDecoder().decode(StatsDocument.self, from: Data(stats.body))
        let r = try JSONDecoder().decode(RulesDocument.self, from: Data(rules.body))
        // Names, paths and error texts here quote files and senders: each is escaped.
        let text = output.text
        let socketPath = try socket.querySocket()
        if !s.shards.isEmpty {
            // The fleet service: no files, rules or index of its own; its shards instead.
            print("fleet service: running (\(text(socketPath))), \(s.shards.count) shards")
            for shard in s.shards {
                print("  \(shard.state == "down" ? "DOWN " : shard.state == "up" ? "up   " : "?    ")\(text(shard.url))"
                    + (shard.version.map { " (ClickHouse \(text($0)))" } ?? "")
                    + String(format: ", last read %.1f ms", shard.last_latency_seconds * 1000)
                    + ", \(shard.queries) reads, \(shard.failures) failed (\(shard.timeouts) timed out)"
                    + (shard.state == "down" ? "; last error: \(text(shard.last_error ?? "?"))" : ""))
            }
            return
        }
        print("daemon: running (\(text(socketPath)))")
        if s.ingest.paused {
            print("INGEST PAUSED since \(text(s.ingest.since ?? "?")): \(text(s.ingest.reason ?? "?"))")
        }
        print("rule files:")
        for f in r.files {
            print("  \(f.status == "ok" ? "ok   " : "ERROR") \(text(f.file))"
                + (f.source.map { "  (source \(text($0)): \(f.rules.map(text).joined(separator: ", ")))" } ?? ""))
            if let e = f.error { print("        \(text(e))" + (f.in_force ? " — the last good version is in force" : "")) }
        }
        print("sources:")
        for (name, source) in s.sources.sorted(by: { $0.key < $1.key }) {
            let matched = source.rules.values.reduce(0) { $0 + $1.matched }
            let stored = source.rules.values.reduce(0) { $0 + $1.with_trace }
            let invalid = source.rules.values.reduce(0) { $0 + $1.invalid_ids }
            let limits = source.rules.values.reduce(0) { $0 + $1.limit_hits }
            print("  \(text(name)): \(matched) matched, \(stored) with a trace ID, \(source.lines_unmatched) unmatched, \(invalid) invalid IDs, \(limits) limit hits")
        }
        print("files:")
        for f in s.files {
            print("  \(text(f.path)) [\(text(f.state))] offset \(f.offset) of \(f.size), lag \(f.lag_bytes) B, \(f.lines_read) lines"
                + (f.bytes_lost > 0 ? ", \(f.bytes_lost) B LOST" : "") + (f.last_rotation.map { ", last \(text($0))" } ?? ""))
        }
        let ret = s.retention
        print("index: \(ret.used_bytes / 1024) KiB on disk of \(ret.max_bytes / 1024 / 1024) MiB; max age \(ret.max_age_seconds / 3600) h; \(ret.deleted_logs) lines and \(ret.deleted_spans) spans deleted by retention")
        for e in s.export {
            print("export to \(text(e.target)) \(text(e.url)) as host \(text(e.host)): \(text(e.state)); \(e.exported_logs) lines and \(e.exported_spans) spans sent; "
                + "lag \(e.lag_rows) rows, \(String(format: "%.1f", e.lag_seconds)) s"
                + (e.export_lost_logs + e.export_lost_spans > 0 ? "; LOST before export: \(e.export_lost_logs) lines, \(e.export_lost_spans) spans" : "")
                + (e.state == "retrying" ? "; last error: \(text(e.last_error ?? "?"))" : ""))
        }
        for d in s.index.damaged_blocks {
            print("  DAMAGED block \(d.block) (\(text(d.file ?? "in the database"))\(d.file == nil ? "" : " at \(d.offset)")): \(text(d.reason)); its lines are skipped")
        }
        // The document's daemon-wide figures, whatever they are: a figure added to the document
        // is listed here without a change to this command.
        print("totals:")
        for figure in s.figures {
            guard let summary = figure.summary else { continue }
            print("  \(summary): \(figure.text)")
        }
    }
}
