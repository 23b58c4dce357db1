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

    /// Deletes whole blocks whose newest record was ingested before `cutoff` (a few), and up to
    /// `batch` spans received before it; returns what went and the segments left empty.
    func deleteOlderThan(_ cutoff: Int64, batch: Int, _ db: Database) throws -> (pruned: Pruned, emptied: [Int64]) {
        let blocks = try Row.fetchAll(db, sql: """
            SELECT id, records, segment, first_id, last_id FROM blocks WHERE max_ingested < ? ORDER BY id LIMIT ?
            """, arguments: [cutoff, max(1, batch / 1000)])
        var pruned = Pruned()
        let spanPredicate = "id IN (SELECT id FROM spans WHERE received_ns < ? ORDER BY received_ns LIMIT ?)"
        pruned.unexported = try exports.countUnexported(blocks: blocks, spanPredicate: spanPredicate, arguments: [cutoff, batch], db)
        for row in blocks {
            try catalog.remove(row["id"], db)
            pruned.logs += row["records"] as Int
            pruned.blocks += 1
        }
        try db.execute(sql: "DELETE FROM spans WHERE " + spanPredicate, arguments: [cutoff, batch])
        pruned.spans = db.changesCount
        return (pruned, try Self.emptiedSegments(blocks.compactMap { $0["segment"] as Int64? }, db))
    }

    /// Deletes the oldest data: the oldest segment file's blocks (or, when blocks are kept in
    /// the database, the oldest `batch` records' blocks), and the spans received before the
    /// newest of them; when no block is left, the oldest `batch` spans. Returns what went and
    /// the segments left empty.
    func deleteOldest(batch: Int, _ db: Database) throws -> (pruned: Pruned, emptied: [Int64]) {
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
            try catalog.remove(row["id"], db)
            pruned.logs += row["records"] as Int
            pruned.blocks += 1
        }
        let (spanPredicate, arguments): (String, StatementArguments) = if let newest = blocks.map({ $0["max_ingested"] as Int64 }).max() {
            ("received_ns <= ?", [newest])
        } else {
            ("id IN (SELECT id FROM spans ORDER BY received_ns LIMIT ?)", [batch])
        }
        pruned.unexported = try exports.countUnexported(blocks: blocks, spanPredicate: spanPredicate, arguments: arguments, db)
        try db.execute(sql: "DELETE FROM spans WHERE " + spanPredicate, arguments: arguments)
        pruned.spans = db.changesCount
        return (pruned, try Self.emptiedSegments(blocks.compactMap { $0["segment"] as Int64? }, db))
    }

    /// Of `segments`, those no block is left in.
    static func emptiedSegments(_ segments: [Int64], _ db: Database) throws -> [Int64] {
        try Set(segments).filter { segment in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM blocks WHERE segment = ?", arguments: [segment]) == 0
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
