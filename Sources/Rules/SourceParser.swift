import Grok
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

#if canImport(Glibc)
import Glibc
#endif

/// The compiled rules of one rule file: tries them in order on each line, first match wins.
///
/// The fields `trace_id`, `span_id`, `timestamp`, `level` and `message` mean something to the
/// correlator; every other captured field is kept as an attribute.
public struct SourceParser: LineParser {
    public let source: String
    /// Lines without a trace ID become records too (`keep_untraced`); they are counted either way.
    public let keepUntraced: Bool
    package let rules: [CompiledRule]
    let unmatched: StageCounter
    /// Problems that do not stop the file from loading (risky patterns, ignored conversions).
    public let warnings: [ConfigError]
    /// Matches the first line of a multiline record, when the file sets `multiline`.
    public let multilineStart: GrokLineMatcherFactory?

    /// A class, like ``GrokRule``: a line's parse then touches one reference per rule, not
    /// the many a copied struct holds.
    package final class CompiledRule: Sendable {
        /// The rule's name; `rule/line` for the parsing rules of a Datadog block.
        package let name: String
        let traceEncoding: IDEncoding
        let spanEncoding: IDEncoding
        let counters: RuleCounters
        package let body: Body
        /// How the rule reads the `timestamp` it captures (format, zone: docs/grok.md, "Times").
        let time: TimeReader

        init(name: String, traceEncoding: IDEncoding, spanEncoding: IDEncoding, counters: RuleCounters, body: Body, time: TimeReader) {
            self.time = time
            self.name = name
            self.traceEncoding = traceEncoding
            self.spanEncoding = spanEncoding
            self.counters = counters
            self.body = body
        }

        package enum Body: Sendable {
            case grok(GrokRule)
            /// By JSON key path, the correlator's field it fills (the rule's mapping inverted,
            /// once, when the rule is compiled).
            case json(fieldsByPath: [String: String])
        }
    }

    package final class GrokRule: Sendable {
        package let pattern: GrokPattern
        /// The groups of each correlator field. A field may be captured in several places (the
        /// branches of an alternation: `(?:a %{WORD:trace_id}|b %{WORD:trace_id} c)`); the one
        /// that took part in the match gives the value (``Groups/set(in:)``).
        let traceGroups: Groups
        let spanGroups: Groups
        let timeGroups: Groups
        let levelGroups: Groups
        let messageGroups: Groups
        let otherFields: [GrokPattern.Field]

        init(_ pattern: GrokPattern) {
            func groups(_ name: String) -> Groups { Groups(pattern.fields.filter { $0.name == name }.map(\.group)) }
            self.pattern = pattern
            traceGroups = groups("trace_id")
            spanGroups = groups("span_id")
            timeGroups = groups("timestamp")
            levelGroups = groups("level")
            messageGroups = groups("message")
            otherFields = pattern.fields.filter { !SourceParser.specialFields.contains($0.name) }
        }
    }

    /// The capture groups of one field name, in the order they appear.
    struct Groups: Sendable {
        let numbers: [Int]
        init(_ numbers: [Int]) { self.numbers = numbers }

        /// The first group that is set in this match (an unset group is a branch not taken).
        @inline(__always)
        func set(in matchData: borrowing MatchData) -> Int? {
            for group in numbers where matchData.range(ofGroup: group) != nil { return group }
            return nil
        }
    }

    static let idFields: Set = ["trace_id", "span_id"]
    static let specialFields: Set = ["trace_id", "span_id", "timestamp", "level", "message"]

