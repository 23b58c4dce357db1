import Foundation
import Testing
import TracejoinModel

@testable import Tailing

/// Random write / partial write / rename-rotate / copytruncate / delete / recreate / restart
/// sequences against the tailer and a model: every line written is read exactly once. Seeded,
/// so a failure names its seed. Run over files held in memory (thousands of seeds, fast, and
/// with few descriptors to share) and over real files (real renames and truncations).
@Suite("Tailer against a model")
struct ModelTests {
    /// xorshift64*: reproducible across platforms and runs.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    enum Op: CustomStringConvertible {
        case write(Int), partial, pass(Int), renameRotate, lateWrite(Int), copyTruncate(passBetween: Bool), deleteOld, restart(crash: Bool)
        var description: String {
            switch self {
            case .write(let n): return "write(\(n))"
            case .partial: return "partial"
            case .pass(let n): return "pass(\(n))"
            case .renameRotate: return "renameRotate"
            case .lateWrite(let n): return "lateWrite(\(n))"
            case .copyTruncate(let p): return "copyTruncate(passBetween: \(p))"
            case .deleteOld: return "deleteOld"
            case .restart(let c): return "restart(crash: \(c))"
            }
        }
    }

    static func ops(seed: UInt64, count: Int) -> [Op] {
        var rng = Random(state: (seed &* 0x9E37_79B9_7F4A_7C15) | 1)
        return (0..<count).map { _ in
            switch rng.below(20) {
            case 0..<6: return .write(1 + rng.below(5))
            case 6..<8: return .partial
            case 8..<12: return .pass(1 + rng.below(3))
            case 12: return .renameRotate
            case 13: return .lateWrite(1 + rng.below(3))
            case 14, 15: return .copyTruncate(passBetween: rng.below(2) == 0)
            case 16: return .deleteOld
            default: return .restart(crash: rng.below(2) == 0)
            }
        }
    }

    @Test(arguments: 1...300)
    func everyLineExactlyOnceOnRealFiles(seed: Int) throws {
        let ops = Self.ops(seed: UInt64(seed), count: 40)
        let (duplicates, missing, extra) = try Self.run(seed: seed, ops: ops) { try TempDir() }
        if !duplicates.isEmpty || !missing.isEmpty, ProcessInfo.processInfo.environment["TRACEJOIN_SHRINK"] != nil {
            print("seed \(seed) minimal: \(try Self.shrink(seed: seed, ops: ops) { try TempDir() })")
        }
        #expect(duplicates.isEmpty, "seed \(seed): read twice: \(duplicates.prefix(5)); ops: \(ops)")
        #expect(missing.isEmpty, "seed \(seed): never read: \(missing.prefix(5)); ops: \(ops)")
        #expect(extra.isEmpty, "seed \(seed): read lines never written: \(extra.prefix(5))")
    }

    /// The same model over files in memory: 2,000 seeds of 60 operations, with between one and
    /// four descriptors to share (files then take turns). In four shards (seeds 1, 5, 9… in the
    /// first), which Swift Testing runs at once: the longest test of the suite, it otherwise kept
    /// one core busy for a minute after every other test had finished.
    @Test(arguments: 0..<4)
    func everyLineExactlyOnceInMemory(shard: Int) throws {
        for seed in stride(from: 1 + shard, through: 2000, by: 4) {
            let ops = Self.ops(seed: UInt64(seed), count: 60)
            let budget = 1 + seed % 4
            let (duplicates, missing, extra) = try Self.run(seed: seed, ops: ops, descriptorBudget: budget) { MemoryFiles() }
            if !duplicates.isEmpty || !missing.isEmpty {
                let minimal = try Self.shrink(seed: seed, ops: ops, descriptorBudget: budget) { MemoryFiles() }
                Issue.record("seed \(seed), \(budget) descriptors: read twice \(duplicates.prefix(5)), never read \(missing.prefix(5)); minimal ops: \(minimal)")
                return
            }
            #expect(extra.isEmpty, "seed \(seed): read lines never written: \(extra.prefix(5))")
        }
    }

    /// The shortest sub-sequence of `ops` that still fails, found by removing ops one at a time.
    static func shrink<Disk: ModelDisk>(seed: Int, ops: [Op], descriptorBudget: Int = 1000, disk: () throws -> Disk) throws -> [Op] {
        var current = ops
        var changed = true
        while changed {
            changed = false
            for i in current.indices.reversed() {
                var candidate = current
                candidate.remove(at: i)
                let (d, m, _) = try run(seed: seed, ops: candidate, descriptorBudget: descriptorBudget, disk: disk)
                if !d.isEmpty || !m.isEmpty {
                    current = candidate
                    changed = true
                }
            }
        }
        return current
    }

    static func run<Disk: ModelDisk>(seed: Int, ops: [Op], descriptorBudget: Int = 1000, disk: () throws -> Disk) throws
        -> (duplicates: [String], missing: [String], extra: [String])
    {
        let dir = try disk()
        let sink = MemorySink()
        let source = TailSource(name: "test", paths: [dir.url("app.log*")], parser: EchoParser(),
                                partialLineTimeout: .seconds(3600), rotateWait: .seconds(5))
        var driver = Driver(files: dir.files, sources: [source], sink: sink, descriptorBudget: descriptorBudget)
        var written: [String] = []
        var next = 0
        var partial: String?
        var rotated: [String] = []  // rotated file names, oldest first
        var rotations = 0
        var renamedRecently: String?
        var history: [Op] = []

        func line() -> String {
            next += 1
            return "seed\(seed)-line\(next)"
        }
        func completePartial() {
            if let p = partial {
                dir.append("app.log", String(p.dropFirst(p.count / 2)) + "\n")
                written.append(p)
                partial = nil
            }
        }

        for op in ops {
            history.append(op)
            switch op {
            case .write(let n):
                completePartial()
                var text = ""
                for _ in 0..<n {
                    let l = line()
                    written.append(l)
                    text += l + "\n"
                }
                dir.append("app.log", text)
                renamedRecently = nil
            case .partial:
                completePartial()
                let l = line()
                partial = l
                dir.append("app.log", String(l.prefix(l.count / 2)))
            case .pass(let n):
                for _ in 0..<n { driver.pass() }
            case .renameRotate:
                completePartial()
                guard dir.exists("app.log") else { continue }
                rotations += 1
                let name = "app.log.\(rotations)"
                dir.rename("app.log", name)
                rotated.append(name)
                renamedRecently = name
            case .lateWrite(let n):
                // A writer that still holds the renamed file open adds to it.
                guard let name = renamedRecently else { continue }
                var text = ""
                for _ in 0..<n {
                    let l = line()
                    written.append(l)
                    text += l + "\n"
                }
                dir.append(name, text)
            case .copyTruncate(let passBetween):
                completePartial()
                guard dir.exists("app.log") else { continue }
                rotations += 1
                let name = "app.log.\(rotations)"
                try dir.copy("app.log", name)
                if passBetween { driver.pass() }
                dir.truncate("app.log")
                rotated.append(name)
                renamedRecently = nil
            case .deleteOld:
                // logrotate deletes old files long after rotating them: by then they were read.
                guard let oldest = rotated.first else { continue }
                driver.drain()
                dir.remove(oldest)
                rotated.removeFirst()
                if renamedRecently == oldest { renamedRecently = nil }
            case .restart(let crash):
                driver.restart(crashBeforeCommit: crash)
            }
        }
        completePartial()
        driver.drain()

        let read = sink.messages
        let duplicates = Dictionary(grouping: read, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        let missing = Set(written).subtracting(read).sorted()
        return (duplicates, missing, Set(read).subtracting(written).sorted())
    }
}
