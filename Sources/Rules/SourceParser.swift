import Grok
import TraceContext
import TracejoinModel

/// The compiled rules of one rule file: tries them in order on each line, first match wins.
///
/// The fields `trace_id`, `span_id`, `timestamp`, `level` and `message` mean something to the
/// correlator; every other captured field is kept as a string attribute.
public struct SourceParser: LineParser {
    public let source: String
    let rules: [CompiledRule]

    struct CompiledRule: Sendable {
        let name: String
        let pattern: GrokPattern
        let traceEncoding: IDEncoding
        let spanEncoding: IDEncoding
        let traceGroup: Int?
        let spanGroup: Int?
        let timeGroup: Int?
        let levelGroup: Int?
        let messageGroup: Int?
        let otherFields: [GrokPattern.Field]
    }

    /// Compiles every rule of `file` against `library` plus the file's own `patterns:`.
    public init(_ file: RuleFile, library: PatternLibrary) throws(ConfigError) {
        let library = library.merging(file.patterns)
        var compiled: [CompiledRule] = []
        for rule in file.rules {
            let pattern: GrokPattern
            do {
                pattern = try GrokPattern(rule.grok, library: library)
            } catch {
                throw ConfigError(
                    file: file.path, line: rule.grokLine, column: rule.grokColumn + error.offset,
                    message: "rule '\(rule.name)': \(error.message) (offset \(error.offset) in the grok expression)")
            }
            func group(_ name: String) -> Int? { pattern.fields.first { $0.name == name }?.group }
            let special: Set = ["trace_id", "span_id", "timestamp", "level", "message"]
            compiled.append(CompiledRule(
                name: rule.name, pattern: pattern,
                traceEncoding: IDEncoding(rawValue: rule.traceEncoding) ?? .auto,
                spanEncoding: IDEncoding(rawValue: rule.spanEncoding) ?? .auto,
                traceGroup: group("trace_id"), spanGroup: group("span_id"), timeGroup: group("timestamp"),
                levelGroup: group("level"), messageGroup: group("message"),
                otherFields: pattern.fields.filter { !special.contains($0.name) }))
        }
        source = file.source
        rules = compiled
    }

    public func makeSession() -> any LineParserSession {
        Session(parser: self)
    }

    /// Owns the match data (sized for the rule with the most groups), reused for every line.
    final class Session: LineParserSession {
        let parser: SourceParser
        var matchData: MatchData

        init(parser: SourceParser) {
            self.parser = parser
            matchData = MatchData(groups: parser.rules.map(\.pattern.regex.captureCount).max() ?? 0)
        }

        func parse(_ line: UnsafeBufferPointer<UInt8>, file: String) -> LineOutcome {
            for rule in parser.rules {
                switch rule.pattern.regex.match(line, &matchData) {
                case .match:
                    return outcome(rule, line, file: file)
                case .noMatch, .error:
                    // A rule that hits a PCRE2 limit on this line is treated as not matching it.
                    continue
                }
            }
            return .unmatched
        }

        private func text(_ group: Int?, _ line: UnsafeBufferPointer<UInt8>) -> String? {
            guard let group, let range = matchData.range(ofGroup: group) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
        }

        private func outcome(_ rule: CompiledRule, _ line: UnsafeBufferPointer<UInt8>, file: String) -> LineOutcome {
            var idError: String?
            var traceID: TraceID?
            if let group = rule.traceGroup, let range = matchData.range(ofGroup: group) {
                do {
                    traceID = try TraceID.parse(UnsafeBufferPointer(rebasing: line[range]), encoding: rule.traceEncoding)
                    if traceID == nil { return .noTrace(rule: rule.name) }
                } catch {
                    idError = "trace_id: \(error.message)"
                }
            } else {
                return .noTrace(rule: rule.name)
            }
            var spanID: SpanID?
            if let group = rule.spanGroup, let range = matchData.range(ofGroup: group) {
                do {
                    spanID = try SpanID.parse(UnsafeBufferPointer(rebasing: line[range]), encoding: rule.spanEncoding)
                } catch {
                    idError = idError ?? "span_id: \(error.message)"
                }
            }
            var fields: [LogRecord.Field] = []
            for field in rule.otherFields {
                if let value = text(field.group, line) { fields.append(LogRecord.Field(name: field.name, value: value)) }
            }
            if idError != nil {
                // Keep the raw ID text so the operator can see what was written.
                for (name, group) in [("trace_id", rule.traceGroup), ("span_id", rule.spanGroup)] {
                    if let value = text(group, line) { fields.append(LogRecord.Field(name: name, value: value)) }
                }
            }
            return .record(LogRecord(
                traceID: traceID, spanID: spanID, time: text(rule.timeGroup, line), level: text(rule.levelGroup, line),
                message: text(rule.messageGroup, line), file: file, source: parser.source, rule: rule.name,
                raw: String(decoding: line, as: UTF8.self), fields: fields, idError: idError))
        }
    }
}