    /// Compiles every rule of `file` against `library` plus the file's own `patterns:`, then
    /// checks the file's `samples:`.
    public init(_ file: RuleFile, library: PatternLibrary, counters: CounterRegistry = CounterRegistry()) throws(ConfigError) {
        // `pattern_set: ecs`: Logstash's patterns with ECS field names, the additions the same.
        let library = (file.patternSet == .legacy ? library : library.using(file.patternSet)).merging(file.patterns)
        var compiled: [CompiledRule] = []
        var warnings: [ConfigError] = []
        let zone = TimeZoneSetting(file.timezone)
        let fileTime: TimeReader
        do {
            fileTime = try TimeReader(format: file.timeFormat, zone: zone)
        } catch {
            throw ConfigError(file: file.path, line: file.timeSettingsLine, message: error.message)
        }
        for rule in file.rules {
            let trace = IDEncoding(rawValue: rule.traceEncoding) ?? .auto
            let span = IDEncoding(rawValue: rule.spanEncoding) ?? .auto
            switch rule.kind {
            case .json(let paths):
                compiled.append(CompiledRule(
                    name: rule.name, traceEncoding: trace, spanEncoding: span,
                    counters: counters.rule(source: file.source, rule: rule.name),
                    body: .json(fieldsByPath: Dictionary(paths.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })), time: fileTime))
            case .grok(let text):
                for (name, expression, lineOffset, helpers) in try Self.parsingRules(rule, text, file: file) {
                    let at = (line: rule.line + lineOffset, column: lineOffset == 0 ? rule.column : 0)
                    let pattern: GrokPattern
                    do {
                        pattern = try GrokPattern(expression, library: library.merging(helpers), limits: rule.limits)
                    } catch {
                        throw ConfigError(
                            file: file.path, line: at.line, column: at.column == 0 ? 0 : at.column + error.offset,
                            message: "rule '\(name)': \(error.message) (offset \(error.offset) in the grok expression)")
                    }
                    if let risk = RegexLint.nestedUnboundedQuantifier(pattern.expanded) {
                        warnings.append(ConfigError(
                            file: file.path, line: at.line, column: at.column,
                            message: "rule '\(name)': \(risk); a line that almost matches may take exponential time (the match limit \(rule.limits.match) bounds it)"))
                    }
                    for field in pattern.fields where Self.idFields.contains(field.name) && field.conversion != .none {
                        warnings.append(ConfigError(
                            file: file.path, line: at.line, column: at.column,
                            message: "rule '\(name)': field \(field.name) keeps its text; IDs are never converted to numbers"))
                    }
                    // A `%{date("…"):timestamp}` reads the time with the pattern it was given.
                    var time = fileTime
                    if case .date(let format)? = pattern.fields.first(where: { $0.name == "timestamp" })?.conversion {
                        do {
                            time = try TimeReader(format: format.pattern, zone: format.timeZone.map(TimeZoneSetting.named) ?? zone)
                        } catch {
                            throw ConfigError(file: file.path, line: at.line, column: at.column, message: "rule '\(name)': timestamp: \(error.message)")
                        }
                    }
                    compiled.append(CompiledRule(
                        name: name, traceEncoding: trace, spanEncoding: span,
                        counters: counters.rule(source: file.source, rule: name), body: .grok(GrokRule(pattern)), time: time))
                }
            }
        }
        if let multiline = file.multiline {
            do {
                multilineStart = GrokLineMatcherFactory(pattern: try GrokPattern(multiline.start, library: library))
            } catch {
                throw ConfigError(file: file.path, line: multiline.line, column: multiline.column + error.offset,
                                  message: "multiline.start: \(error.message)")
            }
        } else {
            multilineStart = nil
        }
        source = file.source
        keepUntraced = file.keepUntraced
        rules = compiled
        unmatched = counters.unmatched(source: file.source)
        self.warnings = warnings
        try SampleCheck.run(file.samples, parser: self, file: file.path)
    }

    /// A `grok:` value is one expression, or a Datadog-style block: one `name pattern` per line.
    /// In a block, a line that another line refers to (`%{name}`) is a helper rule; the others
    /// are parsing rules, tried in order, named `rule/name`, and anchored to the whole line as
    /// Datadog's are.
    static func parsingRules(_ rule: RuleFile.Rule, _ text: String, file: RuleFile)
        throws(ConfigError) -> [(name: String, expression: String, lineOffset: Int, helpers: [String: String])]
    {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.filter({ !$0.allSatisfy(\.isWhitespace) }).count > 1 else {
            return [(rule.name, text.trimmingTrailingNewlines(), 0, [:])]
        }
        var entries: [(name: String, pattern: String, lineOffset: Int)] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw ConfigError(file: file.path, line: rule.line + 1 + index, message: "rule '\(rule.name)': expected 'name pattern' on each line of a rule block")
            }
            let name = String(trimmed[..<space])
            guard name.utf8.allSatisfy(isPatternNameByte) else {
                throw ConfigError(file: file.path, line: rule.line + 1 + index, message: "rule '\(ConfigError.excerpt(rule.name))': '\(ConfigError.excerpt(name))' is not a rule name (letters, digits, '_')")
            }
            entries.append((name, String(trimmed[space...].drop { $0 == " " || $0 == "\t" }), 1 + index))
        }
        let referenced = Set(entries.map(\.name).filter { name in
            entries.contains { $0.name != name && ($0.pattern.contains("%{\(name)}") || $0.pattern.contains("%{\(name):")) }
        })
        let helpers = Dictionary(entries.filter { referenced.contains($0.name) }.map { ($0.name, $0.pattern) }, uniquingKeysWith: { a, _ in a })
        let parsing = entries.filter { !referenced.contains($0.name) }
        guard !parsing.isEmpty else {
            throw ConfigError(file: file.path, line: rule.line, message: "rule '\(rule.name)': every line of the block is a helper; none is a parsing rule")
        }
        // As in Datadog, a parsing rule must match the whole line.
        return parsing.map { ("\(rule.name)/\($0.name)", "^(?:\($0.pattern))$", $0.lineOffset, helpers) }
    }

    public func makeSession() -> any LineParserSession {
        Session(parser: self, counting: true)
    }

    /// A session that leaves the counters alone, for checks such as `tracejoin rules test`.
    public func makeCheckingSession() -> any LineParserSession {
        Session(parser: self, counting: false)
    }

    /// Holds one rule's match data; a class because an array cannot hold `~Copyable` values.
    /// Owned by one session, used by one thread at a time: the dynamic exclusivity check on
    /// every access (twice a line) is left out.
    final class MatchBox {
        @exclusivity(unchecked) var data: MatchData
        init(_ data: consuming MatchData) { self.data = data }
    }

    /// Owns one match data per rule (each with its rule's limits), reused for every line.
    final class Session: LineParserSession {
        let parser: SourceParser
        let boxes: [MatchBox]
        /// Off for checks (samples, `rules test`) that must not move the daemon's counters.
        let counting: Bool

        init(parser: SourceParser, counting: Bool) {
            self.parser = parser
            self.counting = counting
            boxes = parser.rules.map { rule in
                if case .grok(let g) = rule.body { return MatchBox(g.pattern.makeMatchData()) }
                return MatchBox(MatchData(groups: 0))
            }
        }

        func parse(_ line: UnsafeBufferPointer<UInt8>, file: String) -> LineOutcome {
            for (index, rule) in parser.rules.enumerated() {
                let outcome: LineOutcome?
                switch rule.body {
                case .grok(let grok):
                    let box = boxes[index]
                    switch grok.pattern.regex.match(line, &box.data) {
                    case .match:
                        outcome = record(rule, grok, line, matchData: box.data, file: file)
                    case .noMatch:
                        outcome = nil
                    case .error:
                        // A limit hit (or a bad subject) counts and falls through to the next rule.
                        if counting { rule.counters.limitHits.add() }
                        outcome = nil
                    }
                case .json(let fieldsByPath):
                    outcome = JSONRule.record(rule, fieldsByPath: fieldsByPath, line: line, file: file, source: parser.source,
                                              keepUntraced: parser.keepUntraced || !counting)
                }
                if let outcome {
                    guard counting else { return outcome }
                    rule.counters.matched.add()
                    switch outcome {
                    case .record(let r):
                        rule.counters.withTrace.add()
                        if r.idError != nil { rule.counters.invalidIDs.add() }
                    case .noTrace: rule.counters.withoutTrace.add()
                    case .unmatched: break
                    }
                    return outcome
                }
            }
            if counting { parser.unmatched.add() }
            return .unmatched
        }

        private func record(_ rule: CompiledRule, _ grok: GrokRule, _ line: UnsafeBufferPointer<UInt8>,
                            matchData: borrowing MatchData, file: String) -> LineOutcome {
            func bytes(_ group: Int?) -> UnsafeBufferPointer<UInt8>? {
                guard let group, let range = matchData.range(ofGroup: group) else { return nil }
                return UnsafeBufferPointer(rebasing: line[range])
            }
            func text(_ group: Int?) -> String? { bytes(group).map { String(decoding: $0, as: UTF8.self) } }
            let traceGroup = grok.traceGroups.set(in: matchData), spanGroup = grok.spanGroups.set(in: matchData)
            let ids = bytes(traceGroup).map { IDs.parse(trace: $0, span: bytes(spanGroup), rule: rule) } ?? IDs(absent: true)
            // A checking session (samples, `rules test`, the debugger) shows the fields of a line
            // without a trace ID too; the daemon's only makes the record when it is kept.
            if ids.absent && !parser.keepUntraced && counting { return .noTrace(rule: rule.name, record: nil) }
            // The line becomes one string. When that string holds the line's bytes unchanged
            // (valid UTF-8: nearly always), parsed text stays a range of it.
            var raw = String(decoding: line, as: UTF8.self)
            let exact = raw.withUTF8 { $0.count == line.count && (line.isEmpty || memcmp($0.baseAddress!, line.baseAddress!, line.count) == 0) }
            func stored(_ group: Int?) -> LogRecord.Text? {
                guard let group, let range = matchData.range(ofGroup: group) else { return nil }
                return exact ? .inLine(range) : .own(String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self))
            }
            var fields: [LogRecord.FieldText] = []
            fields.reserveCapacity(grok.otherFields.count)
            for field in grok.otherFields {
                guard let range = matchData.range(ofGroup: field.group) else { continue }
                if exact, case .none = field.conversion {
                    fields.append(.init(name: field.name, value: .inLine(range)))
                    continue
                }
                var converted: [LogRecord.Field] = []
                FieldConverter.apply(field.conversion, name: field.name,
                                     text: String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self), into: &converted)
                fields += converted.map { .init(name: $0.name, value: .own($0.value)) }
            }
            // The IDs' text is only made into strings when it did not parse.
            if ids.error != nil {
                var kept: [LogRecord.Field] = []
                ids.keepRawText(trace: text(traceGroup), span: text(spanGroup), in: &kept)
                fields += kept.map { .init(name: $0.name, value: .own($0.value)) }
            }
            let timeGroup = grok.timeGroups.set(in: matchData)
            let timeNanoseconds = bytes(timeGroup).flatMap { rule.time.nanoseconds($0, now: Timestamps.now()) }
            let traceRange = traceGroup.flatMap { matchData.range(ofGroup: $0) }
            let spanRange = spanGroup.flatMap { matchData.range(ofGroup: $0) }
            return ids.outcome(rule: rule.name, LogRecord(
                traceID: ids.trace, spanID: ids.span, raw: raw, time: stored(timeGroup),
                level: stored(grok.levelGroups.set(in: matchData)), message: stored(grok.messageGroups.set(in: matchData)), fields: fields, file: file, source: parser.source, rule: rule.name,
                idError: ids.error, traceIDRange: exact ? traceRange : nil, spanIDRange: exact ? spanRange : nil,
                timeNanoseconds: timeNanoseconds))
        }
    }
}

