import TracejoinModel

/// What the query side reads of the running daemon: the stages' reporters, composed into one
/// ``StatsDocument`` on each request; the rules, for their files and the grok debugger; the
/// last hour, when something samples it.
public struct DaemonReports: Sendable {
    public var reporters: [any StatusReporting]
    public var rules: (any LineTester)?
    public var history: StatusHistory?
    /// The fleet service's (no files, rules or index of its own): its pages show the shards.
    public var fleet: Bool

    public init(reporters: [any StatusReporting], rules: (any LineTester)? = nil, history: StatusHistory? = nil, fleet: Bool = false) {
        self.reporters = reporters
        self.rules = rules
        self.history = history
        self.fleet = fleet
    }

    /// `GET /v1/stats`, as the stages report it now.
    public func stats() -> StatsDocument { StatsDocument(reporters) }

    /// `GET /v1/rules`.
    public func rulesDocument() -> RulesDocument { RulesDocument(files: rules?.ruleFiles() ?? []) }

    /// The samples kept, oldest first (none when nothing samples).
    public func samples() -> [StatusSample] { history?.samples() ?? [] }
}
