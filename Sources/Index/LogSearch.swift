import GRDB
import TraceContext
import TracejoinModel

extension Index {
    /// Records one search reads at most (whole blocks, newest first: about the newest million
    /// lines); past it the page ends early and its cursor continues where the scan stopped, so a
    /// search for something rare stays bounded.
    public static let maxRecordsPerSearch = 1 << 20

    /// Blocks one search chooses at most from the catalog (besides ``maxRecordsPerSearch``).
    static let maxBlocksPerSearch = 4096

    /// Log records matching `query`, newest first, a page at a time (keyset paging on the
    /// record id, so a page costs the same wherever it starts).
    ///
    /// Blocks are chosen by their catalog entries (``places(of:ascending:_:)``), read newest
    /// first, and their records checked one by one (``LineFilter``).
    public func logs(_ query: LogQuery) async throws -> LogPage {
        let limit = max(1, query.limit)
        let ascending = query.after != nil
        return try await pool.read { db in
            let places = try self.places(of: query, ascending: ascending, db).places
            var filter = LineFilter(query, db)
            var page: [(id: Int64, ingested: Int64, record: LogRecord)] = []
            var more = false
            var scanned = 0
            var lowestScanned: Int64?
            scan: for place in places {
                if scanned >= Self.maxRecordsPerSearch {
                    // Bounded: the page ends here and its cursor continues below the blocks read.
                    more = !ascending && lowestScanned != nil
                    break
                }
                guard let block = try self.readBlock(place, db) else { continue }
                scanned += block.count
                if !ascending, let first = block.ids.first { lowestScanned = min(lowestScanned ?? first, first) }
                let order = ascending ? Array(0..<block.count) : Array((0..<block.count).reversed())
                for i in order {
                    guard try filter.matches(block, i) else { continue }
                    guard page.count < limit else {
                        more = true
                        break scan
                    }
                    page.append((block.ids[i], block.ingested[i], block.record(i)))
                }
            }
            let next: Int64?
            if !more {
                next = nil
            } else if page.count == limit {
                next = page.last?.id
            } else {
                // The scan bound was reached first: continue below the lowest id read.
                next = lowestScanned
            }
            return LogPage(records: page, next: next)
        }
    }

