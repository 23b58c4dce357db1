import Foundation
import Rules
import Testing
import TracejoinAPI
import TracejoinModel

/// What the registry tells the query side: its counters in `/v1/stats`, its files, and the
/// grok debugger, which parses without counting.
@Suite("Rule registry: status and the grok debugger")
struct RuleRegistryStatusTests {
    @Test func theDebuggerParsesWithoutCountingAndTheReportCarriesTheCounters() throws {
        let dir = try TempConfig(rules: ["s.yaml": RuleRegistryTests.rules])
        let counters = CounterRegistry()
        let registry = RuleRegistry(try ConfigDirectory.load(dir.path), counters: counters)

        let results = registry.testLines(["A=42", "B=1"], deadline: ContinuousClock.now + .seconds(60))
        #expect(results.count == 2)
        #expect(results[0].source == "s" && results[0].rule == "a" && results[0].record?.traceID?.low == 42)
        #expect(results[1].rule == nil && results[1].misses.first?.rule == "s/a")

        var stats = StatsDocument()
        registry.report(into: &stats)
        #expect((stats.sources["s"]?.rules["a"]?.matched ?? 0) == 0)
        counters.rule(source: "s", rule: "a").matched.add(5)
        registry.report(into: &stats)
        #expect(stats.sources["s"]?.rules["a"]?.matched == 5)

        #expect(registry.ruleFiles().map(\.status) == ["ok"])
        // Past its deadline, a run parses nothing more.
        #expect(registry.testLines(["A=1"], deadline: ContinuousClock.now - .seconds(1)).isEmpty)
    }
}
