/// Turns a Logstash pipeline's grok filters into rule files.
///
/// Each `grok` filter that matches on `message` (the raw line) becomes one rule file: one rule
/// per pattern, in order (Logstash's `break_on_match`: the first that matches wins, as in a rule
/// file); `pattern_definitions` and the readable files of `patterns_dir` become its `patterns:`.
/// The files to tail come from `file` inputs (matched to the filter by a `[type] == "…"`
/// condition when there is one). Everything else — other filters, conditionals, outputs,
/// settings without a counterpart — is listed in ``RuleImport/notCarried`` with its line.
public enum LogstashImport {
    /// - Parameters:
    ///   - text: the pipeline configuration.
    ///   - file: its path: locations in the report, and the base of a relative `patterns_dir`.
    ///   - source: the source name (several grok filters: `NAME-ID` or `NAME-N`); default: the
    ///     file's name without its extension.
    ///   - supportEscapes: the pipeline ran with `config.support_escapes: true`.
    /// - Throws: ``ConfigError`` when the file does not follow Logstash's grammar.
    public static func run(_ text: String, file: String, source: String? = nil, supportEscapes: Bool = false)
        throws(ConfigError) -> RuleImport
    {
        let config = try LogstashConfig.parse(text, file: file, supportEscapes: supportEscapes)
        var walker = LogstashWalker(file: file)
        for section in config.sections {
            switch section.kind {
            case "input": walker.inputs(section.items)
            case "filter": walker.filters(section.items, conditions: [])
            default: walker.outputs(section.items)
            }
        }
        let base = slug(source ?? baseName(file))
        return walker.finish(base: base)
    }

