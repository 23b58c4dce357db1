import Foundation

/// Turns Datadog log pipelines (the Logs Pipelines API's JSON: one pipeline object or an array
/// of them) into rule files.
///
/// Each enabled `grok-parser` processor that parses `message` becomes one rule file: its match
/// rules become rules, in order, anchored to the whole line as Datadog's are; its support rules
/// become `patterns:`; its `samples` become `samples:` (checked when the file loads). The
/// attributes named by the pipeline's `trace-id-remapper`, `span-id-remapper`,
/// `status-remapper`, `date-remapper` and `message-remapper` are renamed to `trace_id`,
/// `span_id`, `level`, `timestamp` and `message` where a grok rule captures them. Every other
/// processor, and each pipeline's filter query, is listed in ``RuleImport/notCarried``.
public enum DatadogImport {
    /// - Parameters:
    ///   - data: the JSON export.
    ///   - file: its path, for errors.
    /// - Throws: ``ConfigError`` when the JSON is not a pipeline or an array of pipelines.
    public static func run(_ data: Data, file: String) throws(ConfigError) -> RuleImport {
        let pipelines: [DatadogProcessor]
        do {
            let decoder = JSONDecoder()
            if let list = try? decoder.decode([DatadogProcessor].self, from: data) {
                pipelines = list
            } else {
                pipelines = [try decoder.decode(DatadogProcessor.self, from: data)]
            }
        } catch let error as DecodingError {
            throw ConfigError(file: file, message: "not a Datadog pipeline export: \(describe(error))")
        } catch {
            throw ConfigError(file: file, message: "not a Datadog pipeline export: \(error)")
        }
        var walker = DatadogWalker()
        for (index, pipeline) in pipelines.enumerated() {
            walker.pipeline(pipeline, number: index + 1)
        }
        return RuleImport(files: walker.files, notCarried: walker.report, notes: walker.notes)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            return (c.codingPath.isEmpty ? "" : "at \(path(c.codingPath)): ") + c.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}

/// A pipeline or a processor as the Logs Pipelines API writes them (only the keys an import
/// reads; others are ignored).
struct DatadogProcessor: Decodable {
    var type: String?
    var name: String?
    var is_enabled: Bool?
    var filter: Filter?
    var processors: [DatadogProcessor]?
    /// grok-parser: the attribute parsed (default `message`), its rules and sample lines.
    var source: String?
    var grok: Grok?
    var samples: [String]?
    /// Remappers: the attributes they read.
    var sources: [String]?

    struct Filter: Decodable {
        var query: String?
    }

    struct Grok: Decodable {
        var match_rules: String?
        var support_rules: String?
    }
}

/// Walks the pipelines, collecting grok parsers and remappers, and reporting the rest.
struct DatadogWalker {
    var files: [RuleImport.File] = []
    var report: [RuleImport.NotCarried] = []
    var notes: [String] = []
    var sources: Set<String> = []

    /// A grok parser found in a pipeline, and where.
    struct Parser {
        var processor: DatadogProcessor
        var location: String
        var query: String?
    }

    /// What a remapper makes of attributes: the correlator's field, by processor type.
    static let remapped = [
        "trace-id-remapper": ("trace_id", ["dd.trace_id"]),
        "span-id-remapper": ("span_id", ["dd.span_id"]),
        "status-remapper": ("level", ["status"]),
        "date-remapper": ("timestamp", ["timestamp"]),
        "message-remapper": ("message", ["msg"]),
    ]

    static let reasons = [
        "attribute-remapper": "captures keep the names the grok rules give them (rename the capture to rename the field)",
        "service-remapper": "the service of a line is the service of the span it joins",
        "category-processor": "no enrichment in Tracejoin",
        "arithmetic-processor": "no computed fields in Tracejoin",
        "string-builder-processor": "no computed fields in Tracejoin",
        "url-parser": "no enrichment in Tracejoin",
        "user-agent-parser": "no enrichment in Tracejoin",
        "geo-ip-parser": "no enrichment in Tracejoin",
        "lookup-processor": "no enrichment in Tracejoin",
        "reference-table-lookup-processor": "no enrichment in Tracejoin",
    ]

    static func name(_ p: DatadogProcessor, _ kind: String, _ number: Int) -> String {
        p.name.map { "\(kind) \"\($0)\"" } ?? "\(kind) #\(number)"
    }

    mutating func pipeline(_ pipeline: DatadogProcessor, number: Int) {
        let location = Self.name(pipeline, "pipeline", number)
        if pipeline.is_enabled == false {
            report.append(.init(location: location, what: "the pipeline", reason: "disabled in Datadog; not imported"))
            return
        }
        var parsers: [Parser] = []
        var remaps: [(field: String, sources: [String], location: String)] = []
        collect(pipeline, location: location, query: pipeline.filter?.query, parsers: &parsers, remaps: &remaps)
        let base = Self.sourceName(query: pipeline.filter?.query) ?? slug(pipeline.name ?? "datadog-\(number)")
        var captured: Set<String> = []
        for (k, parser) in parsers.enumerated() {
            let source = unique(parsers.count == 1 ? base : base + "-" + slug(parser.processor.name ?? String(k + 1)))
            if let file = ruleFile(parser, source: source, remaps: remaps, captured: &captured) { files.append(file) }
        }
        for remap in remaps where !remap.sources.contains(where: { captured.contains($0) }) {
            report.append(.init(location: remap.location, what: "remapper of \(remap.sources.joined(separator: ", ")) to \(remap.field)",
                                reason: "no grok rule of this pipeline captures it (an attribute of a JSON log needs a `json:` rule)"))
        }
    }

