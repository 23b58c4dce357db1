import TracejoinModel

/// `GET /v1/stats`: what each stage says of itself, composed where it is read. The server
/// encodes it, `tracejoin status` decodes it, and `/metrics`, the web view's status page and
/// the CLI render its ``figures``.
///
/// To add a figure: a field here (with its line in `init(from:)`) and its line in ``figures``,
/// and the stage that fills it in its ``StatusReporting/report(into:)``. Nothing else names it.
///
/// A key the document lacks decodes as its empty value: `tracejoin status` reads the daemon
/// that is running, which after an upgrade may be the one from before (started before the
/// package was replaced) and may not write a field this version added.
public struct StatsDocument: Codable, Sendable {
    /// Counters since the daemon started, by source and rule (the rules report them).
    public var sources: [String: Source] = [:]
    /// Every followed file: identity, offset, lag, rotations, bytes lost.
    public var files: [TailedFileStatus] = []
    /// The tailer's descriptors: how many it holds, and how many files waited for one in its
    /// last pass (more files than descriptors: they are read in turn).
    public var tail = Tail()
    public var retention = RetentionStatus(max_bytes: 0, max_age_seconds: 0)
    /// Whether ingest is paused (the index cannot be written, e.g. a full disk) and why.
    public var ingest = IngestStatus()
    /// The index's own health: blocks found damaged (skipped by queries, reported once).
    public var index = IndexHealth()
    /// What the intake stored (or, for OTLP metrics, answered and dropped), by `KIND.PROTOCOL`:
    /// `spans.otlp_grpc`, `log_records.otlp_http`, `metrics_dropped.otlp_grpc`, …
    public var intake: [String: Int] = [:]
    /// Each exporter: rows sent, lag in rows and seconds, rows retention deleted unexported.
    public var export: [ExportStatus] = []
    /// What was set aside since the daemon started because it had stopped the daemon before:
    /// log records stored as raw text, intake payloads refused (docs/reliability.md).
    public var quarantine = Quarantine()
    /// The fleet service's shards (empty in a daemon): state, latency, failures.
    public var shards: [ShardStatus] = []

    /// An empty document, for reporters to fill.
    public init() {}

    /// The document `reporters` make, each filling its part in turn.
    public init(_ reporters: [any StatusReporting]) {
        for reporter in reporters { reporter.report(into: &self) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sources = try c.decode(.sources, or: sources)
        files = try c.decode(.files, or: files)
        tail = try c.decode(.tail, or: tail)
        retention = try c.decode(.retention, or: retention)
        ingest = try c.decode(.ingest, or: ingest)
        index = try c.decode(.index, or: index)
        intake = try c.decode(.intake, or: intake)
        export = try c.decode(.export, or: export)
        quarantine = try c.decode(.quarantine, or: quarantine)
        shards = try c.decode(.shards, or: shards)
    }

    public struct Quarantine: Codable, Sendable {
        public var records = 0
        public var payloads = 0
        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            records = try c.decode(.records, or: records)
            payloads = try c.decode(.payloads, or: payloads)
        }
    }

    public struct Tail: Codable, Sendable {
        public var descriptors_held = 0
        public var waiting_for_descriptor = 0
        /// Bytes written to the followed files and not yet committed, all files together: the
        /// one number to alert on when the daemon falls behind.
        public var lag_bytes: Int64 = 0
        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            descriptors_held = try c.decode(.descriptors_held, or: descriptors_held)
            waiting_for_descriptor = try c.decode(.waiting_for_descriptor, or: waiting_for_descriptor)
            lag_bytes = try c.decode(.lag_bytes, or: lag_bytes)
        }
    }

    public struct IndexHealth: Codable, Sendable {
        public var damaged_blocks: [DamagedBlock] = []
        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            damaged_blocks = try c.decode(.damaged_blocks, or: damaged_blocks)
        }
    }

    public struct Source: Codable, Sendable {
        /// Lines no rule of the source matched.
        public var lines_unmatched: Int
        public var rules: [String: Rule]

        public init(lines_unmatched: Int, rules: [String: Rule]) {
            self.lines_unmatched = lines_unmatched
            self.rules = rules
        }
    }

    public struct Rule: Codable, Sendable {
        public var matched: Int
        public var with_trace: Int
        public var without_trace: Int
        public var invalid_ids: Int
        public var limit_hits: Int

        public init(matched: Int, with_trace: Int, without_trace: Int, invalid_ids: Int, limit_hits: Int) {
            self.matched = matched
            self.with_trace = with_trace
            self.without_trace = without_trace
            self.invalid_ids = invalid_ids
            self.limit_hits = limit_hits
        }
    }
}

// MARK: Figures

