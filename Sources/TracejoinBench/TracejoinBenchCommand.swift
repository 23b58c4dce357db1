import ArgumentParser

/// `tracejoin-bench`: the benchmarks, workload generators and debug tools, kept out of the
/// `tracejoin` binary operators run (`make bench` and the tests call it).
@main
struct TracejoinBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracejoin-bench",
        abstract: "Tracejoin's benchmarks and workload generators (not part of the product).",
        discussion: "Each benchmark runs its reference in the same run and prints the ratio (docs/benchmarks.md).",
        subcommands: [BenchCommand.self, IntakeBenchCommand.self, IndexBenchCommand.self, MakeV8IndexCommand.self, GenerateLogsCommand.self]
    )
}
