import Foundation
import GRDB
import TracejoinModel

extension Index {
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
        let (pruned, emptied) = try await pool.write { db in
            let blocks = try Row.fetchAll(db, sql: """
                SELECT id, records, segment, first_id, last_id FROM blocks WHERE max_ingested < ? ORDER BY id LIMIT ?
                """, arguments: [cutoff, max(1, batch / 1000)])
            var pruned = Pruned()
            let spanPredicate = "id IN (SELECT id FROM spans WHERE received_ns < ? ORDER BY received_ns LIMIT ?)"
            pruned.unexported = try self.countUnexported(blocks: blocks, spanPredicate: spanPredicate, arguments: [cutoff, batch], db)
            for row in blocks {
                try self.deleteBlock(row["id"], db)
                pruned.logs += row["records"] as Int
                pruned.blocks += 1
            }
            try db.execute(sql: "DELETE FROM spans WHERE " + spanPredicate, arguments: [cutoff, batch])
            pruned.spans = db.changesCount
            return (pruned, try Self.emptiedSegments(blocks.compactMap { $0["segment"] as Int64? }, db))
        }
        try await afterDeleting(emptied, spans: pruned.spans)
        deleted.withLock { $0.add(pruned) }
        warnUnexported(pruned)
        return pruned
    }

    /// Deletes the oldest data: the oldest segment file's blocks (or, when blocks are kept in
    /// the database, the oldest `batch` records' blocks), and the spans received before the
    /// newest of them; when no block is left, the oldest `batch` spans.
    public func pruneOldest(batch: Int = 5000) async throws -> Pruned {
        let (pruned, emptied) = try await pool.write { db in
            var pruned = Pruned()
            var blocks: [Row]
            if let segment = try Int64.fetchOne(db, sql: "SELECT segment FROM blocks WHERE segment IS NOT NULL ORDER BY id LIMIT 1"),
               let firstInline = try Int64.fetchOne(db, sql: "SELECT coalesce(min(id), 9223372036854775807) FROM blocks WHERE segment IS NULL"),
               try Int64.fetchOne(db, sql: "SELECT min(id) FROM blocks WHERE segment = ?", arguments: [segment])! < firstInline {
                blocks = try Row.fetchAll(db, sql: "SELECT id, records, segment, max_ingested, first_id, last_id FROM blocks WHERE segment = ? ORDER BY id",
                                          arguments: [segment])
            } else {
                blocks = []
                var records = 0
                for row in try Row.fetchAll(db, sql: "SELECT id, records, segment, max_ingested, first_id, last_id FROM blocks ORDER BY id LIMIT 64") {
                    guard records < batch else { break }
                    records += row["records"] as Int
                    blocks.append(row)
                }
            }
            for row in blocks {
                try self.deleteBlock(row["id"], db)
                pruned.logs += row["records"] as Int
                pruned.blocks += 1
            }
            let (spanPredicate, arguments): (String, StatementArguments) = if let newest = blocks.map({ $0["max_ingested"] as Int64 }).max() {
                ("received_ns <= ?", [newest])
            } else {
                ("id IN (SELECT id FROM spans ORDER BY received_ns LIMIT ?)", [batch])
            }
            pruned.unexported = try self.countUnexported(blocks: blocks, spanPredicate: spanPredicate, arguments: arguments, db)
            try db.execute(sql: "DELETE FROM spans WHERE " + spanPredicate, arguments: arguments)
            pruned.spans = db.changesCount
            return (pruned, try Self.emptiedSegments(blocks.compactMap { $0["segment"] as Int64? }, db))
        }
        try await afterDeleting(emptied, spans: pruned.spans)
        deleted.withLock { $0.add(pruned) }
        warnUnexported(pruned)
        return pruned
    }

    func warnUnexported(_ pruned: Pruned) {
        guard pruned.unexported.logs > 0 || pruned.unexported.spans > 0 else { return }
        logger.warning("retention deleted rows the exporter had not sent yet (counted as export_lost): the target is behind or unreachable",
                       metadata: ["lines": "\(pruned.unexported.logs)", "spans": "\(pruned.unexported.spans)"])
    }

    /// Everything retention deleted since the index was opened: by age, by size on the
    /// retention timer, and by size as blocks are written.
    public func deletedSoFar() -> Pruned {
        deleted.withLock { $0 }
    }

    /// Of `segments`, those no block is left in.
    static func emptiedSegments(_ segments: [Int64], _ db: Database) throws -> [Int64] {
        try Set(segments).filter { segment in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM blocks WHERE segment = ?", arguments: [segment]) == 0
        }.sorted()
    }

    /// Gives freed space back to the file system: segment files no block is in any more, and
    /// the database pages that deleted spans and blocks left free.
    func afterDeleting(_ emptied: [Int64], spans: Int) async throws {
        for segment in emptied { segments.remove(segment) }
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
        [path, path + "-wal", path + "-shm"].reduce(segments.totalBytes()) { $0 + SegmentFiles.fileSize($1) }
    }

    /// Deletes the oldest data while the index is over `max_bytes` less one segment file
    /// (called after a write that sealed blocks, so the bound holds as blocks are written): the
    /// segment's worth of headroom is what the next commits may add before they are checked.
    func keepWithinMaxBytes() async throws {
        var used = diskBytes()
        var total = Pruned()
        let target = max(options.maxBytes / 2, options.maxBytes - segments.segmentBytes)
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
