import Grok
import Yams

/// One file of `rules.d/`: a log source — which files to tail — and how to parse its lines.
public struct RuleFile: Sendable {
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
    /// Lines with what they must yield, checked before the file is put in force.
    public var samples: [Sample]
    /// How continuation lines join the record they follow; `nil`: every line is a record.
    public var multiline: Multiline?
    /// Longest line kept whole (longer ones are cut and counted).
    public var maxLineBytes: Int = 1 << 20
    /// A last line without its newline is handed on after the file has been quiet this long.
    public var partialLineTimeout: Duration = .seconds(5)
    /// How long a renamed or deleted file is still read.
    public var rotateWait: Duration = .seconds(5)
    /// A file with nothing new for this long gives its descriptor back (it is opened again when
    /// it changes, and read on from where it was).
    public var closeInactive: Duration = .seconds(300)
    /// Store lines a rule matched that carry no trace ID (they are always counted); off by default.
    public var keepUntraced = false
    /// How the files' lines are wrapped: `plain` (the app's own lines), `cri`, `docker` or
    /// `auto` (a container runtime's envelope, decoded before the rules see the line).
    public var format = "plain"
    public static let formats = ["plain", "cri", "docker", "auto"]
    /// What a container format's source never reads: the kubelet's compressed rotations.
    public static let containerExcludes = ["*.gz", "*.gz.tmp"]
    /// Which field names Logstash's patterns capture into (`pattern_set: legacy | ecs`).
    public var patternSet: PatternSet = .legacy
    /// The zone of captured times that carry none: `local` (the host's) or an IANA name.
    public var timezone = "local"
    /// How captured times are written, when the format is not recognised by itself: a
    /// Java-style pattern (`yyyy-MM-dd HH:mm:ss.SSS`) or a strftime one (`%d/%b/%Y %T`).
    public var timeFormat: String?
    /// Where `timezone:` or `time_format:` is written, for errors found when they are read.
    public var timeSettingsLine = 0

    public struct Multiline: Sendable {
        /// A grok expression (or plain regex) that matches the first line of a record.
        public var start: String
        public var maxLines: Int
        public var maxBytes: Int
        public var timeout: Duration
        public var line: Int
        public var column: Int
    }

    /// Where a file seen for the first time is read from.
    public enum StartAt: String, Sendable, Hashable {
        case beginning
        case end
    }

    public struct Rule: Sendable {
        public var name: String
        public var kind: Kind
        public var traceEncoding: IDEncodingName
        public var spanEncoding: IDEncodingName
        public var limits: MatchLimits
        /// Where the rule's `grok:` or `json:` value starts, for errors found later.
        public var line: Int
        public var column: Int

        public enum Kind: Sendable {
            /// A grok expression, or a Datadog-style block of `name pattern` lines.
            case grok(String)
            /// Correlator fields mapped to JSON key paths.
            case json([String: String])
        }
    }

    /// A line and what parsing it must give.
    public struct Sample: Sendable {
        public var text: String
        /// The rule that must match; `nil`: any.
        public var rule: String?
        /// Whether some rule must match (false: none may).
        public var matches: Bool
        /// Field values the record must have (`trace_id`/`span_id` compared as IDs).
        public var fields: [String: String]
        public var line: Int
    }

    /// `auto`, `decimal` or `hex`.
    public typealias IDEncodingName = String

    static let topKeys = [
        "source", "paths", "exclude", "start_at", "patterns", "rules", "limits", "samples", "multiline", "max_line_bytes",
        "partial_line_timeout", "rotate_wait", "close_inactive", "keep_untraced", "pattern_set", "unsafe_limits", "timezone",
        "time_format", "format",
    ]
    static let ruleKeys = ["name", "grok", "json", "ids", "limits"]
    static let jsonKeys = ["trace_id", "span_id", "timestamp", "level", "message"]

