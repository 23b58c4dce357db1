import Foundation
import Logging
import Quarantine
import Testing
import TracejoinAPI
import TracejoinModel

/// The crash journal, driven as the daemon does: a "crash" is a journal left without
/// `closeCleanly()`, and the next start is a second journal opened on the same file (the
/// mapping is shared, so it reads what the first wrote, as a new process would).
@Suite("Crash journal")
struct CrashJournalTests {
    let directory: String
    var path: String { directory + "/crash-journal" }

    init() throws {
        directory = NSTemporaryDirectory() + "tj-journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func digest(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes(CrashJournal.digest) }

    func open(_ counters: QuarantineCounters = QuarantineCounters()) throws -> CrashJournal {
        try CrashJournal(path: path, counters: counters, logger: Logger(label: "test"))
    }

    @Test func aRecordBeingParsedWhenTheProcessStopsIsQuarantinedAtTheNextStart() throws {
        do {
            let first = try open()
            #expect(!first.foundAtStart.unclean)
            first.noteRecord(device: 3, inode: 7, offset: 100)
            first.clearRecord()
            first.noteRecord(device: 3, inode: 7, offset: 180)
            // The process crashes here, mid-parse (a trap: the signal handler sets the flag).
            first.markCrashed()
        }
        let counters = QuarantineCounters()
        let second = try open(counters)
        #expect(second.foundAtStart.unclean)
        #expect(second.foundAtStart.quarantined == [.record(device: 3, inode: 7, offset: 180)])
        #expect(second.verdict(device: 3, inode: 7, offset: 180) == .quarantined)
        #expect(second.verdict(device: 3, inode: 7, offset: 100) == .parse)
        #expect(second.verdict(device: 3, inode: 8, offset: 180) == .parse)
        second.quarantinedRecordMet(device: 3, inode: 7, offset: 180, path: "/x.log")
        #expect(counters.records.value == 1)
        // Until the record is committed (its file's checkpoint passes it), every start keeps it.
        second.closeCleanly()
        let third = try open()
        #expect(!third.foundAtStart.unclean)
        #expect(third.verdict(device: 3, inode: 7, offset: 180) == .quarantined)
        third.forgetRecords(before: [(device: 3, inode: 7, offset: 180)])
        #expect(third.verdict(device: 3, inode: 7, offset: 180) == .quarantined)
        third.forgetRecords(before: [(device: 3, inode: 7, offset: 260)])
        #expect(third.verdict(device: 3, inode: 7, offset: 180) == .parse)
    }

    /// `kill -9` (or the OOM killer) mid-parse sets no crash flag: the record is only a suspect,
    /// parsed again on probation; only a second death on it, on probation, sets it aside.
    @Test func aKillWithoutACrashAccusesNothingAtOnce() throws {
        do {
            let first = try open()
            first.noteRecord(device: 4, inode: 9, offset: 64)
        }
        let second = try open()
        #expect(second.foundAtStart.unclean && second.foundAtStart.quarantined.isEmpty)
        #expect(second.verdict(device: 4, inode: 9, offset: 64) == .probation)
        second.noteRecord(device: 4, inode: 9, offset: 64, probation: true)
        let third = try open()
        #expect(third.foundAtStart.quarantined == [.record(device: 4, inode: 9, offset: 64)])
    }

    @Test func aCleanStopAccusesNothing() throws {
        do {
            let first = try open()
            first.noteRecord(device: 1, inode: 2, offset: 0)
            first.closeCleanly()
        }
        let second = try open()
        #expect(!second.foundAtStart.unclean)
        #expect(second.verdict(device: 1, inode: 2, offset: 0) == .parse)
    }

    @Test func severalInputsInHandAreSuspectsAndOneOnProbationIsAccused() async throws {
        let payload = Array("{\"spans\": []}".utf8)
        let first = try open()
        first.noteRecord(device: 1, inode: 2, offset: 40)
        // A request is in flight while the record is parsed, and the process stops.
        let second = try await first.handlePayload(digest: digest(payload), size: payload.count) { try open() }
        #expect(second.foundAtStart.unclean)
        #expect(second.foundAtStart.quarantined.isEmpty)
        let expected: Set<CrashJournal.Item> = [.record(device: 1, inode: 2, offset: 40), .payload(digest(payload))]
        #expect(Set(second.foundAtStart.suspects) == expected)
        #expect(second.verdict(device: 1, inode: 2, offset: 40) == .probation)
        // The record, parsed on probation, stops the process again: now it is accused.
        second.noteRecord(device: 1, inode: 2, offset: 40, probation: true)
        let third = try open()
        #expect(third.foundAtStart.quarantined == [.record(device: 1, inode: 2, offset: 40)])
        #expect(third.verdict(device: 1, inode: 2, offset: 40) == .quarantined)
        // The payload is still a suspect: handled (on probation), not refused.
        let handled = try await third.handlePayload(digest: digest(payload), size: payload.count) { 42 }
        #expect(handled == 42)
    }

    @Test func aPayloadThatStoppedTheProcessIsRefusedWhenItComesAgain() async throws {
        let payload = Array("a poison payload".utf8)
        let first = try open()
        let counters = QuarantineCounters()
        let second = try await first.handlePayload(digest: digest(payload), size: payload.count) {
            first.markCrashed()
            return try open(counters)
        }
        #expect(second.foundAtStart.quarantined == [.payload(digest(payload))])
        await #expect(throws: CrashJournal.PayloadQuarantined.self) {
            try await second.handlePayload(digest: digest(payload), size: payload.count) { 1 }
        }
        #expect(counters.payloads.value == 1)
        // Other payloads pass, and a handled payload leaves nothing noted.
        let other = Array("another".utf8)
        _ = try await second.handlePayload(digest: digest(other), size: other.count) { 1 }
        let third = try open()
        #expect(third.foundAtStart.unclean && third.foundAtStart.quarantined.isEmpty && third.foundAtStart.suspects.isEmpty)
    }

    @Test func digestsAreStableAndSeeEveryByte() {
        let a = Array("0123456789abcdef-tail".utf8), b = Array("0123456789abcdef-tAil".utf8)
        let da = a.withUnsafeBytes(CrashJournal.digest), db = b.withUnsafeBytes(CrashJournal.digest)
        #expect(da != db)
        #expect(da == a.withUnsafeBytes(CrashJournal.digest))
        #expect([UInt8]().withUnsafeBytes(CrashJournal.digest) != [0].withUnsafeBytes(CrashJournal.digest))
    }

    @Test func aJournalOfAnotherSizeStartsEmpty() throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0xFF, count: 100)))
        let journal = try open()
        #expect(!journal.foundAtStart.unclean)
        #expect(journal.verdict(device: UInt64.max, inode: UInt64.max, offset: -1) == .parse)
    }
}
