import ArgumentParser
import Foundation
import Rules
import TracejoinModel
import TracejoinSupport

/// `tracejoin rules import logstash|datadog`: another tool's parsing rules as rule files.
struct RulesImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn Logstash grok filters or Datadog grok parsers into rule files.",
        discussion: """
            Writes one rule file per grok filter (Logstash) or grok parser (Datadog) into the
            configuration's rules.d/ (or --out DIR), loads each as the daemon would, and lists
            everything that could not be carried across, with where it was.
            """,
        subcommands: [RulesImportLogstash.self, RulesImportDatadog.self])
}

/// Where imported rule files go.
struct ImportOutputOptions: ParsableArguments {
    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("Write the rule files here instead of the configuration's rules.d/.", valueName: "dir"))
    var out: String?

    @Flag(help: "Overwrite rule files that already exist.")
    var force = false
}

struct RulesImportLogstash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logstash",
        abstract: "Import the grok filters of a Logstash pipeline configuration (.conf).")

    @OptionGroup var output: ImportOutputOptions

    @Option(help: "The source name (several grok filters: NAME-ID or NAME-N). Default: the file's name.")
    var source: String?

    @Flag(help: "The pipeline ran with config.support_escapes: true (decode \\\\ \\\" \\n … in strings).")
    var supportEscapes = false

    @Argument(help: "The pipeline configuration file.")
    var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read \(file) as UTF-8 text")
        }
        let result: RuleImport
        do {
            result = try LogstashImport.run(text, file: file, source: source, supportEscapes: supportEscapes)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        try writeImport(result, output)
    }
}

struct RulesImportDatadog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datadog",
        abstract: "Import the grok parsers of Datadog log pipelines (the Logs Pipelines API's JSON).")

    @OptionGroup var output: ImportOutputOptions

    @Argument(help: "The pipelines JSON: one pipeline object, or an array of them.")
    var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let result: RuleImport
        do {
            result = try DatadogImport.run(data, file: file)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        try writeImport(result, output)
    }
}

/// Writes the imported files (never over an existing one unless `--force`), loads each with the
/// daemon's loader, and prints what was written and what was not carried across. Exits 1 when no
/// file was written, or none of those written loads. Names and notes quote the imported
/// configuration: they are escaped (``TerminalText``).
func writeImport(_ result: RuleImport, _ output: ImportOutputOptions) throws {
    func t(_ s: String) -> String { TerminalText.escape(s) }
    let configDirectory = output.options.config
    let directory = output.out ?? configDirectory + "/rules.d"
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
        printError("error: cannot create \(directory): \(error.localizedDescription)")
        throw ExitCode(1)
    }
    var written = 0
    var loading = 0
    for file in result.files {
        let path = directory + "/" + file.name
        if FileManager.default.fileExists(atPath: path) && !output.force {
            printError("error: \(path) exists; not overwritten (--force overwrites it)")
            continue
        }
        do {
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            printError("error: cannot write \(path): \(error.localizedDescription)")
            continue
        }
        written += 1
        let check = RuleImport.check(path: path, configDirectory: configDirectory)
        let rules = "\(file.ruleCount) rule\(file.ruleCount == 1 ? "" : "s")"
        print("wrote \(t(path)) (source \(t(file.source)), \(rules), from \(t(file.origin)))")
        for warning in check.warnings { print("  warning: \(t("\(warning)"))") }
        if check.errors.isEmpty {
            loading += 1
        } else {
            for error in check.errors { printError("error: \(error)") }
            print("  does not load yet: fix the errors above (tracejoin rules check)")
        }
    }
    if !result.notes.isEmpty {
        print("\nChanged on the way:")
        for note in result.notes { print("  \(t(note))") }
    }
    if !result.notCarried.isEmpty {
        print("\nNot carried across (\(result.notCarried.count)):")
        for item in result.notCarried { print("  \(t("\(item)"))") }
    }
    if result.files.isEmpty { printError("error: nothing to import: no grok rule on the raw line was found") }
    if written == 0 || loading == 0 { throw ExitCode(1) }
}
