import TracejoinAPI
import TracejoinModel

extension RuleRegistry: StatusReporting, LineTester {
    /// `sources`: each rule's counters since the daemon started (kept across reloads), and each
    /// source's lines no rule matched.
    public func report(into stats: inout StatsDocument) {
        stats.sources = counters.snapshot().mapValues { source in
            StatsDocument.Source(lines_unmatched: source.unmatched, rules: source.rules.mapValues { c in
                StatsDocument.Rule(matched: c.matched.value, with_trace: c.withTrace.value, without_trace: c.withoutTrace.value,
                                   invalid_ids: c.invalidIDs.value, limit_hits: c.limitHits.value)
            })
        }
    }

    public func ruleFiles() -> [RuleFileStatus] { statuses() }

    /// The grok debugger: how the rules in force parse `lines`, with checking sessions that
    /// touch no counter. Each line goes to the first source whose rules match it; a line no
    /// rule matches gets every rule's reason.
    public func testLines(_ lines: [String], deadline: ContinuousClock.Instant) -> [LineTest] {
        let sources = current().sources
        let sessions = sources.map { ($0, $0.parser.makeCheckingSession()) }
        // Each expression's prefixes are compiled once for the whole run, not once a line.
        let explainers = sources.map { MissExplainer($0.parser) }
        func test(_ line: String) -> LineTest {
            var bytes = Array(line.utf8)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            for (source, session) in sessions {
                switch bytes.withUnsafeBufferPointer({ session.parse($0, file: "(debugger)") }) {
                case .unmatched: continue
                case .noTrace(let rule, let record): return LineTest(line: line, source: source.file.source, rule: rule, record: record)
                case .record(let record): return LineTest(line: line, source: source.file.source, rule: record.rule, record: record)
                }
            }
            return LineTest(line: line, misses: zip(sources, explainers).flatMap { source, explainer in
                explainer.explain(line).map { LineTest.Miss(rule: "\(source.file.source)/\($0.rule)", reason: $0.reason) }
            })
        }
        var results: [LineTest] = []
        for line in lines {
            guard ContinuousClock.now < deadline else { break }
            results.append(test(line))
        }
        return results
    }
}
