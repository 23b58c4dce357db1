import TracejoinModel

/// `GET /v1/rules`: every rule file with its status.
public struct RulesDocument: Codable, Sendable {
    public var files: [RuleFileStatus]
}

/// `GET /v1/stats`: counters since the daemon started, by source and rule.
public struct StatsDocument: Codable, Sendable {
    public var sources: [String: Source]
    /// Every followed file: identity, offset, lag, rotations, bytes lost.
    public var files: [TailedFileStatus]
    /// The tailer's descriptors: how many it holds, and how many files waited for one in its
    /// last pass (more files than descriptors: they are read in turn).
    public var tail: Tail
    public var retention: RetentionStatus
    /// Whether ingest is paused (the index cannot be written, e.g. a full disk) and why.
    public var ingest: IngestStatus
    /// The index's own health: blocks found damaged (skipped by queries, reported once).
    public var index: IndexHealth
    /// What the intake stored (or, for OTLP metrics, answered and dropped), by `KIND.PROTOCOL`:
    /// `spans.otlp_grpc`, `log_records.otlp_http`, `metrics_dropped.otlp_grpc`, …
    public var intake: [String: Int]
    /// Each exporter: rows sent, lag in rows and seconds, rows retention deleted unexported.
    public var export: [ExportStatus]
    /// What was set aside since the daemon started because it had stopped the daemon before:
    /// log records stored as raw text, intake payloads refused (docs/reliability.md).
    public var quarantine: Quarantine

    public struct Quarantine: Codable, Sendable {
        public var records: Int
        public var payloads: Int
    }

    public struct Tail: Codable, Sendable {
        public var descriptors_held: Int
        public var waiting_for_descriptor: Int
    }

    public struct IndexHealth: Codable, Sendable {
        public var damaged_blocks: [DamagedBlock]
    }

    public struct Source: Codable, Sendable {
        /// Lines no rule of the source matched.
        public var lines_unmatched: Int
        public var rules: [String: Rule]
    }

    public struct Rule: Codable, Sendable {
        public var matched: Int
        public var with_trace: Int
        public var without_trace: Int
        public var invalid_ids: Int
        public var limit_hits: Int
    }

    init(_ counters: CounterRegistry, files: [TailedFileStatus], descriptors: (waiting: Int, held: Int), retention: RetentionStatus, ingest: IngestStatus, damagedBlocks: [DamagedBlock], exports: [ExportStatus] = []) {
        export = exports
        index = IndexHealth(damaged_blocks: damagedBlocks)
        intake = counters.intake.snapshot()
        quarantine = Quarantine(records: counters.quarantine.records.value, payloads: counters.quarantine.payloads.value)
        self.files = files
        tail = Tail(descriptors_held: descriptors.held, waiting_for_descriptor: descriptors.waiting)
        self.retention = retention
        self.ingest = ingest
        sources = counters.snapshot().mapValues { source in
            Source(lines_unmatched: source.unmatched, rules: source.rules.mapValues { c in
                Rule(matched: c.matched.value, with_trace: c.withTrace.value, without_trace: c.withoutTrace.value,
                     invalid_ids: c.invalidIDs.value, limit_hits: c.limitHits.value)
            })
        }
    }
}
