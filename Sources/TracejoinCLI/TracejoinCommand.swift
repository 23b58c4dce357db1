import ArgumentParser

/// `tracejoin`: one binary, with the daemon and its clients as subcommands.
public struct TracejoinCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tracejoin",
        abstract: "Joins application log lines with the trace spans they were written under.",
        discussion: """
            Start the daemon with `tracejoin serve --config DIR`; ask it about a trace with
            `tracejoin query trace ID`. `tracejoin demo` writes a small traced workload to the
            default configuration's example source and shows the joined result.
            """,
        version: "0.1.0",
        subcommands: [ServeCommand.self, QueryCommand.self, StatusCommand.self, LoginLinkCommand.self, RulesCommand.self, ExportCommand.self, DemoCommand.self]
    )

    public init() {}
}

/// Options that locate the configuration directory.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration directory (tracejoin.yaml, rules.d/, patterns.d/).", valueName: "dir"))
    var config: String = "config"
}
