import Synchronization
import TracejoinSupport

/// A count of what a stage did, shared between the task that counts (relaxed atomic adds) and
/// the readers of `/v1/stats`. Not named `Counter`: Prometheus, which `/metrics` uses, has one.
public final class StageCounter: Sendable {
    private let storage = Atomic<Int>(0)
    public init() {}
    @inline(__always) public func add(_ n: Int = 1) { storage.add(n, ordering: .relaxed) }
    public var value: Int { storage.load(ordering: .relaxed) }
}

/// What a rule has done since the daemon started.
public final class RuleCounters: Sendable {
    /// Lines the rule matched.
    public let matched = StageCounter()
    /// Matched lines with a trace ID (stored).
    public let withTrace = StageCounter()
    /// Matched lines without a trace ID (counted only).
    public let withoutTrace = StageCounter()
    /// Lines whose trace or span ID was not valid in the rule's encoding.
    public let invalidIDs = StageCounter()
    /// Lines on which the rule hit a PCRE2 match, depth or heap limit (treated as no match).
    public let limitHits = StageCounter()
    public init() {}
}

/// Counters by source and rule, kept across rule reloads: a rule that is edited keeps counting
/// where it left off.
public final class CounterRegistry: Sendable {
    /// What the intake received, by kind and protocol.
    public let intake = IntakeCounters()
    /// What was set aside because it stopped the daemon before (docs/reliability.md).
    public let quarantine = QuarantineCounters()
    private let rules = Locked<[RuleKey: RuleCounters]>([:])
    private let unmatched = Locked<[String: StageCounter]>([:])

    /// Not one string joined with NUL and split again: a rule file can name its source and
    /// rules with any characters, NUL included (`source: "\0"`), and a key that split into
    /// nothing trapped the snapshot.
    private struct RuleKey: Hashable {
        var source: String
        var rule: String
    }

    public init() {}

    public func rule(source: String, rule: String) -> RuleCounters {
        rules.withLock { map in
            let key = RuleKey(source: source, rule: rule)
            if let existing = map[key] { return existing }
            let created = RuleCounters()
            map[key] = created
            return created
        }
    }

    /// Lines of `source` that no rule matched.
    public func unmatched(source: String) -> StageCounter {
        unmatched.withLock { map in
            if let existing = map[source] { return existing }
            let created = StageCounter()
            map[source] = created
            return created
        }
    }

    /// A snapshot: `[source: (unmatched, [rule: counters])]`.
    public func snapshot() -> [String: (unmatched: Int, rules: [String: RuleCounters])] {
        var result: [String: (unmatched: Int, rules: [String: RuleCounters])] = [:]
        for (key, counters) in rules.withLock({ $0 }) {
            result[key.source, default: (0, [:])].rules[key.rule] = counters
        }
        for (source, counter) in unmatched.withLock({ $0 }) {
            result[source, default: (0, [:])].unmatched = counter.value
        }
        return result
    }
}

/// What quarantine set aside since the daemon started.
public final class QuarantineCounters: Sendable {
    /// Log records stored as raw text because they stopped the daemon.
    public let records = StageCounter()
    /// Intake payloads refused because they stopped the daemon.
    public let payloads = StageCounter()
    public init() {}
}

/// What the intake stored or dropped, as `KIND.PROTOCOL` counters: `spans.otlp_grpc`,
/// `log_records.otlp_http`, `metrics_dropped.otlp_grpc` (OTLP metric exports, answered and
/// dropped), ….
public final class IntakeCounters: Sendable {
    private let counters = Locked<[String: StageCounter]>([:])

    public init() {}

    public func counter(_ kind: String, _ protocolName: String) -> StageCounter {
        counters.withLock { map in
            let key = kind + "." + protocolName
            if let existing = map[key] { return existing }
            let created = StageCounter()
            map[key] = created
            return created
        }
    }

    public func snapshot() -> [String: Int] {
        counters.withLock { $0 }.mapValues(\.value)
    }
}
