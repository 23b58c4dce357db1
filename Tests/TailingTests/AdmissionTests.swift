import Foundation
import Testing
import TracejoinModel

@testable import Tailing

/// Taking up new files at scale (issue 24: `paths: ["/**"]` found ~20,000 files and admission
/// was quadratic in them). These check that what is decided is right with that many; speed is
/// measured by benchmarks, never asserted here.
@Suite("Admitting candidates")
struct AdmissionTests {
    typealias State = FileTracker.TrackedFile.State

    static let source = TailSource(name: "test", paths: ["/scale/**"], parser: EchoParser())

    static func candidate(_ path: String, inode: UInt64, _ text: String) -> (Candidate, prefix: [UInt8]) {
        let bytes = Array(text.utf8)
        let status = FileStatus(identity: FileIdentity(device: 1, inode: inode), size: Int64(bytes.count), modified: 0)
        return (Candidate(path: path, source: "test", status: status, firstScan: false),
                Array(bytes.prefix(Fingerprint.maxLength)))
    }

    static func id(_ inode: UInt64) -> FileIdentity { FileIdentity(device: 1, inode: inode) }

    static func number(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// 20,000 candidates in one admission, over 8,500 files followed already: copies of
    /// followed files (whole, still being written, and a followed file's start grown), copies
    /// among the candidates themselves, copies of truncated files, files moved while stopped,
    /// files continuing their own checkpoint, and files still waiting for their first line.
    @Test func twentyThousandCandidatesAreEachDecidedAsOneAtATimeWould() {
        var tracker = FileTracker()
        _ = tracker.setSources([Self.source])
        let moment = Moment(now: ContinuousClock.now, wall: 1_700_000_000_000_000_000)
        // Every shell script starts alike: one first line shared by thousands of files.
        func original(_ m: Int) -> String { "#!/bin/sh\necho original \(Self.number(m))\n" }

        // Followed already: 8,500 files, of which the last 500 are then truncated.
        let followed = (0..<8_500).map { m in Self.candidate("/scale/followed/\(Self.number(m)).sh", inode: 100_000 + UInt64(m), original(m)) }
        let followedTaken = tracker.admit(followed, at: moment)
        #expect(followedTaken.count == 8_500)
        for m in 8_000..<8_500 {
            let identity = Self.id(100_000 + UInt64(m))
            let look = Look(status: FileStatus(identity: identity, size: 0, modified: 1), prefix: [], atPath: identity)
            _ = tracker.look(identity, look, at: moment)
        }

        // Checkpoints from before a restart: of files moved since (another identity), and of
        // files that are still where they were.
        var checkpoints: [FileCheckpoint] = []
        func moved(_ n: Int) -> String { "moved \(Self.number(n))\n" + String(repeating: "x", count: n % 900) + "\n" }
        func own(_ n: Int) -> String { "own \(Self.number(n))\n" + String(repeating: "y", count: n % 700) + "\n" }
        for n in 0..<2_000 {
            let m = Array(moved(n).utf8)
            let fm = Fingerprint.of(m)
            checkpoints.append(FileCheckpoint(path: "/scale/old/moved-\(n).log", device: 9, inode: 900_000 + UInt64(n), offset: 7,
                                              fingerprint: fm.hash, fingerprintLength: fm.length))
            let o = Array(own(n).utf8)
            let fo = Fingerprint.of(o)
            checkpoints.append(FileCheckpoint(path: "/scale/own/\(n).log", device: 1, inode: 500_000 + UInt64(n), offset: 3,
                                              fingerprint: fo.hash, fingerprintLength: fo.length))
        }
        tracker.restore(checkpoints)

        var candidates: [(Candidate, prefix: [UInt8])] = []
        // 3,000 new scripts, each with a whole copy (same size: the base name is the original).
        for n in 0..<3_000 {
            let text = "#!/bin/sh\necho new \(Self.number(n))\n"
            candidates.append(Self.candidate("/scale/new/\(Self.number(n)).sh", inode: 200_000 + UInt64(n), text))
            candidates.append(Self.candidate("/scale/new/\(Self.number(n)).sh.1", inode: 210_000 + UInt64(n), text))
        }
        // 4,000 copies of followed files still being written (their last newline not there yet).
        for m in 0..<4_000 {
            candidates.append(Self.candidate("/scale/copying/\(m)", inode: 300_000 + UInt64(m), String(original(m).dropLast())))
        }
        // 4,000 files that start with the whole of a followed file (it held less when last looked at).
        for m in 4_000..<8_000 {
            candidates.append(Self.candidate("/scale/grown/\(m)", inode: 300_000 + UInt64(m), original(m) + "more\n"))
        }
        // 500 copies of the truncated files (copytruncate).
        for m in 8_000..<8_500 {
            candidates.append(Self.candidate("/scale/truncated/\(m)", inode: 300_000 + UInt64(m), original(m)))
        }
        // 2,000 moved while stopped, 2,000 where they were.
        for n in 0..<2_000 {
            candidates.append(Self.candidate("/scale/moved/\(n).log", inode: 400_000 + UInt64(n), moved(n)))
            candidates.append(Self.candidate("/scale/own/\(n).log", inode: 500_000 + UInt64(n), own(n)))
        }
        // 1,500 without a whole line yet: they wait.
        for n in 0..<1_500 {
            candidates.append(Self.candidate("/scale/partial/\(n).log", inode: 600_000 + UInt64(n), "partial \(n)"))
        }
        #expect(candidates.count == 20_000)

        let taken = Set(tracker.admit(candidates.shuffled(), at: moment))
        #expect(taken.count == 18_500)

        var wrong: [String] = []
        func check(_ inode: UInt64, _ state: State?, offset: Int64 = 0, _ what: String) {
            let file = tracker.file(Self.id(inode))
            if file?.state != state || (file != nil && file!.position.resume != offset) || taken.contains(Self.id(inode)) != (state != nil) {
                wrong.append("\(what) \(inode): \(String(describing: file?.state)) at \(String(describing: file?.position.resume))")
            }
        }
        for n in 0..<3_000 {
            check(200_000 + UInt64(n), .live, "new")
            check(210_000 + UInt64(n), .copy(of: Self.id(200_000 + UInt64(n))), "whole copy")
        }
        for m in 0..<8_000 { check(300_000 + UInt64(m), .copy(of: Self.id(100_000 + UInt64(m))), m < 4_000 ? "copying" : "grown") }
        for m in 8_000..<8_500 { check(300_000 + UInt64(m), .rotated, "copy of a truncated file") }
        for n in 0..<2_000 {
            check(400_000 + UInt64(n), .live, offset: 7, "moved")
            check(500_000 + UInt64(n), .live, offset: 3, "own checkpoint")
        }
        for n in 0..<1_500 { check(600_000 + UInt64(n), nil, "partial") }
        #expect(wrong.isEmpty, "\(wrong.count) decided otherwise, e.g. \(wrong.prefix(5))")
        #expect(tracker.followed().count == 8_500 + 18_500)
    }

    /// Random starts over a tiny alphabet (so that many are prefixes of others and most share
    /// a first line), admitted in two rounds: each candidate's fate is what comparing it with
    /// every live file, in the order admission takes them, decides.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func copiesAreFoundAsComparingWithEveryLiveFileWould(seed: UInt64) {
        var rng = ModelTests.Random(state: (seed &* 0x9E37_79B9_7F4A_7C15) | 1)
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "b"), 0x0A]
        var tracker = FileTracker()
        _ = tracker.setSources([Self.source])
        let moment = Moment(now: ContinuousClock.now, wall: 0)
        var live: [(FileIdentity, [UInt8])] = []
        var inode: UInt64 = 0
        for _ in 0..<2 {
            var round: [(Candidate, prefix: [UInt8])] = []
            for _ in 0..<300 {
                inode += 1
                let bytes = (0..<(1 + rng.below(12))).map { _ in alphabet[rng.below(3)] }
                let status = FileStatus(identity: Self.id(inode), size: Int64(bytes.count), modified: 0)
                round.append((Candidate(path: "/scale/f\(Self.number(Int(inode)))", source: "test", status: status, firstScan: false), bytes))
            }
            _ = tracker.admit(round, at: moment)
            // The reference: larger first, then by path; each compared with every live file.
            var expected: [FileIdentity: State?] = [:]
            for (candidate, prefix) in round.sorted(by: { (-$0.0.status.size, $0.0.path) < (-$1.0.status.size, $1.0.path) }) {
                let identity = candidate.status.identity
                if !prefix.contains(0x0A) {
                    expected.updateValue(nil, forKey: identity)
                } else if let original = live.filter({ Fingerprint.isCopy(prefix, of: $0.1) }).map(\.0).min() {
                    expected[identity] = State.copy(of: original)
                } else {
                    expected[identity] = State.live
                    live.append((identity, prefix))
                }
            }
            for (identity, state) in expected {
                #expect(tracker.file(identity)?.state == state, "seed \(seed), file \(identity)")
            }
        }
    }
}
