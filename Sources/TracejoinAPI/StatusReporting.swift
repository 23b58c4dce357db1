import TracejoinModel

/// A stage's status, reported in its own words: each stage's status object fills its part of
/// ``StatsDocument`` (the tailer its files, the rules their counters, the index its health, …)
/// and the query side composes the document from all of them, on each request.
///
/// A report is a snapshot taken under the stage's own short locks: cheap enough to run once a
/// second (``StatusHistory``) and on every scrape.
public protocol StatusReporting: Sendable {
    func report(into stats: inout StatsDocument)
}

/// What the query side may ask the rules in force beyond their counters: their files
/// (`GET /v1/rules`) and how they parse pasted lines (the grok debugger).
public protocol LineTester: Sendable {
    func ruleFiles() -> [RuleFileStatus]
    /// How the rules in force parse `lines`, without touching any counter. Synchronous CPU
    /// work: run it off the cooperative pool. Stops once `deadline` has passed: the lines it
    /// did not reach have no result (the answer is then shorter than `lines`).
    func testLines(_ lines: [String], deadline: ContinuousClock.Instant) -> [LineTest]
}

// The model's own status objects, shared by several stages, report here (the model cannot
// import this target).

extension IntakeCounters: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.intake = snapshot()
    }
}

extension QuarantineCounters: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.quarantine.records = records.value
        stats.quarantine.payloads = payloads.value
    }
}

extension IngestHealth: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.ingest = status
    }
}

extension DamagedBlocks: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.index.damaged_blocks = all
    }
}

/// What the query side reads of the running daemon: the stages' reporters, composed into one
/// ``StatsDocument`` on each request; the rules, for their files and the grok debugger; the
/// last hour, when something samples it.
public struct DaemonReports: Sendable {
    public var reporters: [any StatusReporting]
    public var rules: (any LineTester)?
    public var history: StatusHistory?

    public init(reporters: [any StatusReporting], rules: (any LineTester)? = nil, history: StatusHistory? = nil) {
        self.reporters = reporters
        self.rules = rules
        self.history = history
    }

    /// `GET /v1/stats`, as the stages report it now.
    public func stats() -> StatsDocument { StatsDocument(reporters) }

    /// `GET /v1/rules`.
    public func rulesDocument() -> RulesDocument { RulesDocument(files: rules?.ruleFiles() ?? []) }

    /// The samples kept, oldest first (none when nothing samples).
    public func samples() -> [StatusSample] { history?.samples() ?? [] }
}
