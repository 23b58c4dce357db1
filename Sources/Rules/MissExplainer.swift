import Grok
import TracejoinModel

extension SourceParser {
    /// Why each rule does not match `line`, one sentence per rule: the grok debugger's answer.
    ///
    /// For a grok rule it matches growing prefixes of the expression (piece by piece) and names
    /// the first piece after which the line no longer matches, with the text found there.
    public func explainMiss(_ line: String) -> [(rule: String, reason: String)] {
        MissExplainer(self).explain(line)
    }
}

/// Explains misses of one rule file's rules for many lines, each grok expression's prefixes
/// compiled once, when first needed, and kept for the next line (the grok debugger's run:
/// compiling them again for every line was most of its CPU). Each prefix keeps its rule's
/// match limits. Used by one thread at a time.
public final class MissExplainer {
    let parser: SourceParser
    /// By rule (its place in the file), the prefixes compiled so far.
    private var prefixes: [Int: Prefixes] = [:]

    public init(_ parser: SourceParser) {
        self.parser = parser
    }

    /// Why each rule does not match `line`, one sentence per rule.
    public func explain(_ line: String) -> [(rule: String, reason: String)] {
        var bytes = Array(line.utf8)
        return parser.rules.enumerated().map { index, rule in
            switch rule.body {
            case .json:
                let reason = bytes.withUnsafeMutableBufferPointer { buffer -> String in
                    do throws(JSONFlattener.Failure) {
                        _ = try JSONFlattener.flatten(UnsafeBufferPointer(buffer))
                        return "the line is a JSON object, yet did not parse (this is a bug)"
                    } catch {
                        return "not a JSON object: \(error.message) at byte \(error.offset)"
                    }
                }
                return (rule.name, reason)
            case .grok(let grok):
                let compiled = prefixes[index] ?? Prefixes(grok.pattern)
                prefixes[index] = compiled
                return (rule.name, Self.explain(grok.pattern, &bytes, prefixes: compiled))
            }
        }
    }

    /// The expression up to the end of each of its pieces, compiled when first asked for.
    final class Prefixes {
        let pattern: GrokPattern
        private let expanded: [UInt8]
        private var compiled: [Compiled]

        enum Compiled {
            case notYet
            /// A prefix that cuts a group in two does not compile.
            case invalid
            case regex(Grok.PCRE2Pattern)
        }

        init(_ pattern: GrokPattern) {
            self.pattern = pattern
            expanded = Array(pattern.expanded.utf8)
            compiled = Array(repeating: .notYet, count: pattern.pieces.count)
        }

        /// The expression up to the end of piece `index`, with the rule's match limits; `nil`
        /// when that prefix does not compile.
        func regex(_ index: Int) -> Grok.PCRE2Pattern? {
            switch compiled[index] {
            case .regex(let regex): return regex
            case .invalid: return nil
            case .notYet:
                let text = String(decoding: expanded[0..<pattern.pieces[index].expandedEnd], as: UTF8.self)
                guard let regex = try? Grok.PCRE2Pattern(text, limits: pattern.regex.limits) else {
                    compiled[index] = .invalid
                    return nil
                }
                compiled[index] = .regex(regex)
                return regex
            }
        }
    }

    static func explain(_ pattern: GrokPattern, _ line: inout [UInt8], prefixes: Prefixes) -> String {
        let source = Array(pattern.source.utf8)
        var lastEnd = 0
        var lastPiece = -1
        for (index, piece) in pattern.pieces.enumerated() {
            // A prefix that cuts a group in two does not compile: skip to a longer one.
            guard let prefix = prefixes.regex(index) else { continue }
            var data = MatchData(groups: prefix.captureCount, limits: prefix.limits)
            let outcome = line.withUnsafeBufferPointer { prefix.match($0, &data) }
            switch outcome {
            case .match:
                lastEnd = data.range(ofGroup: 0)?.upperBound ?? lastEnd
                lastPiece = index
            case .noMatch:
                let failed = String(decoding: source[piece.source], as: UTF8.self)
                let matched = lastPiece < 0 ? "" : String(decoding: source[0..<pattern.pieces[lastPiece].source.upperBound], as: UTF8.self)
                let at = String(decoding: line[lastEnd..<min(line.count, lastEnd + 40)], as: UTF8.self)
                if matched.isEmpty {
                    return "'\(failed)' matches nowhere in the line"
                }
                return "matched '\(matched)' up to byte \(lastEnd); then '\(failed)' did not match \"\(at)\(line.count > lastEnd + 40 ? "…" : "")\""
            case .error:
                return "gave up at '\(String(decoding: source[piece.source], as: UTF8.self))': \(outcome.errorMessage ?? "PCRE2 error") (a match limit; see the rule's limits)"
            }
        }
        let outcome = line.withUnsafeBufferPointer { bytes -> MatchOutcome in
            var data = pattern.makeMatchData()
            return pattern.regex.match(bytes, &data)
        }
        if let message = outcome.errorMessage {
            return "gave up: \(message) (a match limit; see the rule's limits)"
        }
        return "every piece matched on its own, but not the whole expression"
    }
}
