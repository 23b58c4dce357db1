import TracejoinAPI
import TracejoinSupport

/// The damaged blocks found since the daemon started, each recorded once.
public final class DamagedBlocks: Sendable {
    private let known = Locked<[Int64: DamagedBlock]>([:])

    public init() {}

    /// Records `block`; `true` the first time it is seen (so it is logged once).
    public func record(_ block: DamagedBlock) -> Bool {
        known.withLock { known in
            guard known[block.block] == nil else { return false }
            known[block.block] = block
            return true
        }
    }

    public func contains(_ block: Int64) -> Bool {
        known.withLock { $0[block] != nil }
    }

    public var all: [DamagedBlock] {
        known.withLock { $0.values.sorted { $0.block < $1.block } }
    }
}

extension DamagedBlocks: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.index.damaged_blocks = all
    }
}