    /// The pipeline's processors in order, into grok parsers and remappers; the rest is reported.
    mutating func collect(_ pipeline: DatadogProcessor, location: String, query: String?, parsers: inout [Parser],
                          remaps: inout [(field: String, sources: [String], location: String)]) {
        if let q = pipeline.filter?.query, !q.isEmpty {
            report.append(.init(location: location, what: "filter query '\(q)'",
                                reason: "a rule file applies to the files it tails (paths), not to a query"))
        }
        for (index, p) in (pipeline.processors ?? []).enumerated() {
            let type = p.type ?? ""
            let here = location + " / " + Self.name(p, type == "pipeline" ? "pipeline" : "processor", index + 1)
            if p.is_enabled == false {
                report.append(.init(location: here, what: "\(type)", reason: "disabled in Datadog; not imported"))
                continue
            }
            switch type {
            case "pipeline":
                collect(p, location: here, query: p.filter?.query ?? query, parsers: &parsers, remaps: &remaps)
            case "grok-parser":
                parsers.append(Parser(processor: p, location: here, query: query))
            case let t where Self.remapped[t] != nil:
                let (field, defaults) = Self.remapped[t]!
                remaps.append((field, p.sources ?? defaults, here))
            default:
                report.append(.init(location: here, what: type.isEmpty ? "processor without a type" : type,
                                    reason: Self.reasons[type] ?? "only grok parsers become rules"))
            }
        }
    }

    /// `source:nginx` → `nginx`: the query Datadog pipelines most often filter on.
    static func sourceName(query: String?) -> String? {
        guard let q = query?.trimmingCharacters(in: .whitespaces), q.hasPrefix("source:"), !q.contains(" ") else { return nil }
        let name = slug(String(q.dropFirst(7)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        return name == "imported" ? nil : name
    }

    mutating func unique(_ name: String) -> String {
        var candidate = name
        var n = 2
        while sources.contains(candidate) {
            candidate = "\(name)-\(n)"
            n += 1
        }
        sources.insert(candidate)
        return candidate
    }

    /// `name rule` lines; a line without a rule is reported.
    mutating func rules(_ text: String?, location: String, what: String) -> [(name: String, rule: String)] {
        var out: [(name: String, rule: String)] = []
        for raw in (text ?? "").split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                report.append(.init(location: location, what: "\(what) '\(line)'", reason: "expected 'name rule'"))
                continue
            }
            out.append((String(line[..<space]), line[space...].trimmingCharacters(in: .whitespaces)))
        }
        return out
    }

    mutating func ruleFile(_ parser: Parser, source: String, remaps: [(field: String, sources: [String], location: String)],
                           captured: inout Set<String>) -> RuleImport.File? {
        let p = parser.processor
        if let attribute = p.source, attribute != "message" {
            report.append(.init(location: parser.location, what: "grok parser of attribute '\(attribute)'",
                                reason: "only `message` is the raw line; an attribute another processor made does not exist when a rule file parses a line"))
            return nil
        }
        var match = rules(p.grok?.match_rules, location: parser.location, what: "match rule")
        var support = rules(p.grok?.support_rules, location: parser.location, what: "support rule")
        // A match rule another one refers to is a helper there too (as in a Tracejoin rule block).
        let referenced = Set(match.map { $0.name }.filter { name in
            match.contains { $0.name != name && ($0.rule.contains("%{\(name)}") || $0.rule.contains("%{\(name):")) }
        })
        support += match.filter { referenced.contains($0.name) }
        match.removeAll { referenced.contains($0.name) }
        guard !match.isEmpty else {
            report.append(.init(location: parser.location, what: "grok parser", reason: "it has no match rules; no rule file was written for it"))
            return nil
        }
        // Pattern names use letters, digits and '_': others (Datadog allows '.') are renamed.
        var names: [String: String] = [:]
        for s in support where !s.name.utf8.allSatisfy(isPatternNameByte) {
            names[s.name] = String(s.name.map { c -> Character in c.isASCII && (c.isLetter || c.isNumber) ? c : "_" })
            notes.append("\(parser.location): support rule '\(s.name)' renamed to '\(names[s.name]!)'")
        }
        func field(_ name: String) -> [String] { remaps.filter { $0.field == name }.flatMap { $0.sources } }
        let texts = match.map { $0.rule } + support.map { $0.rule }
        let renaming = CaptureRenaming(texts: texts, trace: field("trace_id") + CaptureNames.trace, span: field("span_id") + CaptureNames.span,
                                       level: field("level") + CaptureNames.level, timestamp: field("timestamp"), message: field("message"))
        captured.formUnion(texts.flatMap { CaptureNames.fields($0) })
        var draft = RuleFileDraft(source: source, paths: ["/var/log/CHANGE-ME/\(source)/*.log"])
        draft.pathsComment = "placeholder: set the files this source tails"
        draft.header = ["Imported by `tracejoin rules import datadog` from \(parser.location)."]
        if let q = parser.query, !q.isEmpty { draft.header.append("Datadog applied it to logs matching: \(q)") }
        draft.patterns = support.map { (name: names[$0.name] ?? $0.name, regex: CaptureNames.rewrite($0.rule, fields: renaming.renames, names: names)) }
        // As in Datadog, a parsing rule must match the whole line.
        draft.rules = match.map {
            RuleFileDraft.Rule(name: $0.name, grok: "^(?:" + CaptureNames.rewrite($0.rule, fields: renaming.renames, names: names) + ")$", ids: renaming.ids)
        }
        draft.samples = p.samples ?? []
        report.append(.init(location: parser.location, what: "the files to tail for source '\(source)'",
                            reason: "a Datadog pipeline does not say which files its logs came from; a placeholder path was written"))
        notes += renaming.notes(in: parser.location)
        return RuleImport.File(name: source + ".yaml", source: source, ruleCount: match.count, text: draft.yaml(), origin: parser.location)
    }
}
