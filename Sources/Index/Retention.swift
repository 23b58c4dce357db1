import GRDB
import Logging
import TracejoinModel
import TracejoinSupport

/// What retention deletes, one short step at a time: whole blocks (their catalog and
/// trace-index entries, through ``TraceCatalog``) and spans, by age or oldest first, after
/// counting against each export cursor what had not been sent yet (``ExportCursors``).
///
/// A step is one write turn of the store (``CorrelationStore/pruneOlderThan(_:batch:)``,
/// ``CorrelationStore/pruneOldest(batch:)``); the segment files it empties are removed by the
/// store after the step commits. Keeps the total deleted since the store was opened.
final class Retention: Sendable {
    typealias Pruned = CorrelationStore.Pruned

    let catalog: TraceCatalog
    let exports: ExportCursors
    let logger: Logger
    /// What retention deleted since the store was opened.
    private let deleted = Locked(Pruned())

    init(catalog: TraceCatalog, exports: ExportCursors, logger: Logger) {
        self.catalog = catalog
        self.exports = exports
        self.logger = logger
    }

    /// Deletes whole blocks whose newest record was ingested before `cutoff` (a few), and the
    /// span blocks (a few) whose newest span was received before it; returns what went and
    /// the segments left empty.
    func deleteOlderThan(_ cutoff: Int64, batch: Int, _ db: Database) throws -> (pruned: Pruned, emptied: [Int64]) {
        let few = max(1, batch / 1000)
        let blocks = try Row.fetchAll(db, sql: """
            SELECT id, records, segment, first_id, last_id FROM blocks WHERE max_ingested < ? ORDER BY id LIMIT ?
            """, arguments: [cutoff, few])
        let spanBlocks = try Row.fetchAll(db, sql: """
            SELECT id, spans, segment, first_seq, last_seq FROM span_blocks WHERE max_received < ? ORDER BY id LIMIT ?
            """, arguments: [cutoff, few])
        return try delete(blocks, spanBlocks, db)
    }

    /// Deletes the oldest data: the oldest segment file's blocks of lines and spans (or, when
    /// blocks are kept in the database, the oldest `batch` records' blocks), and the span
    /// blocks received before the newest of them; when no block of lines is left, the oldest
    /// span blocks. Returns what went and the segments left empty.
    func deleteOldest(batch: Int, _ db: Database) throws -> (pruned: Pruned, emptied: [Int64]) {
        var blocks: [Row]
        var spanBlocks: [Row] = []
        let columns = "id, records, segment, max_ingested, first_id, last_id"
        let spanColumns = "id, spans, segment, max_received, first_seq, last_seq"
        let spanSegment = try Int64.fetchOne(db, sql: "SELECT min(segment) FROM span_blocks")
        if let segment = try Int64.fetchOne(db, sql: "SELECT segment FROM blocks WHERE segment IS NOT NULL ORDER BY id LIMIT 1"),
           let firstInline = try Int64.fetchOne(db, sql: "SELECT coalesce(min(id), 9223372036854775807) FROM blocks WHERE segment IS NULL"),
           try Int64.fetchOne(db, sql: "SELECT min(id) FROM blocks WHERE segment = ?", arguments: [segment])! < firstInline {
            // The oldest segment holding lines, or an older one holding only spans.
            let oldest = min(segment, spanSegment ?? segment)
            blocks = try Row.fetchAll(db, sql: "SELECT \(columns) FROM blocks WHERE segment = ? ORDER BY id", arguments: [oldest])
            spanBlocks = try Row.fetchAll(db, sql: "SELECT \(spanColumns) FROM span_blocks WHERE segment = ? ORDER BY id", arguments: [oldest])
        } else if let spanSegment {
            // No sealed lines in a segment file (their blocks are tails, the newest lines):
            // the oldest segment of spans goes first.
            blocks = []
            spanBlocks = try Row.fetchAll(db, sql: "SELECT \(spanColumns) FROM span_blocks WHERE segment = ? ORDER BY id", arguments: [spanSegment])
        } else {
            blocks = []
            var records = 0
            for row in try Row.fetchAll(db, sql: "SELECT \(columns) FROM blocks ORDER BY id LIMIT 64") {
                guard records < batch else { break }
                records += row["records"] as Int
                blocks.append(row)
            }
        }
        let inSegment = Set(spanBlocks.map { $0["id"] as Int64 })
        if let newest = blocks.map({ $0["max_ingested"] as Int64 }).max() {
            spanBlocks += try Row.fetchAll(db, sql: "SELECT \(spanColumns) FROM span_blocks WHERE max_received <= ? ORDER BY id LIMIT 64",
                                           arguments: [newest]).filter { !inSegment.contains($0["id"]) }
        } else if spanBlocks.isEmpty {
            if let segment = try Int64.fetchOne(db, sql: "SELECT min(segment) FROM span_blocks") {
                spanBlocks = try Row.fetchAll(db, sql: "SELECT \(spanColumns) FROM span_blocks WHERE segment = ? ORDER BY id", arguments: [segment])
            } else {
                var spans = 0
                for row in try Row.fetchAll(db, sql: "SELECT \(spanColumns) FROM span_blocks ORDER BY id LIMIT 64") {
                    guard spans < batch else { break }
                    spans += row["spans"] as Int
                    spanBlocks.append(row)
                }
            }
        }
        return try delete(blocks, spanBlocks, db)
    }

    /// Deletes `blocks` and `spanBlocks` after counting what no exporter had sent.
    private func delete(_ blocks: [Row], _ spanBlocks: [Row], _ db: Database) throws -> (pruned: Pruned, emptied: [Int64]) {
        var pruned = Pruned()
        pruned.unexported = try exports.countUnexported(blocks: blocks, spanBlocks: spanBlocks, db)
        for row in blocks {
            try catalog.remove(row["id"], db)
            pruned.logs += row["records"] as Int
            pruned.blocks += 1
        }
        for row in spanBlocks {
            try SpanStore.removeBlock(row["id"], db)
            pruned.spans += row["spans"] as Int
            pruned.blocks += 1
        }
        let segments = (blocks + spanBlocks).compactMap { $0["segment"] as Int64? }
        return (pruned, try Self.emptiedSegments(segments, db))
    }

    /// Of `segments`, those no block of lines or spans is left in.
    static func emptiedSegments(_ segments: [Int64], _ db: Database) throws -> [Int64] {
        try Set(segments).filter { segment in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM blocks WHERE segment = ?1) + (SELECT count(*) FROM span_blocks WHERE segment = ?1)",
                             arguments: [segment]) == 0
        }.sorted()
    }

    /// Adds a committed step to the total, and warns when it deleted rows not yet exported.
    func record(_ pruned: Pruned) {
        deleted.withLock { $0.add(pruned) }
        guard pruned.unexported.logs > 0 || pruned.unexported.spans > 0 else { return }
        logger.warning("retention deleted rows the exporter had not sent yet (counted as export_lost): the target is behind or unreachable",
                       metadata: ["lines": "\(pruned.unexported.logs)", "spans": "\(pruned.unexported.spans)"])
    }

    /// Everything retention deleted since the store was opened.
    func deletedSoFar() -> Pruned {
        deleted.withLock { $0 }
    }
}
