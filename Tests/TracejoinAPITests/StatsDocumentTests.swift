import Foundation
import Testing
import TracejoinAPI

/// `/v1/stats` composed from the stages' reports, and the figures every reader renders from it.
@Suite("Stats document")
struct StatsDocumentTests {
    /// A tailer's report: two files and its descriptors.
    struct Tail: StatusReporting {
        func report(into stats: inout StatsDocument) {
            stats.files = [file("/var/log/a.log", lag: 100), file("/var/log/b.log", lag: 20)]
            stats.tail.descriptors_held = 2
            stats.tail.waiting_for_descriptor = 1
        }

        func file(_ path: String, lag: Int64) -> TailedFileStatus {
            TailedFileStatus(path: path, source: "app", device: "1", inode: "2", fingerprint: "00", fingerprint_bytes: 0, offset: 1_000,
                             size: 1_000 + lag, lag_bytes: lag, lines_read: 10, lines_cut: 0, bytes_lost: 0, state: "live",
                             rotations: 0, last_rotation: nil, last_rotation_at: nil)
        }
    }

    /// An index's report: one damaged block.
    struct Damage: StatusReporting {
        func report(into stats: inout StatsDocument) {
            stats.index.damaged_blocks = [DamagedBlock(block: 7, file: nil, offset: 0, reason: "checksum", found: "2026-12-07T00:00:00Z")]
        }
    }

    /// What a daemon of an earlier version wrote (before `tail.lag_bytes`, with no `export` or
    /// `quarantine`): `tracejoin status` still reads it, the missing parts empty.
    @Test func aDocumentWithoutNewerKeysDecodes() throws {
        let older = #"""
            {"sources": {"app": {"lines_unmatched": 4, "rules": {}}}, "files": [],
             "tail": {"descriptors_held": 3, "waiting_for_descriptor": 0},
             "retention": {"used_bytes": 1, "max_bytes": 10, "max_age_seconds": 60, "deleted_logs": 0, "deleted_spans": 0},
             "ingest": {"paused": false, "pauses": 0, "failed_writes": 0}, "index": {"damaged_blocks": []}, "intake": {"spans.ndjson": 2}}
            """#
        let stats = try JSONDecoder().decode(StatsDocument.self, from: Data(older.utf8))
        #expect(stats.sources["app"]?.lines_unmatched == 4)
        #expect(stats.tail.descriptors_held == 3 && stats.tail.lag_bytes == 0)
        #expect(stats.intake == ["spans.ndjson": 2] && stats.export.isEmpty && stats.quarantine.records == 0)
        // A key that is there with the wrong type is still refused.
        let wrong = older.replacingOccurrences(of: #""descriptors_held": 3"#, with: #""descriptors_held": "three""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StatsDocument.self, from: Data(wrong.utf8)) }
    }

    @Test func eachReporterFillsItsOwnPart() throws {
        let quarantine = QuarantineCounters()
        quarantine.records.add(3)
        let stats = StatsDocument([Tail(), Damage(), quarantine])
        #expect(stats.files.map(\.path) == ["/var/log/a.log", "/var/log/b.log"])
        #expect(stats.tail.descriptors_held == 2 && stats.tail.waiting_for_descriptor == 1)
        #expect(stats.index.damaged_blocks.map(\.block) == [7])
        #expect(stats.quarantine.records == 3 && stats.quarantine.payloads == 0)
        // Parts no reporter filled stay empty.
        #expect(stats.sources.isEmpty && stats.export.isEmpty && !stats.ingest.paused)

        // The CLI reads what the server encodes.
        let read = try JSONDecoder().decode(StatsDocument.self, from: JSONEncoder().encode(stats))
        #expect(read.files == stats.files && read.index.damaged_blocks == stats.index.damaged_blocks && read.quarantine.records == 3)
    }

    /// The counters several stages share report here; the index's health and damaged blocks
    /// report from the Index target (IndexTests, "The index's status").
    @Test func theSharedCountersReportTheirParts() {
        let intake = IntakeCounters()
        intake.counter("spans", "otlp_grpc").add(4)
        let stats = StatsDocument([intake])
        #expect(stats.intake == ["spans.otlp_grpc": 4])
        #expect(StatusHistory.sample(of: stats, now: 1).spans == 4)
    }

    @Test func theJSONKeepsItsFieldNames() throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(StatsDocument([Tail(), Damage()]))) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["sources", "files", "tail", "retention", "ingest", "index", "intake", "export", "quarantine", "shards"])
        let tail = json?["tail"] as? [String: Any]
        #expect(tail?["descriptors_held"] as? Int == 2 && tail?["waiting_for_descriptor"] as? Int == 1)
    }

    @Test func theFiguresCarryEveryFieldOnce() throws {
        let figures = StatsDocument([Tail(), Damage()]).figures
        let damaged = try #require(figures.first { $0.name == "index_damaged_blocks" })
        #expect(damaged.value == .integer(1) && damaged.kind == .gauge && damaged.summary == "damaged blocks" && damaged.text == "1")
        let lags = figures.filter { $0.name == "file_lag_bytes" }
        #expect(lags.map(\.value) == [.integer(100), .integer(20)])
        #expect(lags.first.map { $0.labels.map { $0.1 } } == ["app", "/var/log/a.log"])
        #expect(figures.first { $0.name == "tail_waiting_for_descriptor_files" }?.summary != nil)
        // A figure without labels appears once; per-file figures once per file.
        #expect(figures.filter { $0.name == "ingest_paused_bool" }.count == 1)
        #expect(figures.first { $0.name == "ingest_paused_bool" }?.text == "no")
        // A daemon has no shards: no fleet figure, not even a zero.
        #expect(!figures.contains { $0.name.hasPrefix("fleet_") })
    }

    @Test func theRulesDocumentCountsItsFilesByStatus() {
        func file(_ name: String, _ status: String) -> RuleFileStatus {
            RuleFileStatus(file: name, status: status, source: nil, rules: [], error: nil, warnings: [], loaded_at: nil,
                           checked_at: "2026-12-07T00:00:00Z", in_force: status == "ok")
        }
        let figures = RulesDocument(files: [file("a.yaml", "ok"), file("b.yaml", "error"), file("c.yaml", "ok")]).figures
        #expect(figures.map(\.value) == [.integer(2), .integer(1)])
        #expect(figures.map { $0.labels.first?.1 } == ["ok", "error"])
    }

    @Test func aSampleIsTakenFromTheComposedDocument() {
        let sample = StatusHistory.sample(of: StatsDocument([Tail(), Damage()]), now: 42)
        #expect(sample.time == 42 && sample.lag_bytes == 120 && sample.damaged_blocks == 1 && sample.spans == 0)
    }
}
