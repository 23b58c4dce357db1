import TracejoinAPI
import TracejoinSupport

/// The damaged blocks found since the daemon started, each recorded once.
public final class DamagedBlocks: Sendable {
    private let known = Locked<[Key: DamagedBlock]>([:])

    /// Lines' and spans' blocks are numbered apart.
    public enum Kind: Sendable { case lines, spans }

    private struct Key: Hashable {
        var spans: Bool
        var block: Int64
        init(_ block: DamagedBlock) { self.init(block.block, block.kind == "spans" ? .spans : .lines) }
        init(_ block: Int64, _ kind: Kind) {
            self.block = block
            spans = kind == .spans
        }
    }

    public init() {}

    /// Records `block`; `true` the first time it is seen (so it is logged once).
    public func record(_ block: DamagedBlock) -> Bool {
        known.withLock { known in
            guard known[Key(block)] == nil else { return false }
            known[Key(block)] = block
            return true
        }
    }

    public func contains(_ block: Int64, kind: Kind = .lines) -> Bool {
        known.withLock { $0[Key(block, kind)] != nil }
    }

    public var all: [DamagedBlock] {
        known.withLock { $0.values.sorted { ($0.kind ?? "", $0.block) < ($1.kind ?? "", $1.block) } }
    }
}

extension DamagedBlocks: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.index.damaged_blocks = all
    }
}
