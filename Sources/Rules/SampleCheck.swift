import TraceContext
import TracejoinModel

/// Checks a rule file's `samples:` against its compiled rules; a failing sample keeps the file
/// out of force.
enum SampleCheck {
    static func run(_ samples: [RuleFile.Sample], parser: SourceParser, file: String) throws(ConfigError) {
        guard !samples.isEmpty else { return }
        // Samples must not move the daemon's counters.
        let session = SourceParser.Session(parser: parser, counting: false)
        for sample in samples {
            var text = sample.text
            let outcome = text.withUTF8 { session.parse($0, file: file) }
            func fail(_ why: String) -> ConfigError {
                ConfigError(file: file, line: sample.line, message: "sample does not parse as expected: \(why)")
            }
            let matchedRule: String?
            var record: LogRecord?
            switch outcome {
            case .unmatched: matchedRule = nil
            case .noTrace(let rule, _): matchedRule = rule
            case .record(let r):
                matchedRule = r.rule
                record = r
            }
            guard sample.matches else {
                if let matchedRule { throw fail("rule '\(ConfigError.excerpt(matchedRule))' matched, but the sample says no rule may") }
                continue
            }
            guard let matchedRule else { throw fail("no rule matched") }
            if let expected = sample.rule, expected != matchedRule {
                throw fail("rule '\(ConfigError.excerpt(matchedRule))' matched, not '\(ConfigError.excerpt(expected))'")
            }
            for (name, expected) in sample.fields.sorted(by: { $0.key < $1.key }) {
                let actual = value(of: name, in: record)
                if !same(name, expected, actual) {
                    throw fail("field \(ConfigError.excerpt(name)) is \(actual.map { "'\(ConfigError.excerpt($0))'" } ?? "missing"), expected '\(ConfigError.excerpt(expected))'")
                }
            }
        }
    }

    static func value(of name: String, in record: LogRecord?) -> String? {
        guard let record else { return nil }
        switch name {
        case "trace_id": return record.traceID?.hex
        case "span_id": return record.spanID?.decimal
        case "timestamp": return record.time
        case "level": return record.level
        case "message": return record.message
        default: return record.fields.first { $0.name == name }?.value.description
        }
    }

    /// IDs compare as IDs (any form of the same value); everything else as text.
    static func same(_ name: String, _ expected: String, _ actual: String?) -> Bool {
        guard let actual else { return false }
        switch name {
        case "trace_id":
            return (try? TraceID.parse(expected, encoding: .auto)) == (try? TraceID.parse(actual, encoding: .auto))
        case "span_id":
            // The expected text is typed by a person: any reading a lookup would try will do.
            guard let a = try? SpanID.parse(actual, encoding: .decimal) else { return false }
            return ((try? SpanID.lookupCandidates(expected)) ?? []).contains(a)
        default:
            return expected == actual
        }
    }
}
