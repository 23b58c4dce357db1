import Index
import Testing
import TracejoinAPI

/// The index's own status objects: whether it takes writes, and the blocks it found damaged,
/// each reporting its part of `/v1/stats`.
@Suite("The index's status")
struct IndexStatusTests {
    @Test func healthAndDamageReportTheirParts() {
        let health = IngestHealth()
        _ = health.failed("disk full", now: 0)
        let damage = DamagedBlocks()
        _ = damage.record(DamagedBlock(block: 3, file: "blocks/00000001.tjs", offset: 64, reason: "truncated", found: "2026-12-07T00:00:00Z"))
        let stats = StatsDocument([health, damage])
        #expect(stats.ingest.paused && stats.ingest.reason == "disk full" && stats.ingest.failed_writes == 1)
        #expect(stats.index.damaged_blocks.map(\.block) == [3])
    }

    /// A pause begins once and ends with the first write that succeeds; a block is recorded once.
    @Test func aPauseAndADamagedBlockAreEachCountedOnce() {
        let health = IngestHealth()
        #expect(health.succeeded() == nil)
        #expect(health.failed("disk full", now: 0))
        #expect(!health.failed("disk full", now: 1))
        #expect(health.status.pauses == 1 && health.status.failed_writes == 2 && health.status.since == "1970-01-01T00:00:00.000000000Z")
        let ended = health.succeeded()
        #expect(ended?.paused == true && ended?.reason == "disk full")
        #expect(!health.status.paused && health.status.reason == nil && health.status.since == nil)

        let damage = DamagedBlocks()
        let block = DamagedBlock(block: 5, file: nil, offset: 0, reason: "checksum", found: "2026-12-07T00:00:00Z")
        #expect(damage.record(block))
        #expect(!damage.record(block))
        #expect(damage.contains(5) && !damage.contains(6) && damage.all == [block])
    }
}
