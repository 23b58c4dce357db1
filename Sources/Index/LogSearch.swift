import GRDB
import TraceContext
import TracejoinModel
import TracejoinSupport

/// Reads log lines back: a search's page, its histogram, a trace's or a span's lines, the
/// lines no span claimed. Blocks are chosen by the catalog (``TraceCatalog``), read through
/// ``LogBlockStore`` (checked and cached), and their lines checked one by one on the block's
/// bytes (``LineFilter``).
///
/// Every call is given a read turn of the store (``CorrelationStore``): one snapshot, so a
/// page never mixes states of the database.
struct LogSearch: Sendable {
    let blocks: LogBlockStore
    let catalog: TraceCatalog
    let spans: SpanStore

    /// Records one search reads at most (whole blocks, newest first: about the newest million
    /// lines); past it the page ends early and its cursor continues where the scan stopped, so a
    /// search for something rare stays bounded.
    static let maxRecordsPerSearch = 1 << 20

    /// Blocks the search for unmatched lines reads at most (newest first).
    static let maxBlocksPerUnmatched = 1024

    /// Log records matching `query`, newest first, a page at a time (keyset paging on the
    /// record id, so a page costs the same wherever it starts).
    ///
    /// Blocks are chosen by their catalog entries (``TraceCatalog/places(of:ascending:_:)``),
    /// read newest first, and their records checked one by one (``LineFilter``).
    func logs(_ query: LogQuery, _ db: Database) throws -> LogPage {
        var page: [(id: Int64, ingested: Int64, record: LogRecord)] = []
        let next = try matches(query, db) { block, i in page.append((block.ids[i], block.ingested[i], block.record(i))) }
        return LogPage(records: page, next: next)
    }

    /// The lines ``logs(_:_:)`` returns, left in their blocks (the exporter's read).
    func lines(_ query: LogQuery, _ db: Database) throws -> StoredLines {
        var lines = StoredLines()
        _ = try matches(query, db) { block, i in lines.append(block, i) }
        return lines
    }

    /// Hands `take` each line of a page of `query`, in the page's order; returns the cursor of
    /// the next page (`nil`: no more).
    private func matches(_ query: LogQuery, _ db: Database, _ take: (LogBlock, Int) -> Void) throws -> Int64? {
        let limit = max(1, query.limit)
        let ascending = query.after != nil
        let places = try catalog.places(of: query, ascending: ascending, db).places
        var filter = LineFilter(query, spans: spans, db)
        var taken = 0
        var lastID: Int64?
        var more = false
        var scanned = 0
        var lowestScanned: Int64?
        scan: for place in places {
            if scanned >= Self.maxRecordsPerSearch {
                // Bounded: the page ends here and its cursor continues below the blocks read.
                more = !ascending && lowestScanned != nil
                break
            }
            guard let block = try blocks.readBlock(place, db) else { continue }
            scanned += block.count
            if !ascending, let first = block.firstID { lowestScanned = min(lowestScanned ?? first, first) }
            try block.forEachMatch(ascending: ascending, { try filter.matches(block, $0) }) { i in
                guard taken < limit else {
                    more = true
                    return false
                }
                take(block, i)
                taken += 1
                lastID = block.ids[i]
                return true
            }
            if more { break scan }
        }
        if !more { return nil }
        // A full page continues after its last line; else the scan bound was reached first:
        // continue below the lowest id read.
        return taken == limit ? lastID : lowestScanned
    }

    /// The lines ``logs(_:_:)`` would return for `query` — all of them, not a page — counted by
    /// time bucket and level class instead of listed (`/v1/logs/volume`, the logs page's
    /// histogram).
    ///
    /// The same blocks are read, newest first, with the same checks of each line and the same
    /// bound (``maxRecordsPerSearch``): past it ``LogVolume/complete`` is false and the counts
    /// are of the newest lines. No record is built unless a field filter needs one: the level is
    /// classed on the block's bytes. A line is placed by its ingest time, or by its own time when
    /// ``LogQuery/byLineTime`` (by its ingest time when it has none: it then matches only a
    /// search without time bounds).
    func logVolume(_ query: LogQuery, buckets: Int, _ db: Database) throws -> LogVolume {
        let (places, all) = try catalog.places(of: query, ascending: false, db)
        var filter = LineFilter(query, spans: spans, db)
        // The axis may end at the earliest and latest matching line: their times and classes
        // are kept (bounded by the scan) and counted once it is known.
        var times: [Int64] = []
        var classes: [UInt8] = []
        var scanned = 0
        var complete = all
        for place in places {
            if scanned >= Self.maxRecordsPerSearch {
                complete = false
                break
            }
            guard let block = try blocks.readBlock(place, db) else { continue }
            scanned += block.count
            for i in 0..<block.count {
                guard try filter.matches(block, i) else { continue }
                times.append(query.byLineTime ? block.lineTime(i) ?? block.ingested[i] : block.ingested[i])
                classes.append(LevelClass.of(block, i))
            }
        }
        return Self.volume(times: times, classes: classes, since: query.since, until: query.until, buckets: buckets,
                           scanned: scanned, complete: complete)
    }

