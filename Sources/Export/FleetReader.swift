import Foundation
import TraceContext
import TracejoinModel
import TracejoinSupport

/// The fleet service's reader (`tracejoin serve` with a `fleet:` section): the query API, the
/// web view and the Jaeger routes read the exporter's tables on every shard instead of a local
/// index. Each read runs on all shards at once and merges their answers the way the daemon
/// orders its own.
///
/// A shard that fails or does not answer within the timeout costs only its part: the read
/// notes it in the request's ``ReadShortfall`` (the reply is marked partial and says which
/// shard, and why) and answers from the others. Only when no shard answers is the read refused
/// (503, or 504 when every shard timed out).
///
/// Not served from the fleet: a live follow (`/v1/follow`: lines of many hosts have no one
/// order of arrival) and the unmatched lines (a trace's spans may be on any shard).
public struct FleetReader: TraceReader {
    public let shards: [ClickHouseReader]
    /// Each shard's state as the reads and probes found it, in shard order.
    public let health: [ShardHealth]

    public init(shards: [ClickHouseClient]) {
        self.shards = shards.map(ClickHouseReader.init)
        health = shards.map { ShardHealth(url: $0.name) }
    }

    /// `body`'s answer from every shard that gave one, in shard order.
    func each<T: Sendable>(_ body: @escaping @Sendable (ClickHouseReader) async throws -> T) async throws -> [T] {
        let outcomes = await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (i, (shard, health)) in zip(shards, health).enumerated() {
                group.addTask {
                    let started = ContinuousClock.now
                    do {
                        let answer = try await body(shard)
                        health.answered(after: Self.seconds(since: started))
                        return (i, .success(answer))
                    } catch {
                        // A refusal of the request (a bad cursor), or a request its client gave up
                        // on, says nothing of the shard.
                        if !(error is ReadRefused || error is CancellationError || Task.isCancelled) {
                            health.failed(after: Self.seconds(since: started), error)
                        }
                        return (i, .failure(error))
                    }
                }
            }
            var outcomes = [Result<T, any Error>?](repeating: nil, count: shards.count)
            for await (i, outcome) in group { outcomes[i] = outcome }
            return outcomes
        }
        var answers: [T] = []
        var failures: [(shard: String, error: any Error)] = []
        for (i, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let answer)?: answers.append(answer)
            case .failure(let error)?: failures.append((shards[i].client.name, error))
            case nil: break
            }
        }
        // A refusal of the request itself (a bad cursor) is the same on every shard: say it once.
        if let refused = failures.lazy.compactMap({ $0.error as? ReadRefused }).first { throw refused }
        if Task.isCancelled { throw CancellationError() }
        if answers.isEmpty && !failures.isEmpty {
            let timedOut = failures.allSatisfy { ($0.error as? ClickHouseClient.Failure)?.timedOut == true }
            throw ReadRefused(status: timedOut ? 504 : 503,
                              reason: "no shard of the fleet answered: " + failures.map { "\($0.shard): \(Self.reason($0.error))" }.joined(separator: "; "))
        }
        for failure in failures {
            ReadShortfall.note("shard \(failure.shard) left out: \(Self.reason(failure.error))")
        }
        return answers
    }

    static func reason(_ error: any Error) -> String {
        let text = (error as? ClickHouseClient.Failure)?.description ?? "\(error)"
        return String(text.split(separator: "\n").first ?? "").prefix(300).description
    }

    // MARK: Traces

    public func trace(_ id: TraceID, logLimit: Int) async throws -> StoredTrace {
        let parts = try await each { try await $0.trace(id, logLimit: logLimit) }
        var spans = parts.flatMap(\.spans)
        spans.sort { ($0.start, $0.spanID.value, $0.meta["tracejoin.host"] ?? "") < ($1.start, $1.spanID.value, $1.meta["tracejoin.host"] ?? "") }
        // Each shard's lines are its first by time: the first `logLimit` of all are among them.
        var logs = parts.flatMap(\.logs)
        logs.sort { Self.lineOrder($0) < Self.lineOrder($1) }
        let total = parts.reduce(0) { $0 + $1.logs.count + $1.logsOmitted }
        let kept = Array(logs.prefix(max(0, logLimit)))
        return StoredTrace(spans: spans, logs: kept, logsOmitted: max(0, total - kept.count))
    }

    /// A line's place in a fleet trace: its time, then its host.
    static func lineOrder(_ r: LogRecord) -> (Int64, String) {
        (r.effectiveNanoseconds ?? 0, r.fields.first { $0.name == "host" }?.value.description ?? "")
    }

    public func recentTraces(_ query: TraceListQuery) async throws -> [TraceSummary] {
        let limit = max(1, query.limit)
        var conditions: [String] = []
        if let service = query.service { conditions.append("service = \(ClickHouseReader.literal(service))") }
        if let since = query.since { conditions.append("start_ns >= \(since)") }
        if let until = query.until { conditions.append("start_ns < \(until)") }
        if query.onlyErrors && query.service == nil { conditions.append("error = 1") }
        // With a service and errors both asked, more candidates: some have no error.
        let pool = query.onlyErrors && query.service != nil ? limit * 8 : limit * 2
        let candidates = Self.latestFirst(try await each { [conditions] in try await $0.traces(where: conditions, limit: pool) }.flatMap { $0 }, limit: pool)
        let lows = candidates.map(\.low)
        let outlines = try await each { try await $0.outlines(ofTraces: lows) }.flatMap { $0 }
        let counts = try await each { try await $0.lineCounts(ofTraces: lows) }
        let byTrace = Dictionary(grouping: outlines, by: \.low)
        var traces: [(latest: Int64, summary: TraceSummary)] = []
        for found in candidates {
            var spans = byTrace[found.low] ?? []
            let root = spans.sorted { ($0.start, $0.span) < ($1.start, $1.span) }.first { $0.parent == 0 }?.name
            if let since = query.since { spans.removeAll { $0.start < since } }
            if let until = query.until { spans.removeAll { $0.start >= until } }
            let errors = spans.filter(\.error).count
            guard let latest = spans.map(\.start).max(), !query.onlyErrors || errors > 0 else { continue }
            traces.append((latest, TraceSummary(
                traceID: TraceID(high: found.high, low: found.low), rootName: root, services: Set(spans.map(\.service)).sorted(),
                start: spans.map(\.start).min()!, end: spans.map(\.end).max()!, spans: spans.count, errors: errors,
                logs: counts.reduce(0) { $0 + ($1[found.low] ?? 0) })))
        }
        return traces.sorted { ($0.latest, $0.summary.traceID.low) > ($1.latest, $1.summary.traceID.low) }.prefix(limit).map(\.summary)
    }

    /// Traces found on several shards, merged: each once (its latest start, a known high half),
    /// the latest first, at most `limit`.
    static func latestFirst(_ found: [ClickHouseReader.FoundTrace], limit: Int) -> [ClickHouseReader.FoundTrace] {
        var merged: [UInt64: ClickHouseReader.FoundTrace] = [:]
        for f in found {
            if let seen = merged[f.low] {
                merged[f.low] = .init(low: f.low, high: seen.high ?? f.high, latest: max(seen.latest, f.latest))
            } else {
                merged[f.low] = f
            }
        }
        return Array(merged.values.sorted { ($0.latest, $0.low) > ($1.latest, $1.low) }.prefix(limit))
    }

    public func span(_ id: SpanID) async throws -> (span: SpanRecord, logs: [LogRecord])? {
        let copies = try await each { try await $0.spans(withID: id) }.flatMap { $0 }
        guard let span = copies.max(by: { ($0.start, $0.traceID.low) < ($1.start, $1.traceID.low) }) else { return nil }
        let lines = try await each { try await $0.spanLogs(id, trace: span.traceID) }.flatMap { $0 }
        return (span, lines.sorted { ($0.time, $0.host, $0.id) < ($1.time, $1.host, $1.id) }.map(\.record))
    }

    // MARK: Lines

    public func logs(_ query: LogQuery) async throws -> LogPage {
        if query.after != nil { throw Self.noFollow }
        let limit = max(1, query.limit)
        let found = try await each { try await $0.searchLogs(query) }.flatMap { $0 }
        // Newest stored first, across hosts: (ingested, host, id) is unique and total.
        let page = found.sorted { ($0.ingested, $0.host, $0.id) > ($1.ingested, $1.host, $1.id) }.prefix(limit)
        let next = page.count == limit ? page.last.map { FleetCursor(ingested: $0.ingested, id: $0.id, host: $0.host).text } : nil
        return LogPage(records: page.map { ($0.id, $0.ingested, $0.record) }, next: nil, nextCursor: next)
    }

    public func logVolume(_ query: LogQuery, buckets: Int) async throws -> LogVolume {
        let ranges = try await each { try await $0.logTimeRange(query) }.compactMap { $0 }
        let axis = LogVolume.Axis(since: query.since, until: query.until, earliest: ranges.map(\.0).min(), latest: ranges.map(\.1).max(),
                                  buckets: buckets)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: LogVolume.levelClasses.count), count: axis.count)
        var total = 0
        for shard in try await each({ try await $0.logCounts(query, axis: axis) }) {
            for (bucket, level, n) in shard {
                counts[bucket][LogVolume.levelClass(ofLowercased: level)] += n
                total += n
            }
        }
        return LogVolume(axis: axis, counts: counts, total: total, scanned: total, complete: ReadShortfall.notes.isEmpty)
    }

    static let noFollow = ReadRefused(status: 501, reason: "the fleet service does not follow lines live: lines of many hosts have no one order of arrival; follow each daemon, or search with since=")

    public func lastLogID() async throws -> Int64 {
        throw Self.noFollow
    }

    public func unmatched(since: Int64, until: Int64, samples: Int) async throws -> [UnmatchedGroup] {
        throw ReadRefused(status: 501, reason: "the fleet service does not list unmatched lines: a trace's spans may be on any shard; ask each daemon (/v1/logs/unmatched)")
    }

    // MARK: Jaeger

    public func services() async throws -> [String] {
        Set(try await each { try await $0.services() }.flatMap { $0 }).sorted()
    }

    public func operations(service: String) async throws -> [SpanOperation] {
        Set(try await each { try await $0.operations(service: service) }.flatMap { $0 }).sorted { ($0.name, $0.kind) < ($1.name, $1.kind) }
    }

    public func findTraces(_ query: SpanSearch) async throws -> [TraceID] {
        let conditions = ClickHouseReader.conditions(query)
        let limit = max(1, query.limit)
        return Self.latestFirst(try await each { try await $0.traces(where: conditions, limit: limit) }.flatMap { $0 }, limit: limit)
            .map { TraceID(high: $0.high, low: $0.low) }
    }

    /// The most spans each shard gives to count service links from.
    static let maxLinkSpans = 1_000_000

    public func dependencies(since: Int64, until: Int64) async throws -> [ServiceLink] {
        // Children in the range, from every shard; their parents may be on another shard.
        let children = try await each {
            try await $0.outlines(where: ["start_ns >= \(since)", "start_ns <= \(until)", "parent_id != 0"], limit: Self.maxLinkSpans)
        }
        if children.contains(where: { $0.count >= Self.maxLinkSpans }) {
            ReadShortfall.note("service links counted from the first \(Self.maxLinkSpans) spans of a shard")
        }
        let spans = children.flatMap { $0 }
        struct Key: Hashable { var low: UInt64; var span: UInt64 }
        var service: [Key: String] = [:]
        for s in spans { service[Key(low: s.low, span: s.span)] = s.service }
        let missing = Set(spans.filter { service[Key(low: $0.low, span: $0.parent)] == nil }.map(\.low))
        for chunk in Array(missing).chunks(of: 500) {
            for s in try await each({ try await $0.outlines(ofTraces: chunk) }).flatMap({ $0 }) {
                service[Key(low: s.low, span: s.span)] = s.service
            }
        }
        var calls: [[String]: Int] = [:]
        var counted = Set<Key>()
        for s in spans where counted.insert(Key(low: s.low, span: s.span)).inserted {
            if let parent = service[Key(low: s.low, span: s.parent)], parent != s.service { calls[[parent, s.service], default: 0] += 1 }
        }
        return calls.map { ServiceLink(parent: $0.key[0], child: $0.key[1], calls: $0.value) }.sorted { ($0.parent, $0.child) < ($1.parent, $1.child) }
    }
}

extension Array {
    /// The array in consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
