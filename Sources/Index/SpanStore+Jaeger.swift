import GRDB
import TraceContext
import TracejoinModel

/// What Jaeger's query API asks of the spans: services, operations, trace search, service links.
extension SpanStore {
    /// Services that sent spans (`span_operations`, kept as spans are stored; a service whose
    /// spans retention deleted stays listed).
    func services(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT service FROM span_operations ORDER BY service")
    }

    func operations(service: String, _ db: Database) throws -> [SpanOperation] {
        try Row.fetchAll(db, sql: "SELECT name, kind FROM span_operations WHERE service = ? ORDER BY name, kind", arguments: [service])
            .map { SpanOperation(name: $0["name"], kind: $0["kind"]) }
    }

    /// Traces with a span that matches every condition of `query`, latest matching start
    /// first. The catalog skips blocks by start range and service; each block's bloom filter
    /// skips blocks without one of the asked tags; blocks are read latest start first until
    /// no unread block can hold a later match than the `limit` found.
    func findTraces(_ query: SpanSearch, _ db: Database) throws -> [TraceID] {
        let limit = max(1, query.limit)
        let conditions = ["(b.services & ?) != 0", "b.max_start >= ?", "b.min_start <= ?"]
        let arguments: [SQLArgument] = [.int(Int64(bitPattern: BlockFormat.bit(of: query.service))), .int(query.since), .int(query.until)]
        let tags = query.tags.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value, number: Double($0.value).flatMap { $0.isFinite ? $0 : nil }) }
        var found: [UInt64: (start: Int64, high: UInt64?)] = [:]
        try scan(conditions, arguments, db) { block, maxStart in
            if found.count >= limit, let floor = Self.kthLargest(found.values.map(\.start), limit), maxStart < floor { return false }
            // Texts compared as bytes, as they were stored (not by Unicode equivalence).
            guard let service = block.strings.firstIndex(where: { $0.utf8.elementsEqual(query.service.utf8) }).map(Int32.init) else { return true }
            let operation = query.operation.map { name in block.strings.firstIndex { $0.utf8.elementsEqual(name.utf8) }.map(Int32.init) ?? -1 }
            for i in 0..<block.count {
                guard block.service[i] == service, block.start[i] >= query.since, block.start[i] <= query.until else { continue }
                if let operation, block.name[i] != operation { continue }
                if let min = query.minDuration, block.duration[i] < min { continue }
                if let max = query.maxDuration, block.duration[i] > max { continue }
                if let kind = query.spanKind, block.meta(i, "span.kind") != kind { continue }
                guard tags.allSatisfy({ Self.matches(block, i, $0.key, $0.value, $0.number) }) else { continue }
                let low = block.traceLow[i]
                let seen = found[low]
                found[low] = (max(seen?.start ?? .min, block.start[i]), block.traceHigh[i] ?? seen?.high)
            }
            return true
        } mayMatch: { filter in
            SpanFilter.mayContain(filter, service: query.service) && tags.allSatisfy { tag in
                switch tag.key {
                case "error", "span.type": return true
                case "resource.name": return true
                default:
                    return SpanFilter.mayContain(filter, tag: tag.key, value: tag.value)
                        || tag.number.map { SpanFilter.mayContain(filter, tag: tag.key, number: $0) } ?? false
                }
            }
        }
        return found.sorted { ($0.value.start, $0.key) > ($1.value.start, $1.key) }.prefix(limit).map { TraceID(high: $0.value.high, low: $0.key) }
    }

    /// Whether row `i` has the tag `key` = `value`: `error`, `resource.name` and `span.type`
    /// are columns; other keys are `meta` (text) or `metrics` (a value that reads as a number
    /// also matches the number: `http.status_code=500` finds 500.0).
    static func matches(_ block: SpanBlock, _ i: Int, _ key: String, _ value: String, _ number: Double?) -> Bool {
        switch key {
        case "error":
            return block.error[i] == (value == "true")
        case "resource.name":
            return block.span(i).resource == value || block.meta(i, "resource.name") == value
        case "span.type":
            return block.span(i).type == value
        default:
            if block.meta(i, key) == value { return true }
            if let number, let metric = block.metric(i, key) { return metric == number }
            return false
        }
    }

    /// Calls between services: for each span in the time range whose parent is another
    /// service's span, one call from the parent's service to the child's. A parent is looked
    /// for beside the child first (a block keeps a trace's spans together), else in its trace.
    func dependencies(since: Int64, until: Int64, _ db: Database) throws -> [ServiceLink] {
        var counted: Set<SpanKey> = []
        var calls: [Pair: Int] = [:]
        var traces: [UInt64: [UInt64: String]] = [:]
        try scan(["b.max_start >= ?", "b.min_start <= ?"], [.int(since), .int(until)], db, { block, _ in
            for i in 0..<block.count {
                guard let parent = block.parentID[i], block.start[i] >= since, block.start[i] <= until else { continue }
                let low = block.traceLow[i]
                guard counted.insert(SpanKey(low: low, span: block.spanID[i])).inserted else { continue }
                var parentService: String?
                for j in block.rows(ofTrace: low) where block.spanID[j] == parent {
                    parentService = block.serviceName(j)
                }
                if parentService == nil {
                    if traces[low] == nil { traces[low] = try services(ofTrace: low, db) }
                    parentService = traces[low]?[parent]
                }
                let child = block.serviceName(i)
                if let parentService, parentService != child { calls[Pair(parent: parentService, child: child), default: 0] += 1 }
            }
            return true
        })
        return calls.map { ServiceLink(parent: $0.key.parent, child: $0.key.child, calls: $0.value) }
            .sorted { ($0.parent, $0.child) < ($1.parent, $1.child) }
    }

    struct SpanKey: Hashable {
        var low: UInt64
        var span: UInt64
    }

    private struct Pair: Hashable {
        var parent: String
        var child: String
    }
}
