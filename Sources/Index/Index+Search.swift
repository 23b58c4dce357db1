import GRDB
import TraceContext
import TracejoinModel

extension Index {
    /// Records one search reads at most (whole blocks, newest first: about the newest million
    /// lines); past it the page ends early and its cursor continues where the scan stopped, so a
    /// search for something rare stays bounded.
    public static let maxRecordsPerSearch = 1 << 20

    /// Log records matching `query`, newest first, a page at a time (keyset paging on the
    /// record id, so a page costs the same wherever it starts).
    ///
    /// Blocks are chosen by their catalog entries (a trace's blocks from the trace index; for
    /// other searches the blocks whose levels, sources, ingest times and ids can match), read
    /// newest first, and their records checked one by one.
    public func logs(_ query: LogQuery) async throws -> LogPage {
        let limit = max(1, query.limit)
        let ascending = query.after != nil
        let level = query.level.map { Array($0.utf8) }
        let source = query.source.map { Array($0.utf8) }
        let text = query.text.map { Array($0.utf8) }
        return try await pool.read { db in
            var places: [BlockPlace] = []
            if let id = query.traceID {
                places = try self.blocksOfTrace(id.low, descending: !ascending, db)
            } else {
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
                let sql = "SELECT \(BlockPlace.columns) FROM blocks b" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                    + " ORDER BY b.id \(ascending ? "ASC" : "DESC") LIMIT 4096"
                let rows = try RawStatement(db, sql)
                for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
                while try rows.next() { places.append(BlockPlace(rows)) }
            }
            var services = ServiceOfSpan(db)
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
                    let id = block.ids[i]
                    if let before = query.before, id >= before { continue }
                    if let after = query.after, id <= after { continue }
                    if let trace = query.traceID, !Self.matches(block, i, trace) { continue }
                    if let span = query.spanID, block.spans[i] != span.value { continue }
                    if query.since != nil || query.until != nil {
                        // The line's own time (by=time), else when it was stored (by=ingest).
                        let time = query.byLineTime ? block.lineTime(i) : block.ingested[i]
                        if let since = query.since, (time ?? .min) < since { continue }
                        if let until = query.until, (time ?? .max) >= until { continue }
                    }
                    if let level, !block.slot(i, .level, equals: level, folding: true) { continue }
                    if let source, !block.slot(i, .source, equals: source, folding: false) { continue }
                    if let text, !block.slot(i, .message, contains: text) { continue }
                    if !query.fields.isEmpty {
                        let fields = block.record(i).fields
                        guard query.fields.allSatisfy({ filter in
                            fields.contains { $0.name == filter.name && $0.value.description == filter.value }
                        }) else { continue }
                    }
                    if let service = query.service {
                        guard let low = block.traceLow[i], let span = block.spans[i], try services.service(low, span) == service else { continue }
                    }
                    guard page.count < limit else {
                        more = true
                        break scan
                    }
                    page.append((id, block.ingested[i], block.record(i)))
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
