import TracejoinAPI
import TracejoinModel

/// What importing another tool's parsing configuration gives: rule files to write, and every
/// part of the original that could not be carried across, with where it was.
public struct RuleImport: Sendable {
    public var files: [File]
    public var notCarried: [NotCarried]
    /// What was changed on the way (captures renamed, placeholders written), for the report.
    public var notes: [String]

    public init(files: [File] = [], notCarried: [NotCarried] = [], notes: [String] = []) {
        self.files = files
        self.notCarried = notCarried
        self.notes = notes
    }

    /// One rule file: its name in `rules.d/`, its source name and its YAML text.
    public struct File: Sendable {
        public var name: String
        public var source: String
        public var ruleCount: Int
        public var text: String
        /// Where it came from (`pipeline.conf:12`, `pipeline "web" / processor "parse"`).
        public var origin: String
    }

    /// A part of the original that has no counterpart in a rule file.
    public struct NotCarried: Sendable, Hashable, CustomStringConvertible {
        /// `file:line` (Logstash) or `pipeline "name" / processor "name"` (Datadog).
        public var location: String
        public var what: String
        public var reason: String

        public var description: String { "\(location): \(what) — \(reason)" }
    }

    /// Loads a written rule file as the daemon would — `configDirectory`'s `patterns.d/` and
    /// built-in patterns, its samples checked — and looks for its source name in the directory's
    /// other rule files.
    ///
    /// - Returns: the errors (each `file:line:column`) and the warnings.
    public static func check(path: String, configDirectory: String) -> (errors: [ConfigError], warnings: [ConfigError]) {
        let (library, _) = ConfigDirectory.loadLibrary(configDirectory)
        let loaded: ConfigDirectory.Source
        do {
            loaded = try ConfigDirectory.loadSource(path, directory: configDirectory, library: library, counters: CounterRegistry())
        } catch {
            return ([error], [])
        }
        var errors: [ConfigError] = []
        let me = resolvePath(path, against: currentDirectory())
        for other in ConfigDirectory.ruleFilePaths(configDirectory) where resolvePath(other, against: currentDirectory()) != me {
            if let file = try? RuleFile.load(path: other, configDirectory: configDirectory), file.source == loaded.file.source {
                errors.append(ConfigError(file: path, message: "source '\(file.source)' is already defined in \(other); rename one (--source)"))
            }
        }
        return (errors, loaded.parser.warnings)
    }
}

/// A rule file being written: kept as parts, rendered as YAML with every string quoted.
struct RuleFileDraft {
    var header: [String] = []
    var source: String
    var paths: [String]
    var pathsComment: String?
    var exclude: [String] = []
    var startAt: String?
    /// `legacy` or `ecs`: which field names Logstash's built-in patterns capture into.
    var patternSet: String?
    var multilineStart: String?
    var patterns: [(name: String, regex: String)] = []
    var rules: [Rule] = []
    var samples: [String] = []

    struct Rule {
        var name: String
        var grok: String
        var comment: String?
        var ids: (trace: String, span: String)?
    }

    func yaml() -> String {
        var out = header.map { "# " + $0 }.joined(separator: "\n")
        if !out.isEmpty { out += "\n" }
        out += "source: \(quote(source))\n"
        out += "paths: [\(paths.map(quote).joined(separator: ", "))]"
        out += pathsComment.map { "   # \($0)" } ?? ""
        out += "\n"
        if !exclude.isEmpty { out += "exclude: [\(exclude.map(quote).joined(separator: ", "))]\n" }
        if let startAt { out += "start_at: \(startAt)\n" }
        if let patternSet { out += "pattern_set: \(patternSet)\n" }
        if let multilineStart { out += "multiline:\n  start: \(quote(multilineStart))\n" }
        if !patterns.isEmpty {
            out += "\npatterns:\n"
            for p in patterns { out += "  \(p.name): \(quote(p.regex))\n" }
        }
        out += "\nrules:\n"
        for rule in rules {
            if let comment = rule.comment { out += "  # \(comment)\n" }
            out += "  - name: \(quote(rule.name))\n    grok: \(quote(rule.grok))\n"
            if let ids = rule.ids { out += "    ids: { trace: \(ids.trace), span: \(ids.span) }\n" }
        }
        if !samples.isEmpty {
            out += "\nsamples:\n"
            for sample in samples { out += "  - line: \(quote(sample))\n" }
        }
        return out
    }

    /// A YAML scalar for `text`: single-quoted (nothing escaped but `'`, so a regex reads as
    /// written) unless it holds control characters, then double-quoted with escapes.
    func quote(_ text: String) -> String {
        if !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            return "'" + text.replacingAll("'", with: "''") + "'"
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// A source or file name made of letters, digits, `-`, `_` and `.`; other characters become `-`.
func slug(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        let ok = (scalar.value < 0x80 && isPatternNameByte(UInt8(scalar.value))) || scalar == "-" || scalar == "."
        if ok {
            out.unicodeScalars.append(scalar)
        } else if !out.hasSuffix("-") {
            out += "-"
        }
    }
    while out.hasPrefix("-") || out.hasPrefix(".") { out.removeFirst() }
    while out.hasSuffix("-") { out.removeLast() }
    return out.isEmpty ? "imported" : out.lowercased()
}
