import TraceContext
import TracejoinModel

/// One trace as every rendering reads it — the JSON document, the web view's waterfall and
/// Jaeger's model — computed once from the stored records: the spans as a tree (roots and
/// children by start; spans on a parent cycle shown as roots rather than dropped), each span's
/// log lines in arrival order, the lines whose span is not in the trace, and the summary.
public struct TraceView: Sendable {
    /// The most complete form of the ID: the high half known from any span or line.
    public let id: TraceID
    public let spans: [SpanRecord]
    public let roots: [SpanRecord]
    public let children: [SpanID: [SpanRecord]]
    public let logsBySpan: [SpanID: [LogRecord]]
    public let unmatched: [LogRecord]
    /// Earliest span start and latest span end, nanoseconds (`nil` while no span is known).
    public let start: Int64?
    public let end: Int64?
    public let errors: Int
    public let services: [String]
    /// Every line of the trace, including those left out (``logsOmitted``).
    public let logCount: Int
    public let logsOmitted: Int

    public init(_ stored: StoredTrace, queried: TraceID) {
        let high = queried.high ?? stored.spans.lazy.compactMap(\.traceID.high).first
            ?? stored.logs.lazy.compactMap { $0.traceID?.high }.first
        id = TraceID(high: high, low: queried.low)
        spans = stored.spans
        let known = Set(stored.spans.map(\.spanID))
        var logsBySpan: [SpanID: [LogRecord]] = [:]
        var unmatched: [LogRecord] = []
        for record in stored.logs {
            if let span = record.spanID, known.contains(span) {
                logsBySpan[span, default: []].append(record)
            } else {
                unmatched.append(record)
            }
        }
        self.logsBySpan = logsBySpan.mapValues(TraceView.byTime)
        self.unmatched = TraceView.byTime(unmatched)
        let byStart: (SpanRecord, SpanRecord) -> Bool = { ($0.start, $0.spanID.value) < ($1.start, $1.spanID.value) }
        var children: [SpanID: [SpanRecord]] = [:]
        var roots: [SpanRecord] = []
        for span in stored.spans.sorted(by: byStart) {
            if let parent = span.parentID, parent != span.spanID, known.contains(parent) {
                children[parent, default: []].append(span)
            } else {
                roots.append(span)
            }
        }
        // Spans on a parent cycle are reached from no root: each such cycle shows from one of
        // its spans, as a root, rather than being dropped.
        var reached = Set<SpanID>()
        var stack = roots
        while let s = stack.popLast() {
            if reached.insert(s.spanID).inserted { stack += children[s.spanID] ?? [] }
        }
        for span in stored.spans.sorted(by: byStart) where !reached.contains(span.spanID) {
            roots.append(span)
            var cycle = [span]
            while let s = cycle.popLast() {
                if reached.insert(s.spanID).inserted { cycle += children[s.spanID] ?? [] }
            }
        }
        self.roots = roots
        self.children = children
        start = stored.spans.map(\.start).min()
        // Saturating: a stored span's start and duration come from outside (a start near
        // Int64.max with any duration must not trap a page that shows it).
        end = stored.spans.map { $0.start.addingReportingOverflow(max(0, $0.duration)).overflow ? .max : $0.start + max(0, $0.duration) }.max()
        errors = stored.spans.filter(\.error).count
        services = Set(stored.spans.map(\.service)).sorted()
        logCount = stored.logs.count + stored.logsOmitted
        logsOmitted = stored.logsOmitted
    }

    public var duration: Int64 {
        start.map { s in
            let (d, overflow) = (end ?? s).subtractingReportingOverflow(s)
            return overflow ? .max : d
        } ?? 0
    }

    /// Every span once, depth first (roots, then each span's children by start), with its depth.
    public func walk(_ body: (SpanRecord, Int) -> Void) {
        var placed = Set<SpanID>()
        var stack = roots.reversed().map { ($0, 0) }
        while let (span, depth) = stack.popLast() {
            guard placed.insert(span.spanID).inserted else { continue }
            body(span, depth)
            for child in (children[span.spanID] ?? []).reversed() where !placed.contains(child.spanID) {
                stack.append((child, depth + 1))
            }
        }
    }

    public func logs(of span: SpanID) -> [LogRecord] { logsBySpan[span] ?? [] }

    /// `span` and every span below it (each once, whatever cycles the parents make).
    public func subtree(of span: SpanID) -> Set<SpanID> {
        var set: Set<SpanID> = [span]
        var stack = [span]
        while let next = stack.popLast() {
            for child in children[next] ?? [] where set.insert(child.spanID).inserted { stack.append(child.spanID) }
        }
        return set
    }

    /// Lines in the order of their own times; a line without one keeps its place after the
    /// line that came before it (stable, by arrival).
    package static func byTime(_ lines: [LogRecord]) -> [LogRecord] {
        var carried = Int64.min
        let keyed = lines.enumerated().map { (i, r) -> (key: Int64, arrival: Int, record: LogRecord) in
            if let t = r.effectiveNanoseconds { carried = t }
            return (carried, i, r)
        }
        return keyed.sorted { ($0.key, $0.arrival) < ($1.key, $1.arrival) }.map(\.record)
    }

    /// How far apart a line's time and its span may be before the line is marked: clocks and
    /// zones that disagree show instead of misleading (docs/api.md).
    public static let skewTolerance: Int64 = 60_000_000_000

    /// How far `line`'s time lies outside `span` (ns: negative before its start, positive after
    /// its end), when by more than ``skewTolerance``; nil otherwise or without a time.
    public static func skew(of line: LogRecord, in span: SpanRecord) -> Int64? {
        guard let t = line.effectiveNanoseconds else { return nil }
        let end = span.start.addingReportingOverflow(max(0, span.duration))
        let spanEnd = end.overflow ? Int64.max : end.partialValue
        let (before, o1) = t.subtractingReportingOverflow(span.start)
        let (after, o2) = t.subtractingReportingOverflow(spanEnd)
        if !o1, before < -skewTolerance { return before }
        if o1, t < span.start { return .min }
        if !o2, after > skewTolerance { return after }
        if o2, t > spanEnd { return .max }
        return nil
    }
}