/// A multiline `start` expression as the tailer uses it.
public struct GrokLineMatcherFactory: LineMatcherFactory {
    let pattern: GrokPattern

    public func makeMatcher() -> any LineMatcher {
        Matcher(pattern: pattern)
    }

    final class Matcher: LineMatcher {
        let pattern: GrokPattern
        @exclusivity(unchecked) var data: MatchData

        init(pattern: GrokPattern) {
            self.pattern = pattern
            data = pattern.makeMatchData()
        }

        func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            pattern.regex.match(line, &data) == .match
        }
    }
}

/// A line's trace and span IDs, parsed in the rule's encodings.
struct IDs {
    var trace: TraceID?
    var span: SpanID?
    var error: String?
    /// The trace ID is one of the "no trace" forms.
    var absent = false

    static func parse(trace: UnsafeBufferPointer<UInt8>, span: UnsafeBufferPointer<UInt8>?, rule: SourceParser.CompiledRule) -> IDs {
        var ids = IDs()
        do {
            ids.trace = try TraceID.parse(trace, encoding: rule.traceEncoding)
            if ids.trace == nil {
                ids.absent = true
                return ids
            }
        } catch {
            ids.error = "trace_id: \(error.message)"
        }
        if let span {
            do {
                ids.span = try SpanID.parse(span, encoding: rule.spanEncoding)
            } catch {
                ids.error = ids.error ?? "span_id: \(error.message)"
            }
        }
        return ids
    }

