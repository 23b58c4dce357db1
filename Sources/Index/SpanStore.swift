import Foundation
import Glibc
import GRDB
import Logging
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The spans, in compressed column blocks (``SpanBlock``) beside the lines' blocks: the same
/// segment files, a catalog of their own (`span_blocks`: seq range, start and receive-time
/// ranges, a services mask and a bloom filter of span IDs and tags), and a trace index
/// (`span_block_traces`: a row per trace and block), so a trace's spans are one probe and a
/// read of the few blocks named.
///
/// Spans are written as lines are: each transaction's spans go into a small *tail* block kept
/// in the database and queryable at once; when the tail blocks reach a block's size they are
/// sealed into full blocks in the segment files, each sorted by trace so a trace's spans are
/// neighbours. Every span has a `seq`, its place in arrival order (what the exporters' cursors
/// count), and the `received_ns` of its transaction. A span sent again is stored again; a
/// read keeps the copy with the highest `seq` (a tracer's retry replaces the first copy) and
/// never forgets a known high half.
///
/// The database turn comes from the store (``CorrelationStore``); the state kept here is the
/// last `received_ns` and `seq` given out, the tail's spans (a hint, checked against the
/// catalog), the block cache and the operations already recorded.
final class SpanStore: Sendable {
    let segments: SegmentFiles
    let options: CorrelationStore.Options
    let compressor = ZstdCompressor(level: 1)
    /// Reads span blocks back, through the 64 most recently decoded.
    let reading: BlockReading<SpanBlock>
    let logger: Logger
    /// The last `received_ns` and `seq` given out (0: not read from the database yet).
    private let last = Locked<(stamp: Int64, seq: Int64)>((0, 0))
    /// The tail blocks' spans, as appended, when they are exactly the tail in the catalog
    /// (count and seq range checked), so sealing does not decode them again.
    private let tailCache = Locked<[StoredSpan]?>(nil)
    /// (service, name, kind) triples known to be in `span_operations`.
    private let knownOperations = Locked<Set<OperationKey>>([])

    /// A block is sealed once it holds `options.spanBlockSpans` spans, or about this many
    /// bytes of spans before compression.
    static let blockBytes = 2 << 20

    /// The 64/128-bit rule (``TraceID/matches(_:)``) for a stored span: equal low halves, and
    /// equal high halves where both are known.
    static func matches(_ id: TraceID, low: UInt64, high: UInt64?) -> Bool {
        id.matches(TraceID(high: high, low: low))
    }

    init(segments: SegmentFiles, options: CorrelationStore.Options, damage: DamagedBlocks, logger: Logger) {
        self.segments = segments
        self.options = options
        self.logger = logger
        reading = BlockReading(segments: segments, damage: damage, kind: .spans, table: "span_blocks", cache: BlockCache(capacity: 64),
                               decode: { bytes throws(BlockCorruption) in try SpanBlock(bytes: bytes) }, logger: logger)
    }

    /// A span as stored: its place in arrival order, when it was stored, the span.
    struct StoredSpan: Sendable {
        var seq: Int64
        var received: Int64
        var span: SpanRecord
    }

    struct OperationKey: Hashable, Sendable {
        var service: String
        var name: String
        var kind: String
    }

    // MARK: Writing

    /// A request's spans, made ready for the write turn outside it: encoded as a block (when
    /// they fit one), with their seqs and receive time still to be stamped, and the operations
    /// they name.
    struct Prepared: Sendable {
        var spans: [SpanRecord]
        /// The spans cut into blocks (each at most a block's spans and bytes), each encoded.
        var blocks: [(range: Range<Int>, encoder: SpanBlockEncoder)]
        var operations: Set<OperationKey>
    }

    /// Prepares `spans` for ``insert(_:_:)``: the work that needs no turn of the writer.
    func prepare(_ spans: [SpanRecord]) -> Prepared {
        var operations: Set<OperationKey> = []
        var blocks: [(range: Range<Int>, encoder: SpanBlockEncoder)] = []
        var encoder = SpanBlockEncoder()
        var start = 0, bytes = 0
        for (i, span) in spans.enumerated() {
            operations.insert(OperationKey(service: span.service, name: span.name, kind: span.meta["span.kind"] ?? ""))
            encoder.append(seq: 0, received: 0, span)
            bytes += Self.estimatedBytes(span)
            if encoder.count >= options.spanBlockSpans || bytes >= Self.blockBytes || i == spans.count - 1 {
                blocks.append((start..<(i + 1), encoder))
                encoder = SpanBlockEncoder()
                start = i + 1
                bytes = 0
            }
        }
        return Prepared(spans: spans, blocks: blocks, operations: operations)
    }

