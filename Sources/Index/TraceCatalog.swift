import GRDB
import TracejoinModel

/// The catalog of blocks and the trace index: what a search asks before it reads a block.
///
/// The catalog (`blocks`) has a row per block: its id range, ingest-time range, record count,
/// a 64-bit mask each of the levels, sources and rules present, its sizes, and where it is (a
/// segment file and offset, or, for a tail block, its bytes in the row). The trace index
/// (`block_traces (trace_lo, block, lines)`) has a row per trace and block, not per line: a
/// trace lookup is one probe, then a read of its few blocks.
///
/// Holds no state; the database turn comes from the store (``CorrelationStore``).
struct TraceCatalog: Sendable {
    /// Blocks one search chooses at most from the catalog (besides ``LogSearch/maxRecordsPerSearch``).
    static let maxBlocksPerSearch = 4096

    // MARK: Writing

    /// Adds a block's catalog row and its trace-index entries. `bytes` go in the row when the
    /// block has no `place` in a segment file.
    func add(_ bytes: [UInt8], _ summary: BlockSummary, sealed: Bool, place: (segment: Int64, offset: Int64)?, _ db: Database) throws {
        let insert = try RawStatement(db, """
            INSERT INTO blocks (first_id, last_id, records, min_ingested, max_ingested, levels, sources, rules, raw_bytes,
                stored_bytes, sealed, segment, offset, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, summary.firstID)
        insert.bind(2, summary.lastID)
        insert.bind(3, Int64(summary.count))
        insert.bind(4, summary.minIngested)
        insert.bind(5, summary.maxIngested)
        insert.bind(6, summary.levels)
        insert.bind(7, summary.sources)
        insert.bind(8, summary.rules)
        insert.bind(9, Int64(summary.rawBytes))
        insert.bind(10, Int64(bytes.count))
        insert.bind(11, Int64(sealed ? 1 : 0))
        insert.bind(12, place?.segment)
        insert.bind(13, place?.offset)
        if place == nil { insert.bind(14, blob: bytes) } else { insert.bind(14, nil as Int64?) }
        try insert.run()
        let block = db.lastInsertedRowID
        let traces = try RawStatement(db, "INSERT INTO block_traces (trace_lo, block, lines, part_offset, part_bytes) VALUES (?, ?, ?, ?, ?)")
        for (low, lines) in summary.traces {
            let part = summary.parts[low]
            traces.bind(1, low)
            traces.bind(2, block)
            traces.bind(3, Int64(lines))
            traces.bind(4, part.map { Int64($0.offset) })
            traces.bind(5, part.map { Int64($0.bytes) })
            try traces.run()
        }
    }

    /// Removes a block from the catalog and the trace index (its segment bytes stay until the
    /// whole segment goes).
    func remove(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM block_traces WHERE block = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM blocks WHERE id = ?", arguments: [id])
    }

    // MARK: Reading

    /// The id of the newest log record (0 when there is none).
    func lastLogID(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(last_id) FROM blocks") ?? 0
    }

    /// For each segment file the catalogs name (lines' and spans'), where its last block ends.
    func segmentEnds(_ db: Database) throws -> [Int64: Int64] {
        try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
            SELECT segment, max(end) AS end FROM (
                SELECT segment, offset + stored_bytes AS end FROM blocks WHERE segment IS NOT NULL
                UNION ALL SELECT segment, offset + stored_bytes FROM span_blocks WHERE segment IS NOT NULL)
            GROUP BY segment
            """).map { ($0["segment"] as Int64, $0["end"] as Int64) })
    }

    /// The blocks holding lines of the trace whose low half is `low`, in arrival order; in a
    /// block grouped by trace, the place names the trace's group (read alone).
    func blocksOfTrace(_ low: UInt64, descending: Bool, _ db: Database) throws -> [BlockPlace] {
        let rows = try RawStatement(db, """
            SELECT \(BlockPlace.columns), t.lines, t.part_offset, t.part_bytes FROM block_traces t JOIN blocks b ON b.id = t.block
            WHERE t.trace_lo = ? ORDER BY b.id \(descending ? "DESC" : "ASC")
            """)
        rows.bind(1, low)
        var places: [BlockPlace] = []
        while try rows.next() {
            var place = BlockPlace(rows)
            place.lines = Int(rows.int64(5))
            if let offset = rows.int64OrNil(6), let bytes = rows.int64OrNil(7) {
                // Out of Int's range only if damaged: then a place the read refuses.
                place.part = (Int(truncatingIfNeeded: offset), Int(truncatingIfNeeded: bytes))
            }
            places.append(place)
        }
        return places
    }

    /// The blocks whose catalog entries can hold lines of `query`, newest first (oldest first
    /// when `ascending`): a trace's blocks from the trace index; for other searches the blocks
    /// whose levels, sources, ingest times and ids can match, at most ``maxBlocksPerSearch``
    /// (`all` is false when there were more).
    func places(of query: LogQuery, ascending: Bool, _ db: Database) throws -> (places: [BlockPlace], all: Bool) {
        if let id = query.traceID {
            return (try blocksOfTrace(id.low, descending: !ascending, db), true)
        }
        var conditions: [String] = []
        var arguments: [SQLArgument] = []
        if let level = query.level {
            conditions.append("(b.levels & ?) != 0")
            arguments.append(.int(Int64(bitPattern: BlockFormat.bit(of: level))))
        }
        if let source = query.source {
            conditions.append("(b.sources & ?) != 0")
            arguments.append(.int(Int64(bitPattern: BlockFormat.bit(of: source))))
        }
        // Blocks are skipped by ingest time only: a line's own time may lie anywhere.
        if let since = query.since, !query.byLineTime {
            conditions.append("b.max_ingested >= ?")
            arguments.append(.int(since))
        }
        if let until = query.until, !query.byLineTime {
            conditions.append("b.min_ingested < ?")
            arguments.append(.int(until))
        }
        if let before = query.before {
            conditions.append("b.first_id < ?")
            arguments.append(.int(before))
        }
        if let after = query.after {
            conditions.append("b.last_id > ?")
            arguments.append(.int(after))
        }
        // One more than the bound, to tell whether there were more.
        let sql = "SELECT \(BlockPlace.columns) FROM blocks b" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY b.id \(ascending ? "ASC" : "DESC") LIMIT \(Self.maxBlocksPerSearch + 1)"
        let rows = try RawStatement(db, sql)
        for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
        var places: [BlockPlace] = []
        while try rows.next() { places.append(BlockPlace(rows)) }
        let all = places.count <= Self.maxBlocksPerSearch
        if !all { places.removeLast() }
        return (places, all)
    }

    /// The newest blocks (at most `limit`) holding lines ingested between `since` and `until`.
    func places(ingestedFrom since: Int64, to until: Int64, limit: Int, _ db: Database) throws -> [BlockPlace] {
        let rows = try RawStatement(db, """
            SELECT \(BlockPlace.columns) FROM blocks b WHERE b.max_ingested >= ?1 AND b.min_ingested < ?2
            ORDER BY b.id DESC LIMIT \(limit)
            """)
        rows.bind(1, since)
        rows.bind(2, until)
        var places: [BlockPlace] = []
        while try rows.next() { places.append(BlockPlace(rows)) }
        return places
    }
}