    /// `.record`, or for a line without a trace ID `.noTrace` carrying the record (kept untraced).
    func outcome(rule: String, _ record: @autoclosure () -> LogRecord) -> LineOutcome {
        absent ? .noTrace(rule: rule, record: record()) : .record(record())
    }

    /// With an invalid ID, the raw text goes into the fields so the operator sees what was written.
    func keepRawText(trace: String?, span: String?, in fields: inout [LogRecord.Field]) {
        guard error != nil else { return }
        if let trace { fields.append(.init(name: "trace_id", value: trace)) }
        if let span { fields.append(.init(name: "span_id", value: span)) }
    }
}

/// `json:` rules: the line is one JSON object; the mapping names the key paths of the
/// correlator's fields; every other member is kept as a field. A line that is not a JSON object
/// falls through to the next rule.
enum JSONRule {
    static func record(_ rule: SourceParser.CompiledRule, fieldsByPath: [String: String], line: UnsafeBufferPointer<UInt8>,
                       file: String, source: String, keepUntraced: Bool) -> LineOutcome? {
        // Cheap test before parsing: the first non-blank byte must open an object.
        guard let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{"),
            let pairs = try? JSONFlattener.flatten(line)
        else { return nil }
        var values: [String: JSONFlattener.Scalar] = [:]
        var fields: [LogRecord.Field] = []
        for (path, value) in pairs {
            if let name = fieldsByPath[path] {
                values[name] = value
            } else {
                fields.append(.init(name: path, value: value.fieldValue))
            }
        }
        let traceText = values["trace_id"]?.idText
        let spanText = values["span_id"]?.idText
        var ids = IDs(absent: true)
        if var traceText {
            ids = traceText.withUTF8 { trace in
                if var s = spanText {
                    return s.withUTF8 { IDs.parse(trace: trace, span: $0, rule: rule) }
                }
                return IDs.parse(trace: trace, span: nil, rule: rule)
            }
        }
        if ids.absent && !keepUntraced { return .noTrace(rule: rule.name, record: nil) }
        ids.keepRawText(trace: traceText, span: spanText, in: &fields)
        func string(_ name: String) -> String? {
            guard let v = values[name] else { return nil }
            if case .null = v { return nil }
            return v.fieldValue.description
        }
        // The time from its raw token: a number (epoch) exactly as written, or a string's value.
        var timeNanoseconds: Int64?
        if var text = values["timestamp"]?.idText {
            timeNanoseconds = text.withUTF8 { rule.time.nanoseconds($0, now: Timestamps.now()) }
        }
        return ids.outcome(rule: rule.name, LogRecord(
            traceID: ids.trace, spanID: ids.span, time: string("timestamp"), level: string("level"), message: string("message"),
            file: file, source: source, rule: rule.name, raw: String(decoding: line, as: UTF8.self), fields: fields,
            idError: ids.error, timeNanoseconds: timeNanoseconds))
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
