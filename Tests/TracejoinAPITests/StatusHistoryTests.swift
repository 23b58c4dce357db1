import Testing
@testable import TracejoinAPI

/// The history is a ring: the newest `capacity` samples, oldest first.
@Suite("Status history ring")
struct StatusHistoryTests {
    static func times(_ history: StatusHistory) -> [Int64] { history.samples().map(\.time) }

    @Test func keepsEverySampleUntilFull() {
        let history = StatusHistory(capacity: 3)
        #expect(Self.times(history).isEmpty)
        history.record(StatusSample(time: 1))
        history.record(StatusSample(time: 2))
        #expect(Self.times(history) == [1, 2])
        history.record(StatusSample(time: 3))
        #expect(Self.times(history) == [1, 2, 3])
    }

    @Test func dropsTheOldestOnceFull() {
        let history = StatusHistory(capacity: 3)
        for t in 1...4 { history.record(StatusSample(time: Int64(t))) }
        #expect(Self.times(history) == [2, 3, 4])
        history.record(StatusSample(time: 5))
        #expect(Self.times(history) == [3, 4, 5])
        // Round the ring twice more: still oldest first.
        for t in 6...11 { history.record(StatusSample(time: Int64(t))) }
        #expect(Self.times(history) == [9, 10, 11])
    }

    @Test func aCapacityBelowOneKeepsOne() {
        let history = StatusHistory(capacity: 0)
        #expect(history.capacity == 1)
        history.record(StatusSample(time: 1))
        history.record(StatusSample(time: 2))
        #expect(Self.times(history) == [2])
    }

    @Test func samplesKeepTheirValues() {
        let history = StatusHistory(capacity: 2)
        let sample = StatusSample(time: 7, lines: ["app": 3], spans: 4, lag_bytes: 5, used_bytes: 6, max_bytes: 8, rss_bytes: 9,
                                  quarantined: 10, damaged_blocks: 11)
        history.record(sample)
        #expect(history.samples() == [sample])
    }

    @Test func sumsSaturateInsteadOfTrapping() {
        #expect(StatusHistory.saturatingSum(Int.max, 1) == Int.max)
        #expect(StatusHistory.saturatingSum(Int.min, -1) == Int.min)
        #expect(StatusHistory.saturatingSum(Int64.max - 1, 1) == Int64.max)
        #expect(StatusHistory.saturatingSum(2, 3) == 5)
    }

    @Test func residentMemoryIsReadOnLinux() {
        #if os(Linux)
        #expect(StatusHistory.residentBytes() > 0)
        #endif
    }
}