    /// Loads and validates one rule file. `configDirectory` anchors relative `paths`.
    public static func load(path: String, configDirectory: String) throws(ConfigError) -> RuleFile {
        let reader = YAMLReader(file: path)
        guard let root = try reader.root(try readText(path, confinedTo: configDirectory)) else {
            throw ConfigError(file: path, message: "rule file is empty")
        }
        let top = try reader.mapping(root, what: "a rule file", allowed: topKeys)
        guard let sourceNode = top["source"] else { throw reader.error(root, "missing 'source' (the name of this log source)") }
        let source = try reader.string(sourceNode, what: "source")
        guard !source.isEmpty else { throw reader.error(sourceNode, "'source' must not be empty") }
        guard let pathsNode = top["paths"] else { throw reader.error(root, "missing 'paths' (the files to tail)") }
        let paths = try reader.strings(pathsNode, what: "paths").map { resolvePath($0, against: configDirectory) }
        guard !paths.isEmpty else { throw reader.error(pathsNode, "'paths' must name at least one file or glob") }
        for path in paths {
            if let reason = unsafeGlobReason(path) { throw reader.error(pathsNode, "paths: '\(ConfigError.excerpt(path))' \(reason)") }
        }
        let exclude = try top["exclude"].map { (n) throws(ConfigError) in try reader.strings(n, what: "exclude") } ?? []
        var startAt = StartAt.beginning
        if let n = top["start_at"] {
            let text = try reader.string(n, what: "start_at")
            guard let value = StartAt(rawValue: text) else { throw reader.error(n, "start_at must be 'beginning' or 'end', not '\(ConfigError.excerpt(text))'") }
            startAt = value
        }
        var patterns: [String: String] = [:]
        if let n = top["patterns"] {
            guard case .mapping(let mapping) = n else { throw reader.error(n, "'patterns' must map names to regular expressions") }
            for (key, value) in mapping {
                let name = try reader.string(key, what: "a pattern name")
                guard !name.isEmpty, name.utf8.allSatisfy(isPatternNameByte) else {
                    throw reader.error(key, "pattern name '\(ConfigError.excerpt(name))' may use only letters, digits and '_'")
                }
                patterns[name] = try reader.string(value, what: "pattern \(ConfigError.excerpt(name))")
            }
        }
        var unsafeLimits = false
        if let n = top["unsafe_limits"] {
            guard let b = Bool(try reader.string(n, what: "unsafe_limits")) else { throw reader.error(n, "unsafe_limits must be true or false") }
            unsafeLimits = b
        }
        let fileLimits = try top["limits"].map { (n) throws(ConfigError) in
            try limits(n, base: .default, allowUnsafe: unsafeLimits, reader: reader)
        } ?? .default
        guard let rulesNode = top["rules"] else { throw reader.error(root, "missing 'rules' (how to parse the lines)") }
        guard case .sequence(let ruleNodes) = rulesNode, !ruleNodes.isEmpty else {
            throw reader.error(rulesNode, "'rules' must be a non-empty list")
        }
        var rules: [Rule] = []
        for node in ruleNodes {
            let rule = try Self.rule(node, reader: reader, limits: fileLimits, unsafeLimits: unsafeLimits)
            if rules.contains(where: { $0.name == rule.name }) {
                throw ConfigError(file: path, line: rule.line, message: "a rule named '\(ConfigError.excerpt(rule.name))' already exists in this file")
            }
            rules.append(rule)
        }
        let samples = try top["samples"].map { (n) throws(ConfigError) in try Self.samples(n, reader: reader) } ?? []
        var file = RuleFile(path: path, source: source, paths: paths, exclude: exclude, startAt: startAt, patterns: patterns,
                            rules: rules, samples: samples)
        if let n = top["multiline"] { file.multiline = try multiline(n, reader: reader) }
        if let n = top["max_line_bytes"] {
            guard let v = parseSize(try reader.string(n, what: "max_line_bytes")), v >= 256, v <= 64 << 20 else {
                throw reader.error(n, "max_line_bytes must be a size from 256B to 64MiB, such as 1MiB")
            }
            file.maxLineBytes = Int(v)
        }
        if let n = top["format"] {
            let format = try reader.string(n, what: "format")
            guard Self.formats.contains(format) else {
                throw reader.error(n, "format must be one of \(Self.formats.joined(separator: ", ")) (got '\(ConfigError.excerpt(format))')")
            }
            file.format = format
            if format != "plain" {
                file.exclude += Self.containerExcludes.filter { !file.exclude.contains($0) }
            }
        }
        if let n = top["partial_line_timeout"] { file.partialLineTimeout = try duration(n, "partial_line_timeout", reader: reader) }
        if let n = top["rotate_wait"] { file.rotateWait = try duration(n, "rotate_wait", reader: reader) }
        if let n = top["close_inactive"] { file.closeInactive = try duration(n, "close_inactive", reader: reader) }
        if let n = top["timezone"] {
            file.timezone = try reader.string(n, what: "timezone")
            file.timeSettingsLine = n.mark?.line ?? 0
        }
        if let n = top["time_format"] {
            file.timeFormat = try reader.string(n, what: "time_format")
            file.timeSettingsLine = n.mark?.line ?? 0
        }
        if let n = top["pattern_set"] {
            let text = try reader.string(n, what: "pattern_set")
            guard let set = PatternSet(rawValue: text) else {
                throw reader.error(n, "pattern_set must be 'legacy' (Logstash's flat field names) or 'ecs' (its ECS paths), not '\(ConfigError.excerpt(text))'")
            }
            file.patternSet = set
        }
        if let n = top["keep_untraced"] {
            guard let b = Bool(try reader.string(n, what: "keep_untraced")) else { throw reader.error(n, "keep_untraced must be true or false") }
            file.keepUntraced = b
        }
        return file
    }

