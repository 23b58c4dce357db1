import ArgumentParser
import Foundation
import Rules
import TraceContext
import TracejoinModel
import TracejoinSupport

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check rule files, see how they parse lines, and import Logstash or Datadog grok rules.",
        subcommands: [RulesCheck.self, RulesTest.self, RulesImport.self])
}

struct RulesCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load every rule file and report each error (file:line:column) and warning.")

    @OptionGroup var options: ConfigOption

    @Flag(help: "Also print each grok rule's expanded regular expression (PCRE2 syntax), one per line: source, rule, a tab, the expression.")
    var regex = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let config: ConfigDirectory
        let errors: [ConfigError]
        do {
            (config, errors) = try ConfigDirectory.loadCollecting(options.config)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        for warning in config.warnings { printError("warning: \(warning)") }
        for error in errors { printError("error: \(error)") }
        let rules = config.sources.reduce(0) { $0 + $1.parser.ruleNames.count }
        if !errors.isEmpty {
            printError("\(errors.count) error\(errors.count == 1 ? "" : "s"); \(config.sources.count) rule file\(config.sources.count == 1 ? "" : "s") loaded")
            throw ExitCode(1)
        }
        if regex {
            for source in config.sources {
                for rule in source.parser.rules {
                    if case .grok(let grok) = rule.body {
                        print("\(output.text(source.file.source)) \(output.text(rule.name))\t\(output.text(grok.pattern.expanded))")
                    }
                }
            }
        }
        print("ok: \(config.sources.count) rule file\(config.sources.count == 1 ? "" : "s"), \(rules) rule\(rules == 1 ? "" : "s") (sources: \(config.sources.map { output.text($0.file.source) }.joined(separator: ", ")))")
    }
}

struct RulesTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Parse lines with the configuration's rules and show what each gives, or why no rule matched.")

    @OptionGroup var options: ConfigOption

    @Option(help: "Only this source's rules (default: every source, in file order; the first that matches wins).")
    var source: String?

    @Flag(help: "One JSON object per record (a line, or with `multiline` a line and its continuation lines).")
    var json = false

    @Argument(help: "A file of log lines, or - for standard input.")
    var input: String

    @OptionGroup var output: OutputOptions

    func run() throws {
        let config: ConfigDirectory
        do {
            let (loaded, errors) = try ConfigDirectory.loadCollecting(options.config)
            for error in errors { printError("warning: not used, it does not load: \(error)") }
            config = loaded
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        var sources = config.sources
        if let name = source {
            sources = sources.filter { $0.file.source == name }
            guard !sources.isEmpty else {
                throw ValidationError("no source named '\(name)'; sources: \(config.sources.map(\.file.source).joined(separator: ", "))")
            }
        }
        let data: Data
        if input == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: input) else { throw ValidationError("cannot read \(input)") }
            data = d
        }
        let sessions = sources.map { ($0, $0.parser.makeCheckingSession()) }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line -> [UInt8] in
            var bytes = Array(line)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            return bytes
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        // Records are framed as the tailer frames them for the first source that sets `multiline`.
        let framing = sources.first { $0.file.multiline != nil }
        if let framing, sources.filter({ $0.file.multiline != nil }).count > 1 {
            printError("note: records are framed by the multiline setting of source '\(framing.file.source)'; --source chooses another")
        }
        let records = RecordFraming.records(lines, multiline: framing?.file.multiline, start: framing?.parser.multilineStart)
        for record in records {
            let bytes = record.lines[0]
            let continuation = record.lines.dropFirst()
            var result = LineResult(line: record.first)
            result.last_line = record.last
            for (source, session) in sessions {
                let outcome = bytes.withUnsafeBufferPointer { session.parse($0, file: input) }
                switch outcome {
                case .unmatched: continue
                case .noTrace(let rule, let record): result.matched(source.file.source, rule, record.map { RecordFraming.joined($0, continuation) })
                case .record(let record): result.matched(source.file.source, record.rule, RecordFraming.joined(record, continuation))
                }
                break
            }
            if result.rule == nil {
                let text = String(decoding: bytes, as: UTF8.self)
                result.misses = sources.flatMap { source in
                    source.parser.explainMiss(text).map { LineResult.Miss(rule: "\(source.file.source)/\($0.rule)", reason: $0.reason) }
                }
            }
            print(json ? output.json(result.jsonLine()) : result.text(escaping: output.escapes))
        }
    }
}

