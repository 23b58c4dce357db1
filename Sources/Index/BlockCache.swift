import TracejoinModel
import TracejoinSupport

/// The most recently read blocks, decoded: newest-first searches and follows read the same
/// newest blocks again and again. Least recently used goes first.
final class BlockCache<Block: Sendable>: Sendable {
    /// A block, or one trace group of a block (its offset in the block; -1 for the whole).
    struct Key: Hashable, Sendable {
        var block: Int64
        var part: Int64 = -1
    }

    private let entries = Locked<(blocks: [Key: (block: Block, used: UInt64)], clock: UInt64)>(([:], 0))
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func get(_ id: Key) -> Block? {
        entries.withLock { state in
            guard let hit = state.blocks[id] else { return nil }
            state.clock += 1
            state.blocks[id] = (hit.block, state.clock)
            return hit.block
        }
    }

    func put(_ id: Key, _ block: Block) {
        entries.withLock { state in
            state.clock += 1
            state.blocks[id] = (block, state.clock)
            if state.blocks.count > capacity, let oldest = state.blocks.min(by: { $0.value.used < $1.value.used })?.key {
                state.blocks[oldest] = nil
            }
        }
    }
}