    private static func duration(_ node: Node, _ what: String, reader: YAMLReader) throws(ConfigError) -> Duration {
        guard let d = parseFineDuration(try reader.string(node, what: what)) else {
            throw reader.error(node, "\(what) must be a duration such as 500ms, 5s or 1m")
        }
        return d
    }

    /// `multiline: {start: …, max_lines: 500, max_bytes: 1MiB, timeout: 1s}`, or just the start.
    private static func multiline(_ node: Node, reader: YAMLReader) throws(ConfigError) -> Multiline {
        if case .scalar = node {
            return Multiline(start: try reader.string(node, what: "multiline"), maxLines: 500, maxBytes: 1 << 20,
                             timeout: .seconds(1), line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        }
        let m = try reader.mapping(node, what: "multiline", allowed: ["start", "max_lines", "max_bytes", "timeout"])
        guard let startNode = m["start"] else {
            throw reader.error(node, "multiline needs 'start': a grok expression matching the first line of a record")
        }
        var column = startNode.mark?.column ?? 0
        if case .scalar(let scalar) = startNode, scalar.style == .singleQuoted || scalar.style == .doubleQuoted { column += 1 }
        var result = Multiline(start: try reader.string(startNode, what: "multiline.start"), maxLines: 500, maxBytes: 1 << 20,
                               timeout: .seconds(1), line: startNode.mark?.line ?? 0, column: column)
        if let n = m["max_lines"] {
            guard let v = Int(try reader.string(n, what: "multiline.max_lines")), v >= 1 else {
                throw reader.error(n, "multiline.max_lines must be a whole number of at least 1")
            }
            result.maxLines = v
        }
        if let n = m["max_bytes"] {
            // The tailer's read buffer holds a whole record (max_bytes + max_line_bytes): bounded
            // as max_line_bytes is, so a size in the file cannot ask for terabytes of memory.
            guard let v = parseSize(try reader.string(n, what: "multiline.max_bytes")), v >= 1, v <= 64 << 20 else {
                throw reader.error(n, "multiline.max_bytes must be a size from 1B to 64MiB, such as 1MiB")
            }
            result.maxBytes = Int(v)
        }
        if let n = m["timeout"] { result.timeout = try duration(n, "multiline.timeout", reader: reader) }
        return result
    }

    private static func rule(_ node: Node, reader: YAMLReader, limits fileLimits: MatchLimits, unsafeLimits: Bool) throws(ConfigError) -> Rule {
        let m = try reader.mapping(node, what: "a rule", allowed: ruleKeys)
        guard let nameNode = m["name"] else { throw reader.error(node, "rule without a 'name'") }
        let name = try reader.string(nameNode, what: "rule name")
        guard !name.isEmpty else { throw reader.error(nameNode, "a rule's name must not be empty") }
        let kind: Rule.Kind
        let at: Node
        switch (m["grok"], m["json"]) {
        case (let grok?, nil):
            kind = .grok(try reader.string(grok, what: "grok"))
            at = grok
        case (nil, let json?):
            let mapping = try reader.mapping(json, what: "json", allowed: jsonKeys)
            var paths: [String: String] = [:]
            for (key, value) in mapping { paths[key] = try reader.string(value, what: "json.\(key)") }
            kind = .json(paths)
            at = json
        case (nil, nil):
            throw reader.error(node, "rule '\(ConfigError.excerpt(name))' needs 'grok' (an expression) or 'json' (a key mapping)")
        case (_?, _?):
            throw reader.error(m["json"], "rule '\(ConfigError.excerpt(name))' has both 'grok' and 'json'; use one per rule")
        }
        var trace = "auto"
        var span = "auto"
        if let idsNode = m["ids"] {
            let ids = try reader.mapping(idsNode, what: "ids", allowed: ["trace", "span"])
            for (key, value) in ids {
                let text = try reader.string(value, what: "ids.\(key)")
                guard ["auto", "decimal", "hex"].contains(text) else {
                    throw reader.error(value, "ids.\(key) must be auto, decimal or hex, not '\(ConfigError.excerpt(text))'")
                }
                if key == "trace" { trace = text } else { span = text }
            }
        }
        let ruleLimits = try m["limits"].map { (n) throws(ConfigError) in
            try limits(n, base: fileLimits, allowUnsafe: unsafeLimits, reader: reader)
        } ?? fileLimits
        // Errors inside the expression are reported at the expression's own characters: a
        // quoted scalar's text starts one column after its mark.
        var column = at.mark?.column ?? 0
        if case .scalar(let scalar) = at, scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
            column += 1
        }
        return Rule(name: name, kind: kind, traceEncoding: trace, spanEncoding: span, limits: ruleLimits,
                    line: at.mark?.line ?? 0, column: column)
    }