/// What `rules test` reports for one line.
struct LineResult: Encodable {
    var line: Int
    /// The record's last line: past `line` when continuation lines joined it (`multiline`).
    var last_line: Int
    var source: String?
    var rule: String?
    var trace_id: String?
    var trace_id_dd: String?
    var span_id: String?
    var span_id_hex: String?
    var fields: [String: FieldValue] = [:]
    var error: String?
    var misses: [Miss]?

    struct Miss: Encodable {
        var rule: String
        var reason: String
    }

    init(line: Int) {
        self.line = line
        self.last_line = line
    }

    enum CodingKeys: String, CodingKey {
        case line, last_line, source, rule, trace_id, trace_id_dd, span_id, span_id_hex, fields, error, misses
    }

    /// Every key is present; absent values are null.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(line, forKey: .line)
        try c.encode(last_line, forKey: .last_line)
        try c.encode(source, forKey: .source)
        try c.encode(rule, forKey: .rule)
        try c.encode(trace_id, forKey: .trace_id)
        try c.encode(trace_id_dd, forKey: .trace_id_dd)
        try c.encode(span_id, forKey: .span_id)
        try c.encode(span_id_hex, forKey: .span_id_hex)
        try c.encode(fields, forKey: .fields)
        try c.encode(error, forKey: .error)
        try c.encode(misses ?? [], forKey: .misses)
    }

    mutating func matched(_ source: String, _ rule: String, _ record: LogRecord? = nil) {
        self.source = source
        self.rule = rule
        guard let record else { return }
        trace_id = record.traceID?.hex
        trace_id_dd = record.traceID?.lowDecimal
        span_id = record.spanID?.decimal
        span_id_hex = record.spanID?.hex
        error = record.idError
        for field in record.fields { fields[field.name] = field.value }
        if let v = record.time { fields["timestamp"] = .string(v) }
        if let v = record.level { fields["level"] = .string(v) }
        if let v = record.message { fields["message"] = .string(v) }
    }

    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// `line 3`, or `lines 3-9` for a record with continuation lines.
    var lines: String { last_line > line ? "lines \(line)-\(last_line)" : "line \(line)" }

    /// The text form. Rule names, reasons, field names and values quote the configuration and
    /// the line: each is escaped (``TerminalText``) when `escaping` (values are JSON, whose
    /// escapes already hold every control character).
    func text(escaping: Bool = true) -> String {
        func t(_ s: String) -> String { escaping ? TerminalText.escape(s) : s }
        guard let rule, let source else {
            var out = "\(lines): no rule matched"
            for miss in misses ?? [] { out += "\n  \(t(miss.rule)): \(t(miss.reason))" }
            return out
        }
        var out = "\(lines): \(t(source))/\(t(rule))"
        if trace_id == nil && error == nil {
            out += " (no trace ID: counted, not stored)"
        }
        if let trace_id { out += "\n  trace_id   \(trace_id)   (dd \(trace_id_dd ?? ""))" }
        if let span_id { out += "\n  span_id    \(span_id)   (hex \(span_id_hex ?? ""))" }
        if let error { out += "\n  error      \(t(error))" }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            let shown = t(name)
            out += "\n  \(shown.padding(toLength: max(10, shown.count), withPad: " ", startingAt: 0)) \(JSONText.value(value))"
        }
        return out
    }
}
