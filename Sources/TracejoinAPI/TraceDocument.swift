import TraceContext
import TracejoinModel
import TracejoinSupport

/// `GET /v1/traces/{id}`: the spans as a tree, each with its log lines.
///
/// Two writers, side by side in this file so that a change to one is seen beside the other:
/// the server writes the document by hand from a ``TraceView`` (``TraceView/json()``, with
/// ``RecordJSON``: a trace of 50,000 lines is written without building this value), and a
/// client reads it into this type, or builds it from a view without JSON in between
/// (``init(_:)``, the CLI's ClickHouse traces). `TracejoinAPITests` checks that both agree.
///
/// Every ID is a JSON string. Timestamps in nanoseconds are strings too (they exceed 2^53).
public struct TraceDocument: Codable, Sendable, Equatable {
    /// 32 hex digits when the high half is known, else 16.
    public var trace_id: String
    /// The low 64 bits in decimal, as Datadog shows them.
    public var trace_id_dd: String
    /// The earliest span's start (RFC 3339), `nil` while no span is known.
    public var start: String?
    /// From the earliest span start to the latest span end.
    public var duration_ns: Int64
    /// Spans marked as errors.
    public var errors: Int
    /// The services of its spans, sorted.
    public var services: [String]
    public var span_count: Int
    /// Every line of the trace, including those left out of this document.
    public var log_count: Int
    /// Lines beyond the document's limit (`?logs_limit=`), oldest kept: they are paged, newest
    /// first, by ``logs_more``.
    public var logs_omitted: Int = 0
    /// Where the omitted lines page (`/v1/logs?trace_id=…`), `nil` when none were omitted.
    public var logs_more: String?
    public var spans: [Span]
    /// Lines carrying this trace ID whose span is not (yet) known.
    public var unmatched_logs: [Log]

    /// A document a client puts together itself (the CLI, for one span): its summary is
    /// computed from the spans given.
    public init(trace_id: String, trace_id_dd: String, spans: [Span], unmatched_logs: [Log]) {
        self.trace_id = trace_id
        self.trace_id_dd = trace_id_dd
        self.spans = spans
        self.unmatched_logs = unmatched_logs
        var all: [Span] = []
        func walk(_ s: Span) {
            all.append(s)
            s.children.forEach(walk)
        }
        spans.forEach(walk)
        let starts = all.compactMap { Int64($0.start_ns) }
        let first = starts.min()
        start = all.first { Int64($0.start_ns) == first }?.start
        duration_ns = first.map { f in (all.compactMap { s in Int64(s.start_ns).map { $0 + s.duration_ns } }.max() ?? f) - f } ?? 0
        errors = all.filter(\.error).count
        services = Set(all.map(\.service)).sorted()
        span_count = all.count
        log_count = all.reduce(unmatched_logs.count) { $0 + $1.logs.count }
    }

    /// The document ``TraceView/json()`` writes for `view`, as a value.
    public init(_ view: TraceView) {
        trace_id = view.id.hex
        trace_id_dd = view.id.lowDecimal
        start = view.start.map { Timestamps.iso8601(nanoseconds: $0) }
        duration_ns = view.duration
        errors = view.errors
        services = view.services
        span_count = view.spans.count
        log_count = view.logCount
        logs_omitted = view.logsOmitted
        logs_more = view.logsOmitted > 0 ? "/v1/logs?trace_id=\(view.id.hex)&limit=1000" : nil
        var placed = Set<SpanID>()
        func tree(_ list: [SpanRecord]) -> [Span] {
            var out: [Span] = []
            // As the writer: a span is placed once, and its children are those not placed yet
            // when it is reached (a parent cycle shows once).
            for s in list where placed.insert(s.spanID).inserted {
                let logs = view.logs(of: s.spanID)
                let below = (view.children[s.spanID] ?? []).filter { !placed.contains($0.spanID) }
                out.append(Span(s, logs: logs, children: tree(below)))
            }
            return out
        }
        spans = tree(view.roots)
        unmatched_logs = view.unmatched.map { Log($0) }
    }

    public struct Span: Codable, Sendable, Equatable {
        public var span_id: String
        public var span_id_dd: String
        public var parent_id: String?
        public var service: String
        public var name: String
        public var resource: String
        public var type: String
        public var start: String
        public var start_ns: String
        public var duration_ns: Int64
        public var error: Bool
        public var meta: [String: String]
        public var metrics: [String: Double]
        public var `protocol`: String
        public var children: [Span]
        public var logs: [Log]

        /// What ``RecordJSON/span(_:logs:to:children:)`` writes for `s`, its lines (each with
        /// its skew) and `children`.
        public init(_ s: SpanRecord, logs: [LogRecord], children: [Span]) {
            span_id = s.spanID.hex
            span_id_dd = s.spanID.decimal
            parent_id = s.parentID?.hex
            service = s.service
            name = s.name
            resource = s.resource
            type = s.type
            start = Timestamps.iso8601(nanoseconds: s.start)
            start_ns = String(s.start)
            duration_ns = s.duration
            error = s.error
            meta = s.meta
            metrics = s.metrics
            self.protocol = s.protocolName
            self.children = children
            self.logs = logs.map { Log($0, skew: TraceView.skew(of: $0, in: s)) }
        }
    }

    public struct Log: Codable, Sendable, Equatable {
        public var time: String?
        /// The line's time as its rule read it (format, zone), in ns since the epoch.
        public var time_ns: String?
        public var level: String?
        public var message: String?
        /// The file the line was read from.
        public var source: String
        /// The rule file's `source:` name.
        public var source_name: String
        public var rule: String
        public var raw: String
        public var span_id: String?
        public var span_id_dd: String?
        public var fields: [String: FieldValue]
        public var id_error: String?
        /// In a span's lines: how far the line's time lies outside its span (ns, negative
        /// before it), when by more than ``TraceView/skewTolerance``.
        public var skew_ns: String?

        /// What ``RecordJSON/log(_:skew:to:)`` writes for `r`.
        public init(_ r: LogRecord, skew: Int64? = nil) {
            time = r.time
            time_ns = r.effectiveNanoseconds.map(String.init)
            level = r.level
            message = r.message
            source = r.file
            source_name = r.source
            rule = r.rule
            raw = r.raw
            span_id = r.spanID?.hex
            span_id_dd = r.spanID?.decimal
            fields = RecordJSON.fields(of: r)
            id_error = r.idError
            skew_ns = skew.map(String.init)
        }
    }
}

// MARK: The server's writer

extension TraceView {
    /// The trace document (``TraceDocument``), written by hand: the server's form.
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
/// records (a trace, a page of logs, the follow stream, a span, unmatched samples). Its shape
/// is ``TraceDocument/Log`` and ``TraceDocument/Span``; a page's entry is ``LogsPage/Entry``.
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
        for (name, value) in fields(of: r).sorted(by: { $0.key < $1.key }) {
            w.key(name)
            w.value(value)
        }
        w.objectEnd()
        w.member("raw", r.raw)
        w.member("id_error", r.idError)
        if let skew { w.member("skew_ns", String(skew)) }
        w.objectEnd()
    }

    /// A line's fields by name; a name captured twice keeps its first value.
    static func fields(of r: LogRecord) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        for f in r.fields where fields[f.name] == nil { fields[f.name] = f.value }
        return fields
    }

    /// A span with its lines; `children` writes the `children` array.
    public static func span(_ s: SpanRecord, logs: [LogRecord], to w: inout JSONWriter, children: (inout JSONWriter) -> Void) {
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
}