    /// Stores every span or none (in the caller's transaction). A request of at least a
    /// quarter of a block, when no tail is waiting, is sealed as blocks of its own from its
    /// prepared encoders (a last piece under a quarter of a block becomes the tail);
    /// otherwise it goes to the tail.
    func insert(_ prepared: Prepared, _ db: Database) throws {
        let spans = prepared.spans
        guard !spans.isEmpty else { return }
        // Taken in the writer's turn: a later commit always has a later time and later seqs,
        // so an exporter that has read up to a seq has seen every span stored before it.
        let now = try stamp(db)
        let first = try lastSeq(db) + 1
        last.withLock { $0.seq = first + Int64(spans.count) - 1 }
        try recordOperations(prepared.operations, db)
        let quarter = max(1, options.spanBlockSpans / 4)
        func items(_ range: Range<Int>) -> [StoredSpan] {
            range.map { StoredSpan(seq: first + Int64($0), received: now, span: spans[$0]) }
        }
        // Only when the tail is empty: a block's seqs stay consecutive, and the blocks' seq
        // ranges never overlap (what export and the backlog count on).
        if spans.count >= quarter,
           try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM span_blocks WHERE sealed = 0)") == true {
            for (n, block) in prepared.blocks.enumerated() {
                var encoder = block.encoder
                encoder.restamp(firstSeq: first + Int64(block.range.lowerBound), received: now)
                if n == prepared.blocks.count - 1 && block.range.count < quarter {
                    try store(items(block.range), encoded: encoder, db)
                } else {
                    try write(encoder.seal(with: compressor), encoder.summary, sealed: true, db)
                }
            }
            return
        }
        var encoder = prepared.blocks.count == 1 ? prepared.blocks[0].encoder : nil
        encoder?.restamp(firstSeq: first, received: now)
        try store(items(0..<spans.count), encoded: encoder, db)
    }

    /// Adds `items` (seqs after every stored one) to the tail, sealing full blocks.
    /// `encoded`, when given, holds exactly `items`, stamped.
    func store(_ items: [StoredSpan], encoded: SpanBlockEncoder? = nil, _ db: Database) throws {
        let tail = try Row.fetchOne(db, sql: """
            SELECT count(*) AS n, total(spans) AS spans, total(raw_bytes) AS bytes, min(first_seq) AS first, max(last_seq) AS last
            FROM span_blocks WHERE sealed = 0
            """)!
        let tailSpans = Int(tail["spans"] as Double), tailBytes = Int(tail["bytes"] as Double)
        let cached: [StoredSpan]? = tailCache.withLock { $0 }.flatMap { spans in
            spans.count == tailSpans && spans.first?.seq == tail["first"] && spans.last?.seq == tail["last"] ? spans : nil
        }
        let batchBytes = items.reduce(0) { $0 + Self.estimatedBytes($1.span) }
        if tailSpans + items.count < options.spanBlockSpans && tailBytes + batchBytes < Self.blockBytes {
            let encoder = encoded ?? {
                var encoder = SpanBlockEncoder()
                for item in items { encoder.append(seq: item.seq, received: item.received, item.span) }
                return encoder
            }()
            try write(encoder.seal(with: compressor), encoder.summary, sealed: false, db)
            tailCache.withLock { $0 = tailSpans == 0 ? items : cached.map { $0 + items } }
            return
        }
        // Sealing: the tail's spans, then the new ones, in seq order, cut into blocks.
        var all: [StoredSpan] = []
        all.reserveCapacity(tailSpans + items.count)
        if (tail["n"] as Int) > 0 {
            if let cached { all = cached }
            for row in try Row.fetchAll(db, sql: """
                SELECT id, segment, offset, stored_bytes, CASE WHEN \(cached == nil) THEN data END AS data
                FROM span_blocks WHERE sealed = 0 ORDER BY id
                """) {
                let place = BlockPlace(row)
                if cached == nil, let block = try readBlock(place, db) {
                    for i in 0..<block.count { all.append(StoredSpan(seq: block.seq[i], received: block.received[i], span: block.span(i))) }
                }
                try remove(place.id, db)
            }
            if cached == nil { all.sort { $0.seq < $1.seq } }
        }
        all += items
        var cuts: [Range<Int>] = []
        var start = 0, bytes = 0
        for (i, item) in all.enumerated() {
            bytes += Self.estimatedBytes(item.span)
            if i + 1 - start >= options.spanBlockSpans || bytes >= Self.blockBytes {
                cuts.append(start..<(i + 1))
                start = i + 1
                bytes = 0
            }
        }
        // The tail was found full by the encoder's measure: whatever the estimate says, it is
        // sealed now, not rewritten as a bigger tail.
        if cuts.isEmpty { cuts = [0..<all.count] }
        let rest = (cuts.last?.upperBound ?? 0)..<all.count
        let encoded = Self.encode(all, cuts + (rest.isEmpty ? [] : [rest]), compressor: compressor)
        for (i, block) in encoded.enumerated() {
            try write(block.bytes, block.summary, sealed: i < cuts.count, db)
        }
        tailCache.withLock { $0 = rest.isEmpty ? [] : Array(all[rest]) }
    }

    /// Encodes each range of `items` as a block, on as many threads as there are cores.
    static func encode(_ items: [StoredSpan], _ ranges: [Range<Int>], compressor: ZstdCompressor) -> [(bytes: [UInt8], summary: SpanBlockSummary)] {
        let done = Locked<[Int: (bytes: [UInt8], summary: SpanBlockSummary)]>([:])
        DispatchQueue.concurrentPerform(iterations: ranges.count) { n in
            var encoder = SpanBlockEncoder()
            for item in items[ranges[n]] { encoder.append(seq: item.seq, received: item.received, item.span) }
            let block = (encoder.seal(with: compressor), encoder.summary)
            done.withLock { $0[n] = block }
        }
        return done.withLock { blocks in ranges.indices.map { blocks[$0]! } }
    }

    /// A span's size before compression, roughly: what the block size bound counts.
    static func estimatedBytes(_ span: SpanRecord) -> Int {
        func text(_ attributes: [SpanAttribute]) -> Int {
            attributes.reduce(0) { n, a in
                n + a.key.utf8.count + 10 + { if case .string(let v) = a.value { v.utf8.count } else { 0 } }()
            }
        }
        var n = 64 + span.service.utf8.count + span.name.utf8.count + span.resource.utf8.count + span.type.utf8.count
        for (k, v) in span.meta { n += k.utf8.count + v.utf8.count + 2 }
        for (k, _) in span.metrics { n += k.utf8.count + 9 }
        if !span.details.isEmpty {
            let d = span.details
            n += text(d.resource) + text(d.typed)
            for event in d.events { n += 16 + event.name.utf8.count + text(event.attributes) }
            for link in d.links { n += 32 + text(link.attributes) }
        }
        return n
    }

    /// Writes one block: a sealed block's bytes to the current segment file first, then its
    /// catalog row and trace-index entries (a tail block's bytes go in its catalog row).
    func write(_ bytes: [UInt8], _ summary: SpanBlockSummary, sealed: Bool, _ db: Database) throws {
        var place: (segment: Int64, offset: Int64)?
        if sealed && !options.sealedInDatabase {
            do {
                place = try segments.append(bytes)
            } catch {
                throw BlockWriteFailed(error: error)
            }
        }
        let insert = try RawStatement(db, """
            INSERT INTO span_blocks (first_seq, last_seq, spans, errors, min_start, max_start, min_received, max_received,
                services, filter, raw_bytes, stored_bytes, sealed, segment, offset, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, summary.firstSeq)
        insert.bind(2, summary.lastSeq)
        insert.bind(3, Int64(summary.count))
        insert.bind(4, Int64(summary.errors))
        insert.bind(5, summary.minStart)
        insert.bind(6, summary.maxStart)
        insert.bind(7, summary.minReceived)
        insert.bind(8, summary.maxReceived)
        insert.bind(9, summary.services)
        insert.bind(10, blob: summary.filter)
        insert.bind(11, Int64(summary.rawBytes))
        insert.bind(12, Int64(bytes.count))
        insert.bind(13, Int64(sealed ? 1 : 0))
        insert.bind(14, place?.segment)
        insert.bind(15, place?.offset)
        if place == nil { insert.bind(16, blob: bytes) } else { insert.bind(16, nil as Int64?) }
        try insert.run()
        let block = db.lastInsertedRowID
        let traces = try RawStatement(db, "INSERT INTO span_block_traces (trace_lo, block, spans) VALUES (?, ?, ?)")
        for (low, spans) in summary.traces {
            traces.bind(1, low)
            traces.bind(2, block)
            traces.bind(3, Int64(spans))
            try traces.run()
        }
    }

    /// Removes a span block from the catalog and the trace index (its segment bytes stay
    /// until the whole segment goes).
    func remove(_ id: Int64, _ db: Database) throws {
        try Self.removeBlock(id, db)
    }

    static func removeBlock(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM span_block_traces WHERE block = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM span_blocks WHERE id = ?", arguments: [id])
    }

    /// Records the (service, operation, kind) triples Jaeger's services and operations list.
    private func recordOperations(_ operations: Set<OperationKey>, _ db: Database) throws {
        let new = knownOperations.withLock { operations.subtracting($0) }
        guard !new.isEmpty else { return }
        let insert = try RawStatement(db, "INSERT INTO span_operations (service, name, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        for key in new {
            insert.bind(1, key.service)
            insert.bind(2, key.name)
            insert.bind(3, key.kind)
            try insert.run()
        }
        // A write that rolls back forgets them all (``forgetUncommitted()``).
        knownOperations.withLock { $0.formUnion(new) }
    }

    /// A `received_ns` for spans stored now, later than any stored before (even if the clock
    /// stepped back). Called inside the write transaction.
    func stamp(_ db: Database) throws -> Int64 {
        let now = Timestamps.now()
        var previous = last.withLock { $0.stamp }
        if previous == 0 { previous = try Int64.fetchOne(db, sql: "SELECT max(max_received) FROM span_blocks") ?? 0 }
        let stamp = max(now, previous + 1)
        last.withLock { $0.stamp = stamp }
        return stamp
    }

    /// The newest span's seq (0 when there is none). When retention has deleted every span
    /// block, an export cursor may still stand at a later seq: seqs go on after it, never
    /// again from 1 (spans numbered below a cursor would never be exported).
    func lastSeq(_ db: Database) throws -> Int64 {
        let cached = last.withLock { $0.seq }
        if cached > 0 { return cached }
        return try Int64.fetchOne(db, sql: """
            SELECT max(coalesce((SELECT max(last_seq) FROM span_blocks), 0), coalesce((SELECT max(span_row) FROM export_cursors), 0))
            """) ?? 0
    }

    /// Forgets the seq and stamp given out, after a transaction that used them rolled back
    /// (they are read from the database again).
    func forgetUncommitted() {
        last.withLock { $0 = (0, 0) }
        tailCache.withLock { $0 = nil }
        knownOperations.withLock { $0 = [] }
    }

    // MARK: Reading blocks

    /// Reads and checks a span block; `nil` when it is damaged (reported once, and skipped
    /// from then on) or gone (deleted by retention after the query's snapshot was taken).
    func readBlock(_ place: BlockPlace, _ db: Database) throws -> SpanBlock? {
        try reading.read(place, db)
    }

    /// The span blocks the trace index names for the low half `low`, oldest first.
    func blocksOfTrace(_ low: UInt64, _ db: Database) throws -> [BlockPlace] {
        let rows = try RawStatement(db, """
            SELECT \(BlockPlace.columns) FROM span_block_traces t JOIN span_blocks b ON b.id = t.block
            WHERE t.trace_lo = ? ORDER BY b.id
            """)
        rows.bind(1, low)
        var places: [BlockPlace] = []
        while try rows.next() { places.append(BlockPlace(rows)) }
        return places
    }

    /// Whether any span is stored under the trace index entry `low` (a low half only).
    func hasTrace(low: UInt64, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM span_block_traces WHERE trace_lo = ?)",
                          arguments: [Int64(bitPattern: low)]) ?? false
    }

    // MARK: Reading spans

    /// The spans of every trace `id` matches, by start time; of a span stored more than once,
    /// the last copy (with the high half any copy knew).
    func spans(of id: TraceID, _ db: Database) throws -> [SpanRecord] {
        try storedSpans(of: id, db).map(\.span)
    }

    /// ``spans(of:_:)`` with each span's seq and receive time. Copies are merged under the
    /// trace index's key (low half and span ID) first, then matched: a retry sent without
    /// the high half still belongs to the 128-bit trace its first copy named.
    func storedSpans(of id: TraceID, _ db: Database) throws -> [StoredSpan] {
        var latest: [UInt64: StoredSpan] = [:]
        var highs: [UInt64: UInt64] = [:]
        for place in try blocksOfTrace(id.low, db) {
            guard let block = try readBlock(place, db) else { continue }
            for i in block.rows(ofTrace: id.low) {
                let span = block.spanID[i]
                if let high = block.traceHigh[i], highs[span] == nil || latest[span].map({ $0.seq < block.seq[i] }) ?? true {
                    highs[span] = high
                }
                if let seen = latest[span], seen.seq > block.seq[i] { continue }
                latest[span] = StoredSpan(seq: block.seq[i], received: block.received[i], span: block.span(i))
            }
        }
        var out: [StoredSpan] = []
        out.reserveCapacity(latest.count)
        for var stored in latest.values {
            if stored.span.traceID.high == nil, let high = highs[stored.span.spanID.value] {
                stored.span.traceID = TraceID(high: high, low: stored.span.traceID.low)
            }
            if Self.matches(id, low: stored.span.traceID.low, high: stored.span.traceID.high) { out.append(stored) }
        }
        out.sort { ($0.span.start, $0.seq) < ($1.span.start, $1.seq) }
        return out
    }

    /// The service of each span stored under the low half `low` (the last copy's), read from
    /// the blocks' columns without building the spans.
    func services(ofTrace low: UInt64, _ db: Database) throws -> [UInt64: String] {
        var latest: [UInt64: (seq: Int64, service: String)] = [:]
        for place in try blocksOfTrace(low, db) {
            guard let block = try readBlock(place, db) else { continue }
            for i in block.rows(ofTrace: low) where latest[block.spanID[i]].map({ $0.seq < block.seq[i] }) ?? true {
                latest[block.spanID[i]] = (block.seq[i], block.serviceName(i))
            }
        }
        return latest.mapValues(\.service)
    }

    /// The span with ID `id` received last; `nil` when there is none. The newest blocks whose
    /// filter may hold the ID are read until one does.
    func latest(_ id: SpanID, _ db: Database) throws -> SpanRecord? {
        let rows = try RawStatement(db, "SELECT \(BlockPlace.columns), b.filter FROM span_blocks b ORDER BY b.id DESC")
        while try rows.next() {
            let filter = rows.blob(5)
            guard SpanFilter.mayContain(filter, spanID: id.value) else { continue }
            let place = BlockPlace(rows)
            guard let block = try readBlock(place, db) else { continue }
            var best: Int?
            for i in 0..<block.count where block.spanID[i] == id.value {
                if best.map({ block.seq[i] > block.seq[$0] }) ?? true { best = i }
            }
            if let best {
                // The whole trace, for the high half an earlier copy may know.
                let trace = TraceID(high: block.traceHigh[best], low: block.traceLow[best])
                return try spans(of: trace, db).first { $0.spanID == id } ?? block.span(best)
            }
        }
        return nil
    }

    /// Traces that have spans, most recent first, with span, error and log counts (the log
    /// counts from the trace index). Blocks are read newest start first until no unread block
    /// can hold a trace later than the `limit` found; each trace found is then read whole.
    func recentTraces(_ query: TraceListQuery, _ db: Database) throws -> [TraceSummary] {
        let limit = max(1, query.limit)
        var conditions: [String] = []
        var arguments: [SQLArgument] = []
        if let service = query.service {
            conditions.append("(b.services & ?) != 0")
            arguments.append(.int(Int64(bitPattern: BlockFormat.bit(of: service))))
        }
        if let since = query.since {
            conditions.append("b.max_start >= ?")
            arguments.append(.int(since))
        }
        if let until = query.until {
            conditions.append("b.min_start < ?")
            arguments.append(.int(until))
        }
        // Without a service, an error list reads only blocks with errors; with one, the blocks
        // of that service (the trace's errors may be any service's: checked on the whole trace).
        if query.onlyErrors && query.service == nil { conditions.append("b.errors > 0") }
        // Candidates: traces with a qualifying row (the service's, or an error), and each
        // trace's latest start in the time range over every row read (what the list is
        // ordered by). With a service and errors both asked, more candidates are kept, since
        // some have no error.
        let pool = query.onlyErrors && query.service != nil ? limit * 8 : limit * 2
        var latestStart: [UInt64: Int64] = [:]
        var candidates: [UInt64: (start: Int64, high: UInt64?)] = [:]
        try scan(conditions, arguments, db) { block, maxStart in
            if candidates.count >= pool, let floor = Self.kthLargest(candidates.values.map(\.start), pool), maxStart < floor {
                return false
            }
            let service = query.service.map { name in block.strings.firstIndex { $0.utf8.elementsEqual(name.utf8) }.map(Int32.init) ?? -1 }
            for i in 0..<block.count {
                if let since = query.since, block.start[i] < since { continue }
                if let until = query.until, block.start[i] >= until { continue }
                let low = block.traceLow[i]
                if latestStart[low].map({ $0 < block.start[i] }) ?? true { latestStart[low] = block.start[i] }
                let qualifies = service.map { block.service[i] == $0 } ?? (!query.onlyErrors || block.error[i])
                guard qualifies || candidates[low] != nil else { continue }
                let start = latestStart[low]!
                candidates[low] = (start, block.traceHigh[i] ?? candidates[low]?.high)
            }
            return true
        }
        let chosen = candidates.sorted { ($0.value.start, $0.key) > ($1.value.start, $1.key) }.prefix(pool)
        var traces: [(latest: Int64, summary: TraceSummary)] = []
        for (low, found) in chosen {
            var spans = try spans(of: TraceID(high: nil, low: low), db)
            let root = spans.first { $0.parentID == nil }?.name
            if let since = query.since { spans.removeAll { $0.start < since } }
            if let until = query.until { spans.removeAll { $0.start >= until } }
            let errors = spans.filter(\.error).count
            guard let latest = spans.map(\.start).max(), !query.onlyErrors || errors > 0 else { continue }
            let logs = try Int.fetchOne(db, sql: "SELECT total(lines) FROM block_traces WHERE trace_lo = ?", arguments: [Int64(bitPattern: low)]) ?? 0
            traces.append((latest, TraceSummary(
                traceID: TraceID(high: spans.lazy.compactMap(\.traceID.high).max() ?? found.high, low: low),
                rootName: root,
                services: Set(spans.map(\.service)).sorted(),
                start: spans.map(\.start).min()!, end: spans.map { $0.start &+ $0.duration }.max()!,
                spans: spans.count, errors: errors, logs: logs)))
        }
        return traces.sorted { ($0.latest, $0.summary.traceID.low) > ($1.latest, $1.summary.traceID.low) }.prefix(limit).map(\.summary)
    }

    /// Reads the span blocks the catalog `conditions` select, latest start first; `body` gets
    /// each block and its latest start, and returns `false` to stop. `mayMatch`, given a
    /// block's bloom filter, skips the blocks it says cannot match.
    func scan(_ conditions: [String], _ arguments: [SQLArgument], _ db: Database,
              _ body: (SpanBlock, Int64) throws -> Bool, mayMatch: (([UInt8]) -> Bool)? = nil) throws {
        let sql = "SELECT \(BlockPlace.columns), b.max_start\(mayMatch == nil ? "" : ", b.filter") FROM span_blocks b"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY b.max_start DESC"
        let rows = try RawStatement(db, sql)
        for (i, argument) in arguments.enumerated() { argument.bind(rows, Int32(i + 1)) }
        // Block by block as the catalog rows come: a search that stops early reads no more
        // rows (nor filters) than it needs.
        while try rows.next() {
            if let mayMatch, !mayMatch(rows.blob(6)) { continue }
            let maxStart = rows.int64(5)
            guard let block = try readBlock(BlockPlace(rows), db) else { continue }
            guard try body(block, maxStart) else { return }
        }
    }

    /// The `k`th largest of `values` (1-based); `nil` when there are fewer.
    static func kthLargest(_ values: some Collection<Int64>, _ k: Int) -> Int64? {
        guard values.count >= k, k > 0 else { return nil }
        return values.sorted(by: >)[k - 1]
    }
}