    static func baseName(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

/// Walks a parsed pipeline, collecting file inputs and grok filters and reporting the rest.
struct LogstashWalker {
    let file: String
    var report: [RuleImport.NotCarried] = []
    var notes: [String] = []
    var fileInputs: [FileInput] = []
    var groks: [(plugin: LogstashConfig.Plugin, conditions: [String])] = []

    /// What a `file { … }` input carries into a rule file.
    struct FileInput {
        var paths: [String] = []
        var exclude: [String] = []
        var type: String?
        var startAt: String?
        var multilineStart: String?
        var line: Int
    }

    init(file: String) {
        self.file = file
    }

    func at(_ line: Int) -> String { "\(file):\(line)" }

    mutating func skip(_ line: Int, _ what: String, _ reason: String) {
        report.append(RuleImport.NotCarried(location: at(line), what: what, reason: reason))
    }

    // MARK: Inputs

    mutating func inputs(_ items: [LogstashConfig.Item]) {
        for item in items {
            switch item {
            case .conditional(let c):
                for branch in c.branches {
                    skip(branch.line, branch.condition.map { "conditional 'if \($0)'" } ?? "'else'", "inputs are not chosen by conditions in a rule file")
                    inputs(branch.items)
                }
            case .plugin(let p) where p.name == "file":
                fileInputs.append(fileInput(p))
            case .plugin(let p):
                skip(p.line, "input '\(p.name)'", "Tracejoin tails files (spans and OTLP logs come through its intake, docs/intake.md)")
            }
        }
    }

    mutating func fileInput(_ p: LogstashConfig.Plugin) -> FileInput {
        var input = FileInput(line: p.line)
        for s in p.settings {
            switch s.name {
            case "path": input.paths += s.value.texts
            case "exclude": input.exclude += s.value.texts
            case "type": input.type = s.value.text
            case "id": continue
            case "start_position":
                if let v = s.value.text, v == "beginning" || v == "end" { input.startAt = v } else { skip(s.line, "start_position", "not 'beginning' or 'end'") }
            case "codec":
                if case .plugin(let codec) = s.value, codec.name == "multiline" {
                    input.multilineStart = multilineStart(codec)
                } else if case .plugin(let codec) = s.value {
                    skip(s.line, "codec '\(codec.name)'", codec.name == "json" ? "a rule with `json:` parses JSON lines" : "lines are read as text")
                } else {
                    skip(s.line, "codec '\(s.value.text ?? "")'", s.value.text == "json" ? "a rule with `json:` parses JSON lines" : "lines are read as text")
                }
            default:
                skip(s.line, "file input setting '\(s.name)'", "no counterpart in a rule file (see docs/configuration.md for what a source sets)")
            }
        }
        return input
    }

    /// The multiline codec as a `multiline.start`: with `what => previous`, a line that does not
    /// match (`negate => true`), or that matches (`negate => false`), joins the record before it —
    /// so the start of a record is the pattern, or its negation.
    mutating func multilineStart(_ codec: LogstashConfig.Plugin) -> String? {
        guard let pattern = codec.setting("pattern")?.value.text else {
            skip(codec.line, "multiline codec", "it has no 'pattern'")
            return nil
        }
        let negate = codec.setting("negate")?.value.text == "true"
        let what = codec.setting("what")?.value.text ?? "previous"
        for s in codec.settings where !["pattern", "negate", "what"].contains(s.name) {
            skip(s.line, "multiline codec setting '\(s.name)'", "a rule file's multiline sets start, max_lines, max_bytes and timeout (edit them by hand)")
        }
        guard what == "previous" else {
            skip(codec.line, "multiline codec with what => \(what)", "a record's continuation lines follow its first line in Tracejoin; a line that joins the next one cannot be expressed")
            return nil
        }
        return negate ? pattern : "^(?!.*(?:\(pattern)))"
    }

    // MARK: Filters

    mutating func filters(_ items: [LogstashConfig.Item], conditions: [String]) {
        for item in items {
            switch item {
            case .plugin(let p) where p.name == "grok":
                groks.append((p, conditions))
            case .plugin(let p):
                skip(p.line, "filter '\(p.name)'", Self.filterReasons[p.name] ?? "only grok filters become rules")
            case .conditional(let c):
                for branch in c.branches {
                    skip(branch.line, branch.condition.map { "conditional 'if \($0)'" } ?? "'else' branch",
                         "a rule file's rules apply to every line of its files; the grok filters inside were imported without the condition")
                    filters(branch.items, conditions: conditions + [branch.condition ?? "else"])
                }
            }
        }
    }

    static let filterReasons = [
        "date": "Tracejoin keeps the `timestamp` capture as written; it does not parse dates or set the event time from them",
        "mutate": "field edits have no counterpart; a capture's name and its `:int`/`:float` conversion are what a rule sets",
        "kv": "parse key=value pairs inside the grok expression instead: `%{data::keyvalue}` (docs/grok.md)",
        "json": "a rule with `json:` parses JSON lines; a JSON part of a line: `%{data::json}` (docs/grok.md)",
        "dissect": "write the mapping as a grok expression",
        "multiline": "set the rule file's `multiline: {start: …}` (docs/tailing.md)",
        "drop": "lines no rule matches are counted, not stored",
        "geoip": "no enrichment in Tracejoin",
        "useragent": "no enrichment in Tracejoin",
    ]

    static let grokSettingReasons = [
        "tag_on_failure": "a line no rule matches is counted (`lines_unmatched` in /v1/stats), not tagged",
        "tag_on_timeout": "a line that hits a PCRE2 limit is counted (`limit_hits`), not tagged",
        "overwrite": "a capture named `message` is the record's message; a capture never replaces the stored line",
        "add_field": "records carry only what the rule captures",
        "add_tag": "records carry only what the rule captures",
        "remove_field": "records carry only what the rule captures",
        "remove_tag": "records carry only what the rule captures",
        "timeout_millis": "Tracejoin bounds matching with PCRE2 limits (`limits:` in the rule file), not a timer",
        "timeout_scope": "Tracejoin bounds matching with PCRE2 limits (`limits:` in the rule file), not a timer",
        "target": "captures are top-level fields of the record",
        "keep_empty_captures": "no counterpart in a rule file",
    ]

    // MARK: Outputs

    mutating func outputs(_ items: [LogstashConfig.Item]) {
        for item in items {
            switch item {
            case .plugin(let p):
                skip(p.line, "output '\(p.name)'", "Tracejoin stores what it parses in its own index (shipping to ClickHouse: docs/export.md)")
            case .conditional(let c):
                for branch in c.branches { outputs(branch.items) }
            }
        }
    }

    // MARK: Rule files

    mutating func finish(base: String) -> RuleImport {
        var files: [RuleImport.File] = []
        var claimed: [String: String] = [:]  // path → the source that tails it
        var sources: Set<String> = []
        var converted: [Converted] = []
        for grok in groks {
            if let c = convert(grok.plugin, conditions: grok.conditions) { converted.append(c) }
        }
        for (number, var grok) in converted.enumerated() {
            var source = converted.count == 1 ? base : base + "-" + (grok.id.map(slug) ?? String(number + 1))
            if sources.contains(source) { source += "-\(number + 1)" }
            sources.insert(source)
            grok.draft.source = source
            assignPaths(&grok, source: source, claimed: &claimed)
            files.append(RuleImport.File(name: source + ".yaml", source: source, ruleCount: grok.draft.rules.count,
                                         text: grok.draft.yaml(), origin: at(grok.line)))
        }
        return RuleImport(files: files, notCarried: report, notes: notes)
    }

    /// A grok filter on its way to a rule file.
    struct Converted {
        var draft: RuleFileDraft
        var id: String?
        var line: Int
        var conditions: [String]
    }

    /// The files to tail: the inputs of the `[type]` the filter's condition tests, else every
    /// file input; paths an earlier rule file tails already are left out (a file is read by one
    /// source). With none left, a placeholder the user must edit.
    mutating func assignPaths(_ grok: inout Converted, source: String, claimed: inout [String: String]) {
        let types = grok.conditions.compactMap(Self.typeTested)
        var inputs = fileInputs.filter { input in input.type.map { types.contains($0) } ?? false }
        if inputs.isEmpty { inputs = fileInputs }
        let paths = inputs.flatMap(\.paths)
        let free = paths.filter { claimed[$0] == nil }
        if free.isEmpty {
            grok.draft.paths = ["/var/log/CHANGE-ME/\(source)/*.log"]
            grok.draft.pathsComment = "placeholder: set the files this source tails"
            let why = paths.isEmpty
                ? "the pipeline has no file input with a path"
                : "its files are already tailed by source '\(claimed[paths[0]] ?? "")' (a file is read by one source); merge the rules or set other paths"
            skip(grok.line, "the files to tail for source '\(source)'", why + "; a placeholder path was written")
            return
        }
        for path in free { claimed[path] = source }
        grok.draft.paths = free
        grok.draft.exclude = inputs.flatMap(\.exclude)
        grok.draft.startAt = inputs.compactMap(\.startAt).first
        grok.draft.multilineStart = inputs.compactMap(\.multilineStart).first
    }

    /// `[type] == "X"` → `X`.
    static func typeTested(_ condition: String) -> String? {
        var s = Substring(condition)
        guard s.hasPrefix("[type]") else { return nil }
        s = s.dropFirst(6).drop { $0 == " " }
        guard s.hasPrefix("==") else { return nil }
        s = s.dropFirst(2).drop { $0 == " " }
        guard s.count >= 2, let q = s.first, q == "\"" || q == "'", s.last == q else { return nil }
        return String(s.dropFirst().dropLast())
    }

    mutating func convert(_ p: LogstashConfig.Plugin, conditions: [String]) -> Converted? {
        var expressions: [String] = []
        var definitions: [(name: String, regex: String)] = []
        var fromDirectories: [(name: String, regex: String)] = []
        var id: String?
        var patternSet: String?
        for s in p.settings {
            switch s.name {
            case "match":
                for (field, patterns, line) in matchPairs(s) {
                    let name = field.hasPrefix("[") && field.hasSuffix("]") && !field.dropFirst().contains(Character("[")) ? String(field.dropFirst().dropLast()) : field
                    if name == "message" {
                        expressions += patterns
                    } else {
                        skip(line, "grok on field '\(field)'", "only `message` is the raw line; a field another filter made does not exist when a rule file parses a line")
                    }
                }
            case "pattern_definitions":
                guard case .hash(let entries) = s.value else {
                    skip(s.line, "pattern_definitions", "not a hash of NAME => regex")
                    continue
                }
                for entry in entries {
                    guard let regex = entry.value.text else { continue }
                    definitions.append((entry.key, regex))
                }
            case "patterns_dir":
                for directory in s.value.texts { fromDirectories += patternsDirectory(directory, line: s.line) }
            case "id":
                id = s.value.text
            case "ecs_compatibility":
                // Logstash's `disabled` is the legacy pattern set; `v1` and `v8` are ECS.
                let value = s.value.text ?? ""
                patternSet = value == "disabled" ? "legacy" : "ecs"
                notes.append("\(at(s.line)): ecs_compatibility => \(value) carried as pattern_set: \(patternSet ?? "")")
            case "break_on_match":
                if s.value.text == "false" {
                    skip(s.line, "break_on_match => false", "a rule file stops at the first rule that matches; the patterns were imported as rules tried in order")
                }
            case "named_captures_only":
                if s.value.text == "false" { skip(s.line, "named_captures_only => false", "only named captures are fields") }
            default:
                skip(s.line, "grok setting '\(s.name)'", Self.grokSettingReasons[s.name] ?? "no counterpart in a rule file")
            }
        }
        guard !expressions.isEmpty else {
            skip(p.line, "grok filter", "it has no pattern matching `message`; no rule file was written for it")
            return nil
        }
        // Later definitions win: patterns_dir first, then pattern_definitions (as Logstash loads them).
        var patterns: [(name: String, regex: String)] = []
        for (name, regex) in fromDirectories + definitions {
            guard !name.isEmpty, name.utf8.allSatisfy(isPatternNameByte) else {
                skip(p.line, "pattern '\(name)'", "pattern names use only letters, digits and '_'")
                continue
            }
            patterns.removeAll { $0.name == name }
            patterns.append((name, regex))
        }
        let renaming = CaptureRenaming(texts: expressions + patterns.map { $0.regex }, trace: CaptureNames.trace, span: CaptureNames.span)
        let base = id.map(slug) ?? "grok"
        var draft = RuleFileDraft(source: "", paths: [])
        draft.header = ["Imported by `tracejoin rules import logstash` from the grok filter at \(at(p.line))."]
        if !conditions.isEmpty {
            draft.header.append("Logstash applied it only when: " + conditions.joined(separator: " and "))
        }
        draft.patterns = patterns.map { (name: $0.name, regex: CaptureNames.rewrite($0.regex, fields: renaming.renames)) }
        draft.rules = expressions.enumerated().map { k, expression in
            RuleFileDraft.Rule(name: expressions.count == 1 ? base : "\(base)-\(k + 1)",
                               grok: CaptureNames.rewrite(expression, fields: renaming.renames), ids: renaming.ids)
        }
        draft.patternSet = patternSet
        notes += renaming.notes(in: "grok filter at \(at(p.line))")
        return Converted(draft: draft, id: id, line: p.line, conditions: conditions)
    }

    /// `match => { "message" => "P" }`, `{ "message" => ["P1", "P2"] }`, or the old array form
    /// `["message", "P", …]` (pairs).
    mutating func matchPairs(_ s: LogstashConfig.Setting) -> [(String, [String], Int)] {
        switch s.value {
        case .hash(let entries):
            return entries.map { ($0.key, $0.value.texts, $0.line) }
        case .array(let items):
            let texts = items.compactMap(\.text)
            if texts.count % 2 != 0 { skip(s.line, "match", "the array form needs field, pattern pairs; the last item was left out") }
            return stride(from: 0, to: texts.count - 1, by: 2).map { (texts[$0], [texts[$0 + 1]], s.line) }
        default:
            skip(s.line, "match", "expected a hash { \"message\" => \"PATTERN\" }")
            return []
        }
    }

    /// The `NAME regex` lines of every file in a `patterns_dir` (Logstash reads every file there).
    mutating func patternsDirectory(_ directory: String, line: Int) -> [(name: String, regex: String)] {
        let parent = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let resolved = resolvePath(directory, against: resolvePath(parent, against: currentDirectory()))
        let files = listFiles(resolved, suffix: "")
        var patterns: [(name: String, regex: String)] = []
        for path in files {
            guard let text = try? readText(path) else { continue }
            for raw in text.split(separator: "\n") {
                let trimmed = raw.drop { $0 == " " || $0 == "\t" }
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
                var regex = String(trimmed[space...].drop { $0 == " " || $0 == "\t" })
                if regex.hasSuffix("\r") { regex.removeLast() }
                patterns.append((String(trimmed[..<space]), regex))
            }
        }
        if patterns.isEmpty {
            skip(line, "patterns_dir \"\(directory)\"", "could not be read here (looked in \(resolved)); copy its files into the configuration's patterns.d/ with names ending in .grok")
        } else {
            notes.append("\(at(line)): \(patterns.count) pattern\(patterns.count == 1 ? "" : "s") copied from patterns_dir \(resolved) into the rule file's patterns:")
        }
        return patterns
    }
}
