import Hummingbird
import Prometheus
import TracejoinModel

/// `GET /metrics`: the daemon's counters in the Prometheus text format (swift-prometheus). A
/// registry is filled from the current snapshot on each scrape, so the values are exactly what
/// `/v1/stats` shows.
enum MetricsRoute {
    /// `tracejoin_<name>` with its help text; the part after the last `_` is the unit.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        let cut = name.lastIndex(of: "_")!
        return MetricNameDescriptor(
            namespace: "tracejoin", subsystem: "", metricName: String(name[..<cut]), unitName: String(name[name.index(after: cut)...]),
            helpText: help)
    }

    static func response(_ status: any DaemonStatus) -> Response {
        let registry = PrometheusCollectorRegistry()
        for (source, s) in status.counters.snapshot() {
            registry.makeCounter(descriptor: descriptor("lines_unmatched_total", "Lines no rule of the source matched"), labels: [("source", source)]).increment(by: Int64(s.unmatched))
            for (rule, c) in s.rules {
                for (outcome, value) in [("matched", c.matched.value), ("with_trace", c.withTrace.value), ("without_trace", c.withoutTrace.value),
                                         ("invalid_id", c.invalidIDs.value), ("limit_hit", c.limitHits.value)] {
                    registry.makeCounter(descriptor: descriptor("rule_lines_total", "Lines per rule and outcome"), labels: [("source", source), ("rule", rule), ("outcome", outcome)]).increment(by: Int64(value))
                }
            }
        }
        for (key, value) in status.counters.intake.snapshot() {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            registry.makeCounter(descriptor: descriptor("intake_received_total", "Spans and OTLP log records stored, OTLP metric exports dropped, by protocol"),
                                 labels: [("kind", parts[0]), ("protocol", parts.count > 1 ? parts[1] : "")]).increment(by: Int64(value))
        }
        registry.makeCounter(descriptor: descriptor("quarantined_records_total", "Log records stored as raw text, not parsed, because parsing them stopped the daemon before"))
            .increment(by: Int64(status.counters.quarantine.records.value))
        registry.makeCounter(descriptor: descriptor("quarantined_payloads_total", "Intake payloads refused because handling them stopped the daemon before"))
            .increment(by: Int64(status.counters.quarantine.payloads.value))
        for f in status.tailedFiles() {
            let labels = [("source", f.source), ("path", f.path)]
            registry.makeGauge(descriptor: descriptor("file_offset_bytes", "Bytes of the file committed to the index"), labels: labels).set(Int64(f.offset))
            registry.makeGauge(descriptor: descriptor("file_lag_bytes", "Bytes written but not yet committed"), labels: labels).set(Int64(f.lag_bytes))
            registry.makeCounter(descriptor: descriptor("file_bytes_lost_total", "Bytes truncated away before they were read, with no copy found"), labels: labels).increment(by: f.bytes_lost)
            registry.makeCounter(descriptor: descriptor("file_rotations_total", "Renames and truncations seen"), labels: labels).increment(by: Int64(f.rotations))
            registry.makeCounter(descriptor: descriptor("file_lines_total", "Lines read"), labels: labels).increment(by: Int64(f.lines_read))
        }
        let ingest = status.ingest()
        registry.makeGauge(descriptor: descriptor("ingest_paused_bool", "1 while the index refuses writes (e.g. a full disk) and ingest waits")).set(Int64(ingest.paused ? 1 : 0))
        registry.makeCounter(descriptor: descriptor("index_failed_writes_total", "Ingest writes the index refused")).increment(by: Int64(ingest.failed_writes))
        let retention = status.retention()
        registry.makeGauge(descriptor: descriptor("index_used_bytes", "Bytes under the state directory: database, write-ahead log, segment files")).set(retention.used_bytes)
        registry.makeGauge(descriptor: descriptor("index_damaged_blocks", "Blocks found damaged (checksum, truncation) and skipped by queries"))
            .set(Int64(status.damagedBlocks().count))
        registry.makeCounter(descriptor: descriptor("retention_deleted_total", "Records deleted by retention"), labels: [("kind", "logs")]).increment(by: Int64(retention.deleted_logs))
        registry.makeCounter(descriptor: descriptor("retention_deleted_total", "Records deleted by retention"), labels: [("kind", "spans")]).increment(by: Int64(retention.deleted_spans))
        for e in status.exports() {
            let labels = [("target", e.target)]
            registry.makeGauge(descriptor: descriptor("export_lag_rows", "Rows stored locally and not yet acknowledged by the export target"), labels: labels).set(e.lag_rows)
            registry.makeGauge(descriptor: descriptor("export_lag_seconds", "How long the oldest unexported row has waited"), labels: labels).set(e.lag_seconds)
            for (kind, value) in [("logs", e.exported_logs), ("spans", e.exported_spans)] {
                registry.makeCounter(descriptor: descriptor("export_rows_total", "Rows the export target acknowledged"), labels: labels + [("kind", kind)]).increment(by: value)
            }
            for (kind, value) in [("logs", e.export_lost_logs), ("spans", e.export_lost_spans)] {
                registry.makeCounter(descriptor: descriptor("export_lost_total", "Rows retention deleted before they were exported"), labels: labels + [("kind", kind)]).increment(by: value)
            }
            registry.makeCounter(descriptor: descriptor("export_failures_total", "Export batches refused or not delivered (retried)"), labels: labels).increment(by: e.failures)
        }
        let files = status.ruleFiles()
        for state in ["ok", "error"] {
            registry.makeGauge(descriptor: descriptor("rule_files", "Rule files by load status"), labels: [("status", state)])
                .set(Int64(files.filter { $0.status == state }.count))
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: registry.emitToString())))
    }
}
