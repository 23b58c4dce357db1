import TracejoinModel

/// What the query side may ask the rules in force beyond their counters: their files
/// (`GET /v1/rules`) and how they parse pasted lines (the grok debugger).
public protocol LineTester: Sendable {
    func ruleFiles() -> [RuleFileStatus]
    /// How the rules in force parse `lines`, without touching any counter. Synchronous CPU
    /// work: run it off the cooperative pool. Stops once `deadline` has passed: the lines it
    /// did not reach have no result (the answer is then shorter than `lines`).
    func testLines(_ lines: [String], deadline: ContinuousClock.Instant) -> [LineTest]
}
