import TracejoinModel

/// `GET /v1/rules`: every rule file with its status.
public struct RulesDocument: Codable, Sendable {
    public var files: [RuleFileStatus]

    public init(files: [RuleFileStatus]) {
        self.files = files
    }

    /// What `/metrics` emits of it: the rule files by load status.
    public var figures: [Figure] {
        ["ok", "error"].map { state in
            Figure.gauge("rule_files", "Rule files by load status", files.filter { $0.status == state }.count, labels: [("status", state)])
        }
    }
}