    /// The lines ``logs(_:)`` would return for `query` — all of them, not a page — counted by
    /// time bucket and level class instead of listed (`/v1/logs/volume`, the logs page's
    /// histogram).
    ///
    /// The same blocks are read, newest first, with the same checks of each line and the same
    /// bound (``maxRecordsPerSearch``): past it ``LogVolume/complete`` is false and the counts
    /// are of the newest lines. No record is built unless a field filter needs one: the level is
    /// classed on the block's bytes. A line is placed by its ingest time, or by its own time when
    /// ``LogQuery/byLineTime`` (by its ingest time when it has none: it then matches only a
    /// search without time bounds).
    public func logVolume(_ query: LogQuery, buckets: Int) async throws -> LogVolume {
        try await pool.read { db in
            let (places, all) = try self.places(of: query, ascending: false, db)
            var filter = LineFilter(query, db)
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
                guard let block = try self.readBlock(place, db) else { continue }
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
    }

    /// Counts lines at `times` (of level `classes`) into equal buckets, at most `buckets` (1…500),
    /// from `since` (else the earliest time) to `until` (else the latest plus one).
    ///
    /// Times may be anywhere in Int64: widths are taken in UInt64, which holds the difference of
    /// any two Int64s, and nothing here can overflow.
    static func volume(times: [Int64], classes: [UInt8], since: Int64?, until: Int64?, buckets: Int,
                       scanned: Int, complete: Bool) -> LogVolume {
        // Saturating steps along the axis: times may lie anywhere in Int64.
        func back(_ t: Int64, _ d: Int64) -> Int64 { let (r, o) = t.subtractingReportingOverflow(d); return o ? .min : r }
        func forward(_ t: Int64, _ d: Int64) -> Int64 { let (r, o) = t.addingReportingOverflow(d); return o ? .max : r }
        let hour: Int64 = 3600 * 1_000_000_000, minute: Int64 = 60 * 1_000_000_000
        var from: Int64, to: Int64
        // Nothing counted and an end missing: an hour's axis (to now, or from or to the one given).
        switch (since ?? times.min(), until ?? times.max().map { forward($0, 1) }) {
        case let (start?, end?): (from, to) = (start, end)
        case let (nil, end?): (from, to) = (back(end, hour), end)
        case let (start?, nil): (from, to) = (start, forward(start, hour))
        case (nil, nil):
            to = Timestamps.now()
            from = back(to, hour)
        }
        // Lines of one burst, without a `since`: a minute's axis ending with them, not a
        // nanosecond's (a histogram of one bar reads as nothing).
        if since == nil, to > from, UInt64(bitPattern: to &- from) < UInt64(minute) {
            from = back(to, minute)
        }
        if to <= from {
            // An empty range (`until` at or before `since`): one nanosecond, for an axis.
            if from == .max { from = .max - 1 }
            to = from + 1
        }
        let width = UInt64(bitPattern: to &- from)  // to > from: the exact difference, 1…2^64 - 1
        let n = UInt64(min(max(buckets, 1), 500))
        let step = (width - 1) / n + 1  // ceil(width / n), at least 1
        let count = Int((width - 1) / step + 1)  // the buckets of `step` that cover the axis: at most n
        var counts = [[Int]](repeating: [Int](repeating: 0, count: LogVolume.levelClasses.count), count: count)
        var total = 0
        for (time, level) in zip(times, classes) where time >= from {
            // Only a line at Int64.max itself lies at or past the axis's end: it goes in the last bucket.
            let k = Int(min(UInt64(count - 1), UInt64(bitPattern: time &- from) / step))
            counts[k][Int(level)] += 1
            total += 1
        }
        return LogVolume(since: from, until: to, bucket_ns: Int64(clamping: step), counts: counts, total: total,
                         scanned: scanned, complete: complete)
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

    /// Traces that have spans, most recent first, with span, error and log counts.
    public func recentTraces(_ query: TraceListQuery) async throws -> [TraceSummary] {
        var conditions: [String] = []
        var arguments: [SQLArgument] = []
        if let service = query.service {
            conditions.append("trace_lo IN (SELECT trace_lo FROM spans WHERE service = ?)")
            arguments.append(.text(service))
        }
        if let since = query.since {
            conditions.append("start_ns >= ?")
            arguments.append(.int(since))
        }
        if let until = query.until {
            conditions.append("start_ns < ?")
            arguments.append(.int(until))
        }
        let having = query.onlyErrors ? " HAVING sum(error) > 0" : ""
        let sql = """
            SELECT trace_lo, max(trace_hi) AS trace_hi, min(start_ns) AS start, max(start_ns + duration_ns) AS end,
                   count(*) AS spans, sum(error) AS errors, group_concat(DISTINCT service) AS services,
                   (SELECT name FROM spans r WHERE r.trace_lo = spans.trace_lo AND r.parent_id IS NULL LIMIT 1) AS root,
                   (SELECT total(lines) FROM block_traces WHERE trace_lo = spans.trace_lo) AS logs
            FROM spans
            """ + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " GROUP BY trace_lo\(having) ORDER BY max(start_ns) DESC LIMIT \(max(1, query.limit))"
        return try await pool.read { [arguments] db in
            let rows = try RawStatement(db, sql)
            for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
            var traces: [TraceSummary] = []
            while try rows.next() {
                // Columns as selected: trace_lo, trace_hi, start, end, spans, errors, services, root, logs.
                traces.append(TraceSummary(
                    traceID: TraceID(high: rows.uint64OrNil(1), low: rows.uint64(0)),
                    rootName: rows.stringOrNil(7), services: rows.string(6).split(separator: ",").map(String.init).sorted(),
                    start: rows.int64(2), end: rows.int64(3), spans: Int(rows.int64(4)), errors: Int(rows.int64(5)), logs: Int(rows.int64(8))))
            }
            return traces
        }
    }

    public func span(_ id: SpanID) async throws -> (span: SpanRecord, logs: [LogRecord])? {
        try await pool.read { db in
            let spans = try RawStatement(db, "SELECT \(Self.spanColumns) FROM spans WHERE span_id = ? ORDER BY received_ns DESC LIMIT 1")
            spans.bind(1, id.value)
            guard try spans.next() else { return nil }
            let span = Self.span(spans)
            var records: [LogRecord] = []
            for place in try self.blocksOfTrace(span.traceID.low, descending: false, db) {
                guard let block = try self.readBlock(place, db) else { continue }
                for i in 0..<block.count where block.spans[i] == id.value && Self.matches(block, i, span.traceID) {
                    records.append(block.record(i))
                }
            }
            return (span, records)
        }
    }

    /// Blocks the search for unmatched lines reads at most (newest first).
    public static let maxBlocksPerUnmatched = 1024

    public func unmatched(since: Int64, until: Int64, samples: Int) async throws -> [UnmatchedGroup] {
        // A line is unmatched when no span shares its trace (64/128-bit rule), whatever its span.
        try await pool.read { db in
            let rows = try RawStatement(db, """
                SELECT \(BlockPlace.columns) FROM blocks b WHERE b.max_ingested >= ?1 AND b.min_ingested < ?2
                ORDER BY b.id DESC LIMIT \(Self.maxBlocksPerUnmatched)
                """)
            rows.bind(1, since)
            rows.bind(2, until)
            var places: [BlockPlace] = []
            while try rows.next() { places.append(BlockPlace(rows)) }
            let claimed = try RawStatement(db, "SELECT 1 FROM spans WHERE trace_lo = ?1 AND (?2 IS NULL OR trace_hi IS NULL OR trace_hi = ?2) LIMIT 1")
            var known: [TraceID: Bool] = [:]
            struct Group {
                var count = 0
                var traces = Set<UInt64>()
                var samples: [LogRecord] = []
            }
            var groups: [String: [String: Group]] = [:]
            for place in places {
                guard let block = try self.readBlock(place, db) else { continue }
                for i in (0..<block.count).reversed() {
                    guard let trace = block.traceID(i), block.ingested[i] >= since, block.ingested[i] < until else { continue }
                    let isClaimed: Bool
                    if let k = known[trace] {
                        isClaimed = k
                    } else {
                        claimed.bind(1, trace.low)
                        claimed.bind(2, trace.high)
                        isClaimed = try claimed.next()
                        claimed.reset()
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

    public func lastLogID() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(last_id) FROM blocks") ?? 0 }
    }
}

/// The checks a log search makes of each line of the blocks it reads, on the block's bytes (a
/// line's record is built only for a field filter): one rule for ``Index/logs(_:)`` and
/// ``Index/logVolume(_:buckets:)``.
struct LineFilter {
    let query: LogQuery
    private let level: [UInt8]?
    private let source: [UInt8]?
    private let text: [UInt8]?
    private var services: ServiceOfSpan

    init(_ query: LogQuery, _ db: Database) {
        self.query = query
        level = query.level.map { Array($0.utf8) }
        source = query.source.map { Array($0.utf8) }
        text = query.text.map { Array($0.utf8) }
        services = ServiceOfSpan(db)
    }

    /// Whether line `i` of `block` is one the search selects (the cheap checks first; the
    /// service, a lookup per span, last).
    mutating func matches(_ block: LogBlock, _ i: Int) throws -> Bool {
        let id = block.ids[i]
        if let before = query.before, id >= before { return false }
        if let after = query.after, id <= after { return false }
        if let trace = query.traceID, !Index.matches(block, i, trace) { return false }
        if let span = query.spanID, block.spans[i] != span.value { return false }
        if query.since != nil || query.until != nil {
            // The line's own time (by=time), else when it was stored (by=ingest).
            let time = query.byLineTime ? block.lineTime(i) : block.ingested[i]
            if let since = query.since, (time ?? .min) < since { return false }
            if let until = query.until, (time ?? .max) >= until { return false }
        }
        if let level, !block.slot(i, .level, equals: level, folding: true) { return false }
        if let source, !block.slot(i, .source, equals: source, folding: false) { return false }
        if let text, !block.slot(i, .message, contains: text) { return false }
        if !query.fields.isEmpty {
            let fields = block.record(i).fields
            guard query.fields.allSatisfy({ filter in
                fields.contains { $0.name == filter.name && $0.value.description == filter.value }
            }) else { return false }
        }
        if let service = query.service {
            guard let low = block.traceLow[i], let span = block.spans[i], try services.service(low, span) == service else { return false }
        }
        return true
    }
}

/// A line's level class (``LogVolume/levelClasses``), read from a block's bytes: the level
/// folded to lower case (ASCII) and packed into 16 bytes, then looked up.
enum LevelClass {
    /// Index of `other` in ``LogVolume/levelClasses``.
    static let other = UInt8(LogVolume.levelClasses.count - 1)

    /// The levels of each class but `other`, in the order of ``LogVolume/levelClasses``.
    static let names: [[String]] = [
        ["error", "err", "critical", "crit", "fatal", "alert", "emerg", "emergency", "severe", "panic"],
        ["warn", "warning"],
        ["info", "information", "notice", "informational"],
        ["debug", "trace", "verbose", "fine", "finer", "finest"],
    ]

    /// A level of up to 16 bytes, folded: its length, and bytes 0–7 and 8–15, little end first.
    struct Key: Hashable {
        var count: Int
        var low: UInt64
        var high: UInt64
    }

    private static let table: [Key: UInt8] = {
        var table: [Key: UInt8] = [:]
        for (c, levels) in LevelClass.names.enumerated() {
            for level in levels {
                if let key = Array(level.utf8).withUnsafeBufferPointer({ LevelClass.key($0) }) { table[key] = UInt8(c) }
            }
        }
        return table
    }()

    /// Record `i`'s class (`other` without a level).
    static func of(_ block: LogBlock, _ i: Int) -> UInt8 {
        let text = block.slot(i, .level)
        guard !text.isNil, text.count <= 16 else { return other }
        return block.withBytes(text) { bytes in key(bytes).flatMap { table[$0] } ?? other }
    }

    /// `level` folded and packed; nil past 16 bytes (no class's level is that long).
    static func key(_ level: UnsafeBufferPointer<UInt8>) -> Key? {
        guard level.count <= 16 else { return nil }
        var key = Key(count: level.count, low: 0, high: 0)
        for (k, b) in level.enumerated() {
            let folded = UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)
            if k < 8 {
                key.low |= folded << (8 * UInt64(k))
            } else {
                key.high |= folded << (8 * UInt64(k - 8))
            }
        }
        return key
    }
}

/// The service of a span, looked up once per span in a search.
struct ServiceOfSpan {
    let db: Database
    var known: [SpanKey: String?] = [:]

    struct SpanKey: Hashable {
        var low: UInt64
        var span: UInt64
    }

    init(_ db: Database) { self.db = db }

    mutating func service(_ low: UInt64, _ span: UInt64) throws -> String? {
        let key = SpanKey(low: low, span: span)
        if let s = known[key] { return s }
        let s = try String.fetchOne(db, sql: "SELECT service FROM spans WHERE trace_lo = ? AND span_id = ?",
                                    arguments: [Int64(bitPattern: low), Int64(bitPattern: span)])
        known[key] = s
        return s
    }
}

/// A value bound to a statement built at run time.
enum SQLArgument: Sendable {
    case int(Int64?)
    case text(String)
    case double(Double)

    func bind(_ statement: borrowing RawStatement, _ i: Int32) {
        switch self {
        case .int(let v): statement.bind(i, v)
        case .text(let v): statement.bind(i, v)
        case .double(let v): statement.bind(i, v)
        }
    }
}