    /// `limits: {match: N, depth: N, heap_kib: N}`, each optional, each at most the safe ceiling
    /// (``MatchLimits/safeCeiling``) unless the file says `unsafe_limits: true`.
    private static func limits(_ node: Node, base: MatchLimits, allowUnsafe: Bool, reader: YAMLReader) throws(ConfigError) -> MatchLimits {
        let m = try reader.mapping(node, what: "limits", allowed: ["match", "depth", "heap_kib"])
        var result = base
        let ceiling = MatchLimits.safeCeiling
        for (key, value) in m {
            let text = try reader.string(value, what: "limits.\(key)")
            guard let n = UInt32(text), n > 0 else { throw reader.error(value, "limits.\(key) must be a positive whole number") }
            let most: UInt32
            switch key {
            case "match": result.match = n; most = ceiling.match
            case "depth": result.depth = n; most = ceiling.depth
            default: result.heapKiB = n; most = ceiling.heapKiB
            }
            guard n <= most || allowUnsafe else {
                throw reader.error(value, "limits.\(key) above \(most) lets one hostile line hold the reader for seconds; set 'unsafe_limits: true' to accept it")
            }
        }
        return result
    }

    private static func samples(_ node: Node, reader: YAMLReader) throws(ConfigError) -> [Sample] {
        guard case .sequence(let items) = node else { throw reader.error(node, "'samples' must be a list") }
        var samples: [Sample] = []
        for item in items {
            let m = try reader.mapping(item, what: "a sample", allowed: ["line", "rule", "matches", "fields"])
            guard let lineNode = m["line"] else { throw reader.error(item, "a sample needs 'line'") }
            var matches = true
            if let n = m["matches"] {
                guard case .scalar(let s) = n, let b = Bool(s.string) else { throw reader.error(n, "'matches' must be true or false") }
                matches = b
            }
            var fields: [String: String] = [:]
            if let n = m["fields"] {
                guard case .mapping(let mapping) = n else { throw reader.error(n, "a sample's 'fields' must be a mapping") }
                for (key, value) in mapping {
                    fields[try reader.string(key, what: "a field name")] = try reader.string(value, what: "a field value")
                }
            }
            samples.append(Sample(
                text: try reader.string(lineNode, what: "line"), rule: try m["rule"].map { (n) throws(ConfigError) in try reader.string(n, what: "rule") },
                matches: matches, fields: fields, line: lineNode.mark?.line ?? 0))
        }
        return samples
    }
}

func isPatternNameByte(_ b: UInt8) -> Bool {
    (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
        || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
}

/// Why a `paths:` glob must not be tailed, if it must not: one that walks the whole file system
/// or the kernel's virtual ones (`/proc/kmsg` blocks, `/dev` holds devices) would take every
/// descriptor and read what is no log.
func unsafeGlobReason(_ glob: String) -> String? {
    // The fixed directory before the first wildcard.
    var base: [Substring] = []
    for part in glob.split(separator: "/") {
        if part.contains(where: { "*?[{".contains($0) }) { break }
        base.append(part)
    }
    let wild = glob.contains(where: { "*?[{".contains($0) })
    if wild && base.isEmpty { return "reaches the whole file system; name the directories that hold the logs" }
    if let top = base.first, ["proc", "sys", "dev"].contains(top) {
        return "is in /\(top), which holds no log files (its files may block or never end)"
    }
    return nil
}