extension StatsDocument {
    /// Every number of the document as a ``Figure``: what `/metrics` emits, one for one, and,
    /// for those with a ``Figure/summary``, the totals the status page and `tracejoin status`
    /// list. The names and help texts are the Prometheus metrics' (`tracejoin_` + name).
    public var figures: [Figure] {
        // The fleet service has shards and nothing of a daemon's: no files, ingest or index.
        if !shards.isEmpty { return shardFigures }
        var out: [Figure] = []
        for (source, s) in sources.sorted(by: { $0.key < $1.key }) {
            out.append(.counter("lines_unmatched_total", "Lines no rule of the source matched", s.lines_unmatched,
                                labels: [("source", source)]))
            for (rule, c) in s.rules.sorted(by: { $0.key < $1.key }) {
                for (outcome, value) in [("matched", c.matched), ("with_trace", c.with_trace), ("without_trace", c.without_trace),
                                         ("invalid_id", c.invalid_ids), ("limit_hit", c.limit_hits)] {
                    out.append(.counter("rule_lines_total", "Lines per rule and outcome", value,
                                        labels: [("source", source), ("rule", rule), ("outcome", outcome)]))
                }
            }
        }
        for (key, value) in intake.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            out.append(.counter("intake_received_total", "Spans and OTLP log records stored, OTLP metric exports dropped, by protocol",
                                value, labels: [("kind", parts.first ?? ""), ("protocol", parts.count > 1 ? parts[1] : "")]))
        }
        out.append(.counter("quarantined_records_total", "Log records stored as raw text, not parsed, because parsing them stopped the daemon before",
                            quarantine.records, summary: "records quarantined"))
        out.append(.counter("quarantined_payloads_total", "Intake payloads refused because handling them stopped the daemon before",
                            quarantine.payloads, summary: "intake payloads quarantined"))
        for f in files {
            let labels = [("source", f.source), ("path", f.path)]
            out.append(.gauge("file_offset_bytes", "Bytes of the file committed to the index", f.offset, labels: labels))
            out.append(.gauge("file_lag_bytes", "Bytes written but not yet committed", f.lag_bytes, labels: labels))
            out.append(.counter("file_bytes_lost_total", "Bytes truncated away before they were read, with no copy found", f.bytes_lost, labels: labels))
            out.append(.counter("file_rotations_total", "Renames and truncations seen", f.rotations, labels: labels))
            out.append(.counter("file_lines_total", "Lines read", f.lines_read, labels: labels))
        }
        out.append(.gauge("ingest_paused_bool", "1 while the index refuses writes (e.g. a full disk) and ingest waits", (ingest.paused ? 1 : 0) as Int))
        out.append(.counter("index_failed_writes_total", "Ingest writes the index refused", ingest.failed_writes, summary: "index writes failed"))
        out.append(.gauge("index_used_bytes", "Bytes under the state directory: database, write-ahead log, segment files", retention.used_bytes))
        out.append(.gauge("index_damaged_blocks", "Blocks found damaged (checksum, truncation) and skipped by queries", index.damaged_blocks.count,
                          summary: "damaged blocks"))
        out.append(.counter("retention_deleted_total", "Records deleted by retention", retention.deleted_logs, labels: [("kind", "logs")]))
        out.append(.counter("retention_deleted_total", "Records deleted by retention", retention.deleted_spans, labels: [("kind", "spans")]))
        for e in export {
            let labels = [("target", e.target)]
            out.append(.gauge("export_lag_rows", "Rows stored locally and not yet acknowledged by the export target", e.lag_rows, labels: labels))
            out.append(.gauge("export_lag_seconds", "How long the oldest unexported row has waited", e.lag_seconds, labels: labels))
            for (kind, value) in [("logs", e.exported_logs), ("spans", e.exported_spans)] {
                out.append(.counter("export_rows_total", "Rows the export target acknowledged", value, labels: labels + [("kind", kind)]))
            }
            for (kind, value) in [("logs", e.export_lost_logs), ("spans", e.export_lost_spans)] {
                out.append(.counter("export_lost_total", "Rows retention deleted before they were exported", value, labels: labels + [("kind", kind)]))
            }
            out.append(.counter("export_failures_total", "Export batches refused or not delivered (retried)", e.failures, labels: labels))
        }
        out.append(.gauge("tail_descriptors_held", "Descriptors the tailer holds", tail.descriptors_held, summary: "descriptors held by the tailer"))
        out.append(.gauge("tail_waiting_for_descriptor_files", "Files that waited for a descriptor in the tailer's last pass",
                          tail.waiting_for_descriptor, summary: "files waiting for a descriptor"))
        out.append(.gauge("tail_lag_bytes", "Bytes written to the followed files but not yet committed, all files together",
                          tail.lag_bytes, summary: "tail lag"))
        return out
    }
}

extension StatsDocument {
    /// The fleet service's figures: its shards' state, reads and failures.
    var shardFigures: [Figure] {
        var out: [Figure] = []
        out.append(.gauge("fleet_shards_up", "Shards of the fleet whose last read or probe was answered", shards.filter { $0.state == "up" }.count,
                          summary: "shards up (of \(shards.count))"))
        for shard in shards {
            let labels = [("shard", shard.url)]
            out.append(.gauge("fleet_shard_up_bool", "1 while the shard's last read or probe was answered", (shard.state == "up" ? 1 : 0) as Int, labels: labels))
            out.append(.counter("fleet_shard_queries_total", "Reads (each one or more statements) and probes the fleet service sent the shard", shard.queries, labels: labels))
            out.append(.counter("fleet_shard_failures_total", "Reads and probes the shard failed or did not answer in time", shard.failures, labels: labels))
            out.append(.counter("fleet_shard_timeouts_total", "Reads and probes the shard did not answer within fleet.timeout", shard.timeouts, labels: labels))
            out.append(.gauge("fleet_shard_latency_seconds", "How long the shard's last read or probe took", shard.last_latency_seconds, labels: labels))
        }
        return out
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the document has no such key (one written by an
    /// older daemon). A key that is there with a value of the wrong type is still an error.
    func decode<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
