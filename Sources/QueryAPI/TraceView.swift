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
    static func byTime(_ lines: [LogRecord]) -> [LogRecord] {
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

    // MARK: The JSON document (`GET /v1/traces/{id}`; read back by clients as ``TraceDocument``)

    public func json() -> [UInt8] {
        var w = JSONWriter(capacity: 1024 + 512 * logCount)
        w.objectStart()
        w.member("trace_id", id.hex)
        w.member("trace_id_dd", id.lowDecimal)
        w.member("start", start.map { Timestamps.iso8601(nanoseconds: $0) })
        w.member("duration_ns", duration)
        w.member("errors", Int64(errors))
        w.key("services")
        w.arrayStart()
        for s in services { w.string(s) }
        w.arrayEnd()
        w.member("span_count", Int64(spans.count))
        w.member("log_count", Int64(logCount))
        w.member("logs_omitted", Int64(logsOmitted))
        if logsOmitted > 0 { w.member("logs_more", "/v1/logs?trace_id=\(id.hex)&limit=1000") }
        w.key("spans")
        var placed = Set<SpanID>()
        writeSpans(roots, placed: &placed, to: &w)
        w.key("unmatched_logs")
        w.arrayStart()
        for r in unmatched { RecordJSON.log(r, to: &w) }
        w.arrayEnd()
        w.objectEnd()
        return w.bytes
    }

    private func writeSpans(_ list: [SpanRecord], placed: inout Set<SpanID>, to w: inout JSONWriter) {
        w.arrayStart()
        for s in list where placed.insert(s.spanID).inserted {
            RecordJSON.span(s, logs: logs(of: s.spanID), to: &w) { w in
                writeSpans((children[s.spanID] ?? []).filter { !placed.contains($0.spanID) }, placed: &placed, to: &w)
            }
        }
        w.arrayEnd()
    }
}

/// The one JSON form of each stored record, written as bytes, for every document that carries
/// records (a trace, a page of logs, the follow stream, a span, unmatched samples).
public enum RecordJSON {
    /// A log line: `time`, `time_ns`, `level`, `message`, `span_id`, `span_id_dd`, `source` (the file),
    /// `source_name`, `rule`, `fields`, `raw`, `id_error`; absent values are `null`.
    ///
    /// In a span's lines, `skew_ns` (a string) says how far the line's time lies outside its
    /// span when that is more than ``TraceView/skewTolerance`` (negative: before it).
    public static func log(_ r: LogRecord, skew: Int64? = nil, to w: inout JSONWriter) {
        w.objectStart()
        w.member("time", r.time)
        // The line's time as its rule read it (format, zone), in ns since the epoch, as a string.
        w.member("time_ns", r.effectiveNanoseconds.map(String.init))
        w.member("level", r.level)
        w.member("message", r.message)
        w.member("span_id", r.spanID?.hex)
        w.member("span_id_dd", r.spanID?.decimal)
        w.member("source", r.file)
        w.member("source_name", r.source)
        w.member("rule", r.rule)
        w.key("fields")
        w.objectStart()
        // A name captured twice keeps its first value.
        var fields: [String: FieldValue] = [:]
        for f in r.fields where fields[f.name] == nil { fields[f.name] = f.value }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            w.key(name)
            w.value(value)
        }
        w.objectEnd()
        w.member("raw", r.raw)
        w.member("id_error", r.idError)
        if let skew { w.member("skew_ns", String(skew)) }
        w.objectEnd()
    }

    /// A span with its lines; `children` writes the `children` array.
    static func span(_ s: SpanRecord, logs: [LogRecord], to w: inout JSONWriter, children: (inout JSONWriter) -> Void) {
        w.objectStart()
        w.member("span_id", s.spanID.hex)
        w.member("span_id_dd", s.spanID.decimal)
        w.member("parent_id", s.parentID?.hex)
        w.member("service", s.service)
        w.member("name", s.name)
        w.member("resource", s.resource)
        w.member("type", s.type)
        w.member("start", Timestamps.iso8601(nanoseconds: s.start))
        w.member("start_ns", String(s.start))
        w.member("duration_ns", s.duration)
        w.member("error", s.error)
        w.key("meta")
        w.objectStart()
        for (k, v) in s.meta.sorted(by: { $0.key < $1.key }) { w.member(k, v) }
        w.objectEnd()
        w.key("metrics")
        w.objectStart()
        for (k, v) in s.metrics.sorted(by: { $0.key < $1.key }) {
            w.key(k)
            w.value(.float(v))
        }
        w.objectEnd()
        w.member("protocol", s.protocolName)
        w.key("logs")
        w.arrayStart()
        for r in logs { log(r, skew: TraceView.skew(of: r, in: s), to: &w) }
        w.arrayEnd()
        w.key("children")
        children(&w)
        w.objectEnd()
    }

    /// A stored line with its place in the index: `id`, `ingested_at`, `trace_id`,
    /// `trace_id_dd`, `log`.
    static func entry(id: Int64?, ingested: Int64?, _ r: LogRecord, to w: inout JSONWriter) {
        w.objectStart()
        w.member("id", id.map(String.init) ?? "")
        w.member("ingested_at", ingested.map { Timestamps.iso8601(nanoseconds: $0) } ?? "")
        w.member("trace_id", r.traceID?.hex)
        w.member("trace_id_dd", r.traceID?.lowDecimal)
        w.key("log")
        log(r, to: &w)
        w.objectEnd()
    }
}
