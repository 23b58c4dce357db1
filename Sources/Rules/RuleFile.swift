import Yams

/// One file of `rules.d/`: a log source — which files to tail — and how to parse its lines.
public struct RuleFile: Sendable, Hashable {
    /// The file it was loaded from.
    public var path: String
    public var source: String
    /// Absolute glob patterns of the files to tail.
    public var paths: [String]
    /// Glob patterns (matched against the full path and the file name) of files to skip.
    public var exclude: [String]
    public var startAt: StartAt
    /// Helper patterns local to this file.
    public var patterns: [String: String]
    public var rules: [Rule]

    /// Where a file seen for the first time is read from.
    public enum StartAt: String, Sendable, Hashable {
        case beginning
        case end
    }

    public struct Rule: Sendable, Hashable {
        public var name: String
        public var grok: String
        public var traceEncoding: IDEncodingName
        public var spanEncoding: IDEncodingName
        /// Line and column of the `grok:` value, for errors found when compiling it.
        public var grokLine: Int
        public var grokColumn: Int
    }

    /// `auto`, `decimal` or `hex`, kept as its name so that this file needs no ID types.
    public typealias IDEncodingName = String

    static let topKeys = ["source", "paths", "exclude", "start_at", "patterns", "rules", "multiline", "samples"]
    static let ruleKeys = ["name", "grok", "ids", "json"]

    /// Loads and validates one rule file. `configDirectory` anchors relative `paths`.
    public static func load(path: String, configDirectory: String) throws(ConfigError) -> RuleFile {
        let reader = YAMLReader(file: path)
        guard let root = try reader.root(try readText(path)) else {
            throw ConfigError(file: path, message: "rule file is empty")
        }
        let top = try reader.mapping(root, what: "a rule file", allowed: topKeys)
        for key in ["multiline", "samples"] where top[key] != nil {
            throw reader.error(top[key], "'\(key)' is not supported yet by this version of Tracejoin")
        }
        guard let sourceNode = top["source"] else { throw reader.error(root, "missing 'source' (the name of this log source)") }
        let source = try reader.string(sourceNode, what: "source")
        guard !source.isEmpty else { throw reader.error(sourceNode, "'source' must not be empty") }
        guard let pathsNode = top["paths"] else { throw reader.error(root, "missing 'paths' (the files to tail)") }
        let paths = try reader.strings(pathsNode, what: "paths").map { resolvePath($0, against: configDirectory) }
        guard !paths.isEmpty else { throw reader.error(pathsNode, "'paths' must name at least one file or glob") }
        let exclude = try top["exclude"].map { (n) throws(ConfigError) in try reader.strings(n, what: "exclude") } ?? []
        var startAt = StartAt.beginning
        if let n = top["start_at"] {
            let text = try reader.string(n, what: "start_at")
            guard let value = StartAt(rawValue: text) else { throw reader.error(n, "start_at must be 'beginning' or 'end', not '\(text)'") }
            startAt = value
        }
        var patterns: [String: String] = [:]
        if let n = top["patterns"] {
            guard case .mapping(let mapping) = n else { throw reader.error(n, "'patterns' must map names to regular expressions") }
            for (key, value) in mapping {
                let name = try reader.string(key, what: "a pattern name")
                guard !name.isEmpty, name.utf8.allSatisfy(isPatternNameByte) else {
                    throw reader.error(key, "pattern name '\(name)' may use only letters, digits and '_'")
                }
                patterns[name] = try reader.string(value, what: "pattern \(name)")
            }
        }
        guard let rulesNode = top["rules"] else { throw reader.error(root, "missing 'rules' (how to parse the lines)") }
        guard case .sequence(let ruleNodes) = rulesNode, !ruleNodes.isEmpty else {
            throw reader.error(rulesNode, "'rules' must be a non-empty list")
        }
        var rules: [Rule] = []
        for node in ruleNodes {
            let m = try reader.mapping(node, what: "a rule", allowed: ruleKeys)
            if m["json"] != nil { throw reader.error(m["json"], "'json' rules are not supported yet by this version of Tracejoin") }
            guard let nameNode = m["name"] else { throw reader.error(node, "rule without a 'name'") }
            let name = try reader.string(nameNode, what: "rule name")
            if rules.contains(where: { $0.name == name }) { throw reader.error(nameNode, "a rule named '\(name)' already exists in this file") }
            guard let grokNode = m["grok"] else { throw reader.error(node, "rule '\(name)' has no 'grok' expression") }
            var trace = "auto"
            var span = "auto"
            if let idsNode = m["ids"] {
                let ids = try reader.mapping(idsNode, what: "ids", allowed: ["trace", "span"])
                for (key, value) in ids {
                    let text = try reader.string(value, what: "ids.\(key)")
                    guard ["auto", "decimal", "hex"].contains(text) else {
                        throw reader.error(value, "ids.\(key) must be auto, decimal or hex, not '\(text)'")
                    }
                    if key == "trace" { trace = text } else { span = text }
                }
            }
            // Errors inside the expression are reported at the expression's own characters: a
            // quoted scalar's text starts one column after its mark.
            var column = grokNode.mark?.column ?? 0
            if case .scalar(let scalar) = grokNode, scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
                column += 1
            }
            rules.append(Rule(
                name: name, grok: try reader.string(grokNode, what: "grok"), traceEncoding: trace, spanEncoding: span,
                grokLine: grokNode.mark?.line ?? 0, grokColumn: column))
        }
        return RuleFile(path: path, source: source, paths: paths, exclude: exclude, startAt: startAt, patterns: patterns, rules: rules)
    }
}

func isPatternNameByte(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
        || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
}
