import GRDB
import TraceContext
import TracejoinModel

/// The checks a log search makes of each line of the blocks it reads, on the block's bytes (a
/// line's record is built only for a field filter): one rule for ``LogSearch/logs(_:_:)`` and
/// ``LogSearch/logVolume(_:buckets:_:)``.
struct LineFilter {
    let query: LogQuery
    private let level: [UInt8]?
    private let source: [UInt8]?
    private let text: [UInt8]?
    private var services: ServiceOfSpan

    init(_ query: LogQuery, spans: SpanStore, _ db: Database) {
        self.query = query
        level = query.level.map { Array($0.utf8) }
        source = query.source.map { Array($0.utf8) }
        text = query.text.map { Array($0.utf8) }
        services = ServiceOfSpan(spans: spans, db)
    }

    /// Whether line `i` of `block` is one the search selects (the cheap checks first; the
    /// service, a lookup per span, last).
    mutating func matches(_ block: LogBlock, _ i: Int) throws -> Bool {
        let id = block.ids[i]
        if let before = query.before, id >= before { return false }
        if let after = query.after, id <= after { return false }
        if let trace = query.traceID, !block.traceMatches(i, trace) { return false }
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

/// The service of a span, looked up once per trace in a search (the trace's spans read once).
struct ServiceOfSpan {
    let spans: SpanStore
    let db: Database
    var known: [UInt64: [UInt64: String]] = [:]

    init(spans: SpanStore, _ db: Database) {
        self.spans = spans
        self.db = db
    }

    mutating func service(_ low: UInt64, _ span: UInt64) throws -> String? {
        if let trace = known[low] { return trace[span] }
        let trace = try spans.services(ofTrace: low, db)
        known[low] = trace
        return trace[span]
    }
}
