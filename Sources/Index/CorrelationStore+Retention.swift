import GRDB
import Logging
import TracejoinModel

// Retention's steps as the store runs them: the deletion in one short write turn
// (``Retention``), then the emptied segment files and the free pages given back.
extension CorrelationStore {
    /// What one retention step removed.
    public struct Pruned: Sendable, Equatable {
        public var logs = 0
        public var spans = 0
        public var blocks = 0
        /// Of those, the most any exporter had not sent yet (counted in its cursor as lost).
        public var unexported: (logs: Int64, spans: Int64) = (0, 0)
        public var isEmpty: Bool { logs == 0 && spans == 0 }
        public init(logs: Int = 0, spans: Int = 0, blocks: Int = 0) {
            self.logs = logs
            self.spans = spans
            self.blocks = blocks
        }

        mutating func add(_ other: Pruned) {
            logs += other.logs
            spans += other.spans
            blocks += other.blocks
            unexported = (unexported.logs + other.unexported.logs, unexported.spans + other.unexported.spans)
        }

        public static func == (a: Pruned, b: Pruned) -> Bool {
            a.logs == b.logs && a.spans == b.spans && a.blocks == b.blocks && a.unexported == b.unexported
        }
    }

    /// Deletes whole blocks whose newest record was ingested before `cutoff`, and up to
    /// `batch` spans received before it, in one short transaction: retention runs in small
    /// steps, so ingest never waits long.
    public func pruneOlderThan(_ cutoff: Int64, batch: Int = 5000) async throws -> Pruned {
        let pruned = try await deleteInWriterTurn { db in try self.retention.deleteOlderThan(cutoff, batch: batch, db) }
        try await afterDeleting()
        retention.record(pruned)
        return pruned
    }

    /// Deletes the oldest data: the oldest segment file's blocks (or, when blocks are kept in
    /// the database, the oldest `batch` records' blocks), and the spans received before the
    /// newest of them; when no block is left, the oldest `batch` spans.
    public func pruneOldest(batch: Int = 5000) async throws -> Pruned {
        let pruned = try await deleteInWriterTurn { db in try self.retention.deleteOldest(batch: batch, db) }
        try await afterDeleting()
        retention.record(pruned)
        return pruned
    }

    /// Everything retention deleted since the store was opened: by age, by size on the
    /// retention timer, and by size as blocks are written.
    public func deletedSoFar() -> Pruned {
        retention.deletedSoFar()
    }

    /// One retention step in a transaction, then, still in the writer's turn, the segment
    /// files it left empty removed: no commit can append a block to one of them in between
    /// (removing them after the turn could unlink a block committed there meanwhile).
    private func deleteInWriterTurn(_ step: @Sendable @escaping (Database) throws -> (pruned: Pruned, emptied: [Int64])) async throws -> Pruned {
        try await pool.writeWithoutTransaction { db in
            var result: (pruned: Pruned, emptied: [Int64])?
            try db.inTransaction {
                result = try step(db)
                return .commit
            }
            for segment in result!.emptied { self.blocks.segments.remove(segment) }
            return result!.pruned
        }
    }

    /// Gives freed space back to the file system: the database pages that deleted blocks left
    /// free (emptied segment files are removed in the step's own turn).
    func afterDeleting() async throws {
        try await pool.writeWithoutTransaction { db in
            if try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 > 0 {
                try db.execute(sql: "PRAGMA incremental_vacuum")
            }
        }
    }

    /// Bytes on disk: the database, its write-ahead log and shared memory, and every segment
    /// file. This, not the pages in use, is what `max_bytes` bounds.
    public func usedBytes() async throws -> Int64 {
        diskBytes()
    }

    func diskBytes() -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(blocks.segments.totalBytes()) { $0 + SegmentFiles.fileSize($1) }
    }

    /// Deletes the oldest data while the store is over `max_bytes` less one segment file
    /// (called after a write that sealed blocks, so the bound holds as blocks are written): the
    /// segment's worth of headroom is what the next commits may add before they are checked.
    func keepWithinMaxBytes() async throws {
        var used = diskBytes()
        var total = Pruned()
        let target = max(options.maxBytes / 2, options.maxBytes - blocks.segments.segmentBytes)
        while used > target {
            let step = try await pruneOldest()
            if step.isEmpty && step.blocks == 0 { break }
            total.add(step)
            used = diskBytes()
        }
        if total.blocks > 0 {
            logger.info("retention deleted the oldest blocks to stay within max_bytes",
                        metadata: ["logs": "\(total.logs)", "spans": "\(total.spans)", "used_bytes": "\(used)", "max_bytes": "\(options.maxBytes)"])
        }
    }
}