    /// Counts lines at `times` (of level `classes`) into the buckets of ``LogVolume/Axis``.
    static func volume(times: [Int64], classes: [UInt8], since: Int64?, until: Int64?, buckets: Int,
                       scanned: Int, complete: Bool) -> LogVolume {
        let axis = LogVolume.Axis(since: since, until: until, earliest: times.min(), latest: times.max(), buckets: buckets)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: LogVolume.levelClasses.count), count: axis.count)
        var total = 0
        for (time, level) in zip(times, classes) {
            guard let k = axis.bucket(time) else { continue }
            counts[k][Int(level)] += 1
            total += 1
        }
        return LogVolume(axis: axis, counts: counts, total: total, scanned: scanned, complete: complete)
    }

    /// The first `logLimit` lines (arrival order) of every trace `id` matches, and how many
    /// were left out: the trace's blocks, oldest first, until the limit; the total from the
    /// trace index, so a huge trace is counted without being read.
    func traceLines(_ id: TraceID, logLimit: Int, _ db: Database) throws -> (logs: [LogRecord], omitted: Int) {
        var logs: [LogRecord] = []
        var total = 0
        for place in try catalog.blocksOfTrace(id.low, descending: false, db) {
            // A damaged block's lines cannot be shown by any limit: they are not counted
            // as left out (the damage is reported in /v1/stats).
            if blocks.damage.contains(place.id) { continue }
            guard logs.count < logLimit else {
                total += place.lines
                continue
            }
            guard let block = try blocks.readBlock(place, db) else { continue }
            total += place.lines
            for i in block.rows(ascending: true) where block.traceMatches(i, id) {
                guard logs.count < logLimit else { break }
                logs.append(block.record(i))
            }
        }
        return (logs, max(0, total - logs.count))
    }

    /// The lines of span `id` of the trace `trace`, in arrival order.
    func spanLines(_ id: SpanID, of trace: TraceID, _ db: Database) throws -> [LogRecord] {
        var records: [LogRecord] = []
        for place in try catalog.blocksOfTrace(trace.low, descending: false, db) {
            guard let block = try blocks.readBlock(place, db) else { continue }
            for i in block.rows(ascending: true) where block.spans[i] == id.value && block.traceMatches(i, trace) {
                records.append(block.record(i))
            }
        }
        return records
    }

    /// Lines whose trace no span has claimed, ingested between `since` and `until`, grouped by
    /// source and rule, from the newest ``maxBlocksPerUnmatched`` blocks of that time.
    func unmatched(since: Int64, until: Int64, samples: Int, _ db: Database) throws -> [UnmatchedGroup] {
        // A line is unmatched when no span shares its trace (64/128-bit rule), whatever its span.
        let places = try catalog.places(ingestedFrom: since, to: until, limit: Self.maxBlocksPerUnmatched, db)
        var known: [TraceID: Bool] = [:]
        struct Group {
            var count = 0
            var traces = Set<UInt64>()
            var samples: [LogRecord] = []
        }
        var groups: [String: [String: Group]] = [:]
        for place in places {
            guard let block = try blocks.readBlock(place, db) else { continue }
            for i in block.rows(ascending: false) {
                guard let trace = block.traceID(i), block.ingested[i] >= since, block.ingested[i] < until else { continue }
                let isClaimed: Bool
                if let k = known[trace] {
                    isClaimed = k
                } else {
                    // The trace index names the low half; a 128-bit ID is checked against the spans.
                    isClaimed = try spans.hasTrace(low: trace.low, db)
                        && (trace.high == nil || !(try spans.spans(of: trace, db).isEmpty))
                    known[trace] = isClaimed
                }
                if isClaimed { continue }
                let source = block.string(block.slot(i, .source)) ?? "", rule = block.string(block.slot(i, .rule)) ?? ""
                groups[source, default: [:]][rule, default: Group()].count += 1
                groups[source]![rule]!.traces.insert(trace.low)
                if groups[source]![rule]!.samples.count < samples { groups[source]![rule]!.samples.append(block.record(i)) }
            }
        }
        return groups.flatMap { source, rules in
            rules.map { rule, g in UnmatchedGroup(source: source, rule: rule, count: g.count, traces: g.traces.count, samples: g.samples) }
        }.sorted { ($0.count, $1.source, $1.rule) > ($1.count, $0.source, $0.rule) }
    }
}
