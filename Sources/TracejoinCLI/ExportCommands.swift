import ArgumentParser
import Export
import Foundation
import Rules
import TraceContext
import TracejoinAPI
import TracejoinModel

/// Where the fleet's data is: `--clickhouse URL [--database D] [--user U --password-file F]`.
struct ClickHouseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read from ClickHouse's HTTP interface instead of the local daemon (the fleet's view).", valueName: "url"))
    var clickhouse: String?

    @Option(help: "The ClickHouse database: the exporter's, or one of Distributed tables of the same shape.")
    var database = "tracejoin"

    @Option(help: "ClickHouse user.") var user: String?
    @Option(help: ArgumentHelp("A file holding the ClickHouse password.", valueName: "path")) var passwordFile: String?

    func client() throws -> ClickHouseClient? {
        guard let clickhouse else { return nil }
        var password: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw ValidationError("cannot read --password-file \(passwordFile)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        return ClickHouseClient(url: clickhouse, database: database, user: user, password: password)
    }
}

/// `tracejoin export`: the ClickHouse side of the fleet.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export to ClickHouse: create its tables.",
        subcommands: [ExportInit.self])
}

/// `tracejoin export init`: creates the database and tables (the exporter also does on start).
struct ExportInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the ClickHouse database and tables the exporter writes (export.clickhouse in tracejoin.yaml, or --clickhouse).")

    @Option(help: ArgumentHelp("The configuration directory whose export.clickhouse to use.", valueName: "dir"))
    var config: String?

    @OptionGroup var target: ClickHouseOptions

    @Flag(help: "Print the statements instead of running them.") var print = false

    @Option(help: ArgumentHelp("The tables' flavour: auto (by the server's version: current from 22.8), legacy (18.16 on) or current (Map, DateTime64, LowCardinality, and the otel_logs and otel_traces views).", valueName: "flavour"))
    var schema = "auto"

    func run() async throws {
        var client = try target.client()
        if client == nil, let config {
            let settings = try DaemonConfig.load(directory: config)
            guard let c = settings.clickhouse else { throw ValidationError("\(config)/tracejoin.yaml has no export.clickhouse") }
            client = ClickHouseClient(url: c.url, database: c.database, user: c.user, password: c.password)
        }
        guard let client else { throw ValidationError("name a target: --clickhouse URL, or --config DIR with export.clickhouse") }
        var flavor: ClickHouseSchema.Flavor?
        if schema != "auto" {
            guard let named = ClickHouseSchema.Flavor(rawValue: schema) else { throw ValidationError("--schema is auto, legacy or current, not '\(schema)'") }
            flavor = named
        }
        do {
            if print {
                let chosen: ClickHouseSchema.Flavor
                if let flavor { chosen = flavor } else { chosen = try await ClickHouseExporter.serverFlavor(client) }
                for s in ClickHouseSchema.statements(database: client.database, flavor: chosen) { Swift.print(s + ";\n") }
                return
            }
            let chosen = try await ClickHouseExporter.createSchema(client, flavor: flavor)
            let views = chosen == .current ? " and the views otel_logs and otel_traces" : ""
            Swift.print("created \(client.database).logs and \(client.database).spans\(views) (\(chosen.rawValue) schema) at \(client.url) (existing tables are kept, and given the columns added since)")
        } catch {
            printError("tracejoin: \(error)")
            throw ExitCode(1)
        }
    }
}

/// A trace read from ClickHouse, drawn like a local one (`query trace --clickhouse`).
func fleetTrace(_ id: String, client: ClickHouseClient, logsLimit: Int, json: Bool, output: OutputOptions) async throws {
    // The readings the local lookup tries, in its order (16 decimal digits: decimal, then hex).
    guard let candidates = try? TraceID.lookupCandidates(id), let first = candidates.first else {
        throw ValidationError("'\(id)' is not a trace ID: 32 or 16 hex digits, or decimal")
    }
    var traceID = first
    var stored = StoredTrace(spans: [], logs: [])
    do {
        let reader = ClickHouseReader(client: client)
        // A table an earlier exporter made may lack later columns: read it as it is.
        try await reader.checkTables()
        for candidate in candidates where stored.isEmpty {
            traceID = candidate
            stored = try await reader.trace(candidate, logLimit: logsLimit)
        }
    } catch {
        printError("tracejoin: \(error)")
        throw ExitCode(1)
    }
    guard !stored.isEmpty else {
        printError("tracejoin: no trace \(id) in \(client.database) at \(client.url)")
        throw ExitCode(1)
    }
    let view = TraceView(stored, queried: traceID)
    if json {
        print(output.json(String(decoding: view.json(), as: UTF8.self)))
        return
    }
    print(TraceRenderer(color: useColor(), escape: output.escapes).render(TraceDocument(view)))
}
