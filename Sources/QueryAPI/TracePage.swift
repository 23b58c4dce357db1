import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel

extension WebView {
    // MARK: One trace: the waterfall

    static func tracePage(_ text: String, request: Request, reader: any TraceReader) async throws -> Response {
        guard let candidates = try? TraceID.lookupCandidates(text), !candidates.isEmpty else {
            return errorPage(.badRequest, "Invalid trace ID", "'\(text)' is not a trace ID in any accepted form (32 or 16 hex digits, or Datadog's decimal).")
        }
        let limit = request.uri.queryParameters["logs_limit"].flatMap { Int(String($0)) }.map { min(max($0, 1), QueryServer.maxTraceLogs) }
            ?? QueryServer.defaultTraceLogs
        guard let (stored, id) = try await QueryServer.lookUp(candidates, logLimit: limit, reader: reader) else {
            return errorPage(.notFound, "Trace not found", "No span or log line is known with trace ID \(text).")
        }
        return HTML.response(TracePage(stored, id: id).render())
    }

    /// A trace's log lines in the order of their own times, each with its span, service and
    /// level: `?span=<hex>` only that span's, `&descendants=true` with its descendants';
    /// `?level=`, `?service=`, `?q=` (a substring of the message) filter.
    static func traceLogsPage(_ text: String, request: Request, reader: any TraceReader) async throws -> Response {
        guard let candidates = try? TraceID.lookupCandidates(text), !candidates.isEmpty else {
            return errorPage(.badRequest, "Invalid trace ID", "'\(text)' is not a trace ID in any accepted form (32 or 16 hex digits, or Datadog's decimal).")
        }
        guard let (stored, id) = try await QueryServer.lookUp(candidates, logLimit: QueryServer.maxTraceLogs, reader: reader) else {
            return errorPage(.notFound, "Trace not found", "No span or log line is known with trace ID \(text).")
        }
        let view = TraceView(stored, queried: id)
        let p = request.uri.queryParameters
        func value(_ name: String) -> String? { p[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let spansByID = Dictionary(stored.spans.map { ($0.spanID, $0) }, uniquingKeysWith: { a, _ in a })
        // Which spans' lines: one span, with or without its descendants, or every line.
        var chosen: Set<SpanID>?
        var title = "All log lines"
        if let spanText = value("span") {
            guard let span = try? SpanID.parse(spanText, encoding: .hex) else {
                return errorPage(.badRequest, "Invalid span ID", "'\(spanText)' is not a span ID in hex")
            }
            let descendants = value("descendants") == "true"
            chosen = descendants ? view.subtree(of: span) : [span]
            title = "Lines of span \(spans(spansByID[span]))" + (descendants ? " and its descendants" : "")
        }
        let level = value("level")?.lowercased(), service = value("service"), needle = value("q")
        let lines = TraceView.byTime(stored.logs).filter { r in
            if let chosen, !(r.spanID.map(chosen.contains) ?? false) { return false }
            if let level, (r.level ?? "").lowercased() != level { return false }
            if let service, r.spanID.flatMap({ spansByID[$0]?.service }) != service { return false }
            if let needle, !(r.message ?? r.raw).contains(needle) { return false }
            return true
        }
        return HTML.response(page("Logs of trace " + view.id.hex) { h in
            h.raw("<h1>Log lines of trace ")
            h.link("/trace/" + HTML.query(view.id.hex), view.id.hex, class: "id")
            h.raw("</h1><p class=\"summary\">")
            h.text("\(title): \(lines.count) of \(stored.logs.count), in the order of their own times. ")
            h.link("/logs?trace_id=" + HTML.query(view.id.hex), "Search them in Logs")
            h.raw("</p><form method=\"get\" class=\"filters\" id=\"trace-log-filters\">")
            for (name, label) in [("level", "level"), ("service", "service"), ("q", "message contains")] {
                h.raw("<label>")
                h.text(label)
                h.raw(" <input")
                h.attribute("name", name)
                h.attribute("value", value(name) ?? "")
                h.raw("></label> ")
            }
            if let spanText = value("span") {
                h.raw("<input type=\"hidden\" name=\"span\"")
                h.attribute("value", spanText)
                h.raw("><label><input type=\"checkbox\" name=\"descendants\" value=\"true\"")
                if value("descendants") == "true" { h.raw(" checked") }
                h.raw("> with its descendants' lines</label> ")
            }
            h.raw("<button type=\"submit\">Filter</button></form>")
            h.raw("<table class=\"logs\" id=\"trace-logs\"><thead><tr><th>time</th><th>service</th><th>span</th><th>level</th><th>message</th></tr></thead><tbody>")
            for r in lines {
                let span = r.spanID.flatMap { spansByID[$0] }
                h.raw("<tr")
                h.attribute("class", "level-" + (r.level ?? "").lowercased().filter { $0.isLetter })
                h.raw("><td class=\"time\">")
                h.text(r.time ?? "")
                h.raw("</td><td>")
                h.text(span?.service ?? "")
                h.raw("</td><td>")
                if let id = r.spanID {
                    h.link("/trace/" + HTML.query(view.id.hex) + "/logs?span=" + id.hex + "&descendants=true", span?.name ?? id.hex)
                } else {
                    h.text("—")
                }
                h.raw("</td><td>")
                h.text(r.level ?? "")
                h.raw("</td><td class=\"message\">")
                h.text(r.message ?? r.raw)
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        })

        func spans(_ s: SpanRecord?) -> String { s.map { "\($0.service) \($0.name)" } ?? "(not in the trace)" }
    }

    /// A span's detail as an HTML fragment (``SpanDetailView``), fetched when its row is opened;
    /// `?start=` is the trace's start as the page has it, for the span's offset.
    static func spanDetailFragment(_ traceText: String, span spanText: String, start: Int64?, reader: any TraceReader) async throws -> Response {
        guard let trace = try? TraceID.parse(traceText, encoding: .hex), let spanID = try? SpanID.parse(spanText, encoding: .hex) else {
            return errorPage(.badRequest, "Invalid ID", "a trace and a span ID in hex are expected")
        }
        var found: (span: SpanRecord, logs: [LogRecord])?
        if let hit = try await reader.span(spanID), hit.span.traceID.matches(trace) {
            found = hit
        } else {
            // The newest span of that ID belongs to another trace: read this one's.
            let stored = try await reader.trace(trace, logLimit: QueryServer.maxTraceLogs)
            if let span = stored.spans.first(where: { $0.spanID == spanID }) {
                found = (span, stored.logs.filter { $0.spanID == spanID })
            }
        }
        guard let found else { return errorPage(.notFound, "Span not found", "No span \(spanText) is known in trace \(traceText).") }
        let view = SpanDetailView(span: found.span, id: trace, start: start ?? found.span.start, lines: found.logs)
        return HTML.response(view.render())
    }

    /// A span's log lines as an HTML fragment (a `<table>`), fetched when a span's detail is
    /// opened: a trace of 10,000 lines is not sent, laid out and parsed at once.
    /// `?descendants=true`: its descendants' lines too, in time order, each with its span.
    static func spanLogsFragment(_ traceText: String, span spanText: String, descendants: Bool, reader: any TraceReader) async throws -> Response {
        guard let trace = try? TraceID.parse(traceText, encoding: .hex), let span = try? SpanID.parse(spanText, encoding: .hex) else {
            return errorPage(.badRequest, "Invalid ID", "a trace and a span ID in hex are expected")
        }
        var h = HTML()
        if descendants {
            let stored = try await reader.trace(trace, logLimit: QueryServer.maxTraceLogs)
            let view = TraceView(stored, queried: trace)
            let set = view.subtree(of: span)
            let names = Dictionary(stored.spans.map { ($0.spanID, $0.service + " " + $0.name) }, uniquingKeysWith: { a, _ in a })
            h.raw("<table class=\"logs with-spans\"><tbody>")
            for r in TraceView.byTime(stored.logs) where r.spanID.map(set.contains) ?? false {
                TracePage.logLine(&h, r, span: r.spanID.flatMap { names[$0] })
            }
            h.raw("</tbody></table>")
            return HTML.response(h)
        }
        var records: [LogRecord] = []
        var query = LogQuery()
        query.traceID = trace
        query.spanID = span
        query.limit = SearchRoutes.maxLogs
        query.after = 0
        while true {
            let page = try await reader.logs(query)
            records += page.records.map(\.record)
            guard page.records.count == query.limit, let last = page.records.last?.id, records.count < QueryServer.maxTraceLogs else { break }
            query.after = last
        }
        h.raw("<table class=\"logs\"><tbody>")
        for r in records { TracePage.logLine(&h, r) }
        h.raw("</tbody></table>")
        return HTML.response(h)
    }
}

/// The waterfall of one trace, dense as Jaeger UI's: one row per span (24 px) with the tree in a
/// left column (service chip, operation, resource, error mark, line count) beside its bar on one
/// timeline under a ruler; an overview strip of the whole trace to zoom into a stretch; a tool
/// bar to find within the trace, show errors, and collapse subtrees or to a depth. A span's
/// detail (every attribute, its resource, events, links, IDs in every form, its lines with or
/// without its descendants') opens under its row. In a trace of at most ``collapseAbove``
/// lines, each span's lines are also shown under its row; in a larger one they are fetched
/// when its detail opens. Rows off screen are not laid out (`content-visibility`), so a trace
/// of thousands of spans scrolls as one of ten. The script (``WebAssets/waterfallJavaScript``)
/// only moves what the server wrote: every value from the trace is written here, escaped.
struct TracePage {
    let view: TraceView
    let stored: StoredTrace
    let id: TraceID
    let start: Int64
    let total: Int64
    let services: [String]

    /// Beyond this many lines, lines are not written under their spans but fetched with a
    /// span's detail.
    static let collapseAbove = 300
    /// Depths beyond this are indented as this one (the depth is still in `data-depth`).
    static let deepestIndent = 24

    init(_ stored: StoredTrace, id: TraceID) {
        view = TraceView(stored, queried: id)
        self.stored = stored
        self.id = view.id
        start = view.start ?? 0
        total = max(1, view.duration)
        services = view.services
    }

    /// Where `ns` lies on the trace's axis (0 at its start, 1 at its end). A line's time or a
    /// span's start can be anywhere nanoseconds reach (a line from 1700, a span sent with a start
    /// near the ends of Int64): beyond what the difference holds is off the axis, never a trap.
    func fraction(_ ns: Int64) -> Double {
        let (d, overflow) = ns.subtractingReportingOverflow(start)
        return overflow ? (ns > start ? .infinity : -.infinity) : Double(d) / Double(total)
    }

    func render() -> HTML {
        var rows: [(span: SpanRecord, depth: Int)] = []
        rows.reserveCapacity(view.spans.count)
        view.walk { span, depth in rows.append((span, depth)) }
        let inline = stored.logs.count <= Self.collapseAbove
        return WebView.page("Trace " + id.hex) { h in
            h.raw("<h1>Trace <code class=\"id\">")
            h.text(id.hex)
            h.raw("</code>")
            Self.copyButton(&h, id.hex)
            h.raw(" <span class=\"dd\">dd <code class=\"id\">")
            h.text(id.lowDecimal)
            h.raw("</code>")
            Self.copyButton(&h, id.lowDecimal)
            h.raw("</span></h1><p class=\"summary\">")
            h.text("\(view.spans.count) spans · \(view.logCount) log lines · \(HumanUnits.duration(total))")
            if let first = view.start {
                h.text(" · started ")
                WebView.time(&h, nanoseconds: first)
            }
            h.text(" · services: \(services.joined(separator: ", ")) · ")
            h.link("/trace/" + HTML.query(id.hex) + "/logs", "Logs (every line, time order)")
            h.raw(" · ")
            h.link("/logs?trace_id=" + HTML.query(id.hex), "Search in Logs")
            h.raw("</p>")
            if stored.logsOmitted > 0 {
                h.raw("<p class=\"warning\">")
                h.text("\(stored.logsOmitted) more log lines are not shown. ")
                h.link("/trace/" + HTML.query(id.hex) + "?logs_limit=\(QueryServer.maxTraceLogs)", "Show up to \(QueryServer.maxTraceLogs)")
                h.raw("</p>")
            }
            h.raw("<div class=\"legend\">")
            for (i, s) in services.enumerated() {
                h.raw("<span")
                h.attribute("class", "chip " + WebView.colour(i))
                h.raw(">")
                h.text(s)
                h.raw("</span>")
            }
            h.raw("</div>")
            tools(&h, maxDepth: rows.map(\.depth).max() ?? 0, inline: inline)
            overview(&h, rows)
            h.raw("<div class=\"waterfall\" id=\"waterfall\"")
            h.attribute("data-total-ns", String(total))
            h.raw("><div class=\"wf-head\"><div class=\"tree-col\">Service · operation</div><div class=\"time-col ruler\" id=\"ruler\">")
            for i in 0...4 {
                h.raw("<span class=\"tick\">")
                h.text(i == 0 ? "0" : HumanUnits.duration(total / 4 * Int64(i)))
                h.raw("</span>")
            }
            h.raw("</div><div class=\"dur-col\">duration</div></div>")
            for (index, (span, depth)) in rows.enumerated() {
                row(&h, span, depth: depth, first: index == 0, hasChildren: !(view.children[span.spanID] ?? []).isEmpty, inline: inline)
            }
            h.raw("</div>")
            if !view.unmatched.isEmpty {
                h.raw("<h2>Lines whose span is not in this trace</h2><table class=\"logs\" id=\"orphans\"><tbody>")
                for r in view.unmatched { Self.logLine(&h, r) }
                h.raw("</tbody></table>")
            }
        }
    }

    /// Find, errors, collapse and expand, depth, lines under spans, zoom reset.
    func tools(_ h: inout HTML, maxDepth: Int, inline: Bool) {
        h.raw("<div class=\"trace-tools\" id=\"trace-tools\">")
        h.raw("<input type=\"search\" id=\"find\" placeholder=\"Find: text, service, span ID, or error\" size=\"34\" autocomplete=\"off\">")
        h.raw("<span id=\"find-count\" class=\"muted\"></span>")
        h.raw("<button type=\"button\" id=\"find-prev\" title=\"previous match (Shift+Enter)\">↑</button>")
        h.raw("<button type=\"button\" id=\"find-next\" title=\"next match (Enter)\">↓</button>")
        h.raw("<label><input type=\"checkbox\" id=\"errors-only\"> errors only</label>")
        h.raw("<button type=\"button\" id=\"expand-all\">Expand all</button><button type=\"button\" id=\"collapse-all\">Collapse all</button>")
        h.raw("<label>Depth <select id=\"depth\"><option value=\"\">all</option>")
        for d in 1...max(1, min(maxDepth + 1, 64)) { h.raw("<option value=\"\(d)\">\(d)</option>") }
        h.raw("</select></label>")
        if inline { h.raw("<label><input type=\"checkbox\" id=\"show-lines\" checked> lines under spans</label>") }
        h.raw("<button type=\"button\" id=\"zoom-reset\" hidden>Whole trace</button>")
        h.raw("<span class=\"keys muted\">↑↓ move · ←→ fold · Enter detail · / find</span></div>")
    }

    /// The whole trace in a strip: one thin bar per span in row order; dragging across it zooms
    /// the waterfall's timeline to that stretch.
    func overview(_ h: inout HTML, _ rows: [(span: SpanRecord, depth: Int)]) {
        let height = max(1, rows.count)
        h.raw("<div class=\"overview\" id=\"overview\" title=\"drag to zoom into a stretch of the trace\">")
        h.raw("<svg viewBox=\"0 0 1000 \(height)\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"the whole trace\">")
        for (i, (span, _)) in rows.enumerated() {
            let (from, to) = extent(span)
            let x = max(0, min(1000, from * 1000)), w = max(1, min(1000 - x, (to - from) * 1000))
            h.raw("<rect class=\"\(WebView.colour(services.firstIndex(of: span.service) ?? 0))\" x=\"\(WebView.fmt(x))\" y=\"\(i)\" width=\"\(WebView.fmt(w))\" height=\"1\"></rect>")
        }
        h.raw("</svg><div class=\"overview-selection\" id=\"overview-selection\" hidden></div></div>")
    }

    /// A span's bar on the trace's axis, 0…1.
    func extent(_ s: SpanRecord) -> (Double, Double) {
        let end = s.start.addingReportingOverflow(s.duration)
        return (fraction(s.start), end.overflow ? .infinity : fraction(end.partialValue))
    }

    static func copyButton(_ h: inout HTML, _ value: String) {
        h.raw("<button type=\"button\" class=\"copy\"")
        h.attribute("data-copy", value)
        h.raw(">copy</button>")
    }

    func row(_ h: inout HTML, _ s: SpanRecord, depth: Int, first: Bool, hasChildren: Bool, inline: Bool) {
        let serviceIndex = services.firstIndex(of: s.service) ?? 0
        let logs = view.logs(of: s.spanID)
        h.raw("<div")
        h.attribute("class", "span" + (s.error ? " has-error" : ""))
        h.attribute("data-span-id", s.spanID.hex)
        if let parent = s.parentID { h.attribute("data-parent-id", parent.hex) }
        h.attribute("data-depth", String(depth))
        h.attribute("data-duration-ns", String(s.duration))
        h.raw(first ? " tabindex=\"0\"" : " tabindex=\"-1\"")
        h.raw("><div class=\"tree-col indent\(min(depth, Self.deepestIndent))\">")
        if hasChildren {
            h.raw("<button type=\"button\" class=\"twisty\" aria-expanded=\"true\" title=\"fold this subtree\">▾</button>")
        } else {
            h.raw("<span class=\"twisty leaf\"></span>")
        }
        h.raw("<span")
        h.attribute("class", "chip " + WebView.colour(serviceIndex))
        h.raw(">")
        h.text(s.service)
        h.raw("</span><span class=\"name\">")
        h.text(s.name)
        h.raw("</span>")
        if !s.resource.isEmpty && s.resource != s.name {
            h.raw("<span class=\"resource\">")
            h.text(s.resource)
            h.raw("</span>")
        }
        // From the fleet service: the host that reported the span.
        if let host = s.meta["tracejoin.host"] { WebView.hostMark(&h, host) }
        if s.error { h.raw("<span class=\"errmark\" title=\"error\">✗</span>") }
        if !logs.isEmpty {
            h.raw("<span class=\"nlines\"")
            h.attribute("title", "\(logs.count) log line\(logs.count == 1 ? "" : "s")")
            h.raw(">")
            h.text(HumanUnits.count(logs.count))
            h.raw("</span>")
        }
        h.raw("</div><div class=\"time-col\">")
        // At most 50 marks a bar: beyond that they only cover it.
        let step = max(1, logs.count / 50)
        let marks = stride(from: 0, to: logs.count, by: step).compactMap { logs[$0].effectiveNanoseconds }.map(fraction)
        let (from, to) = extent(s)
        WebView.bar(&h, from: from, to: to, cls: WebView.colour(serviceIndex), marks: marks, error: s.error)
        h.raw("</div><div class=\"dur-col\">")
        h.text(HumanUnits.duration(s.duration))
        h.raw("</div></div>")
        if inline && !logs.isEmpty {
            h.raw("<div class=\"span-lines\"")
            h.attribute("data-for", s.spanID.hex)
            h.raw("><table class=\"logs\"><tbody>")
            for r in logs { Self.logLine(&h, r, skew: TraceView.skew(of: r, in: s)) }
            h.raw("</tbody></table></div>")
        }
        // The detail is fetched when its row is opened: a trace of thousands of spans does not
        // carry thousands of attribute tables it may never show.
        h.raw("<div class=\"span-detail\" hidden")
        h.attribute("data-for", s.spanID.hex)
        h.attribute("data-src", "/trace/\(id.hex)/span/\(s.spanID.hex)?start=\(start)")
        h.raw("></div>")
    }

    static func logLine(_ h: inout HTML, _ r: LogRecord, skew: Int64? = nil, span: String? = nil) {
        let level = (r.level ?? "").lowercased().filter { $0.isLetter }
        h.raw("<tr")
        h.attribute("class", "log level-" + level + (skew != nil ? " skewed" : ""))
        h.raw("><td class=\"time\">")
        h.text(r.time ?? "")
        if let skew {
            // A clock or zone that disagrees with the span's: said, not hidden.
            let text = HumanUnits.duration(skew == .min ? .max : abs(skew)) + (skew < 0 ? " before its span" : " after its span")
            h.raw(" <span class=\"skew\"")
            h.attribute("title", "this line's time lies outside its span: a clock or time zone may disagree")
            h.raw(">⚠ ")
            h.text(text)
            h.raw("</span>")
        }
        h.raw("</td>")
        if let span {
            h.raw("<td class=\"span-name\">")
            h.text(span)
            h.raw("</td>")
        }
        h.raw("<td class=\"level\">")
        h.text(r.level ?? "")
        h.raw("</td><td class=\"message\">")
        if let host = WebView.host(of: r) { WebView.hostMark(&h, host) }
        h.text(r.message ?? r.raw)
        h.raw("<details class=\"raw\"><summary>raw</summary><pre>")
        h.text(r.raw)
        h.raw("</pre></details></td></tr>")
    }
}

/// A span's detail, shown under its row when opened (`/trace/{id}/span/{span}`, an HTML fragment
/// escaped like the page).
struct SpanDetailView {
    let span: SpanRecord
    /// The trace's ID as the page shows it.
    let id: TraceID
    /// The trace's start, for the span's offset.
    let start: Int64
    let lines: [LogRecord]

    func offset(_ ns: Int64) -> String {
        let (d, overflow) = ns.subtractingReportingOverflow(start)
        return HumanUnits.duration(overflow ? (ns > start ? .max : .min) : d)
    }

    /// What the span is, its IDs in every form with copy buttons, every attribute the tracer
    /// sent (typed), its resource, events and links, and its lines (with a switch to its
    /// descendants' lines, fetched).
    func render() -> HTML {
        var h = HTML()
        let s = span
        h.raw("<p class=\"detail-head\"><b>")
        h.text(s.service)
        h.raw("</b> ")
        h.text(s.name)
        if !s.resource.isEmpty && s.resource != s.name { h.text(" · " + s.resource) }
        h.text(" · " + HumanUnits.duration(s.duration) + " at +" + offset(s.start))
        if let kind = s.meta["span.kind"] { h.text(" · " + kind) }
        if s.error { h.raw(" · <span class=\"errmark\">error</span>") }
        h.raw("</p><table class=\"fields ids\"><tbody>")
        func idRow(_ label: String, _ value: String) {
            h.raw("<tr><th>")
            h.text(label)
            h.raw("</th><td><code class=\"id\">")
            h.text(value)
            h.raw("</code>")
            TracePage.copyButton(&h, value)
            h.raw("</td></tr>")
        }
        idRow("span ID (hex)", s.spanID.hex)
        idRow("span ID (Datadog, decimal)", String(s.spanID.value))
        if let parent = s.parentID { idRow("parent span ID", parent.hex) }
        idRow("trace ID (hex)", id.hex)
        idRow("trace ID (Datadog, decimal)", id.lowDecimal)
        h.raw("</tbody></table>")
        attributes(&h, s)
        h.raw("<div class=\"detail-lines\"")
        h.attribute("data-src", "/trace/\(id.hex)/span/\(s.spanID.hex)/logs")
        h.raw("><p><b>")
        h.text(HumanUnits.count(lines.count) + " log line" + (lines.count == 1 ? "" : "s"))
        h.raw("</b> <label><input type=\"checkbox\" class=\"with-descendants\"> with its descendants' lines</label> · ")
        h.link("/trace/" + HTML.query(id.hex) + "/logs?span=" + s.spanID.hex + "&descendants=true", "in time order, with descendants'")
        h.raw("</p><div class=\"lines-here\"><table class=\"logs\"><tbody>")
        for r in lines { TracePage.logLine(&h, r, skew: TraceView.skew(of: r, in: s)) }
        h.raw("</tbody></table></div></div>")
        return h
    }

    /// What the tracer sent with the span: its tags (typed as sent), its resource's attributes,
    /// its events (an exception's type, message and stack) and its links (to the linked trace).
    func attributes(_ h: inout HTML, _ s: SpanRecord) {
        func row(_ key: String, _ value: String, type: String) {
            h.raw("<tr><th>")
            h.text(key)
            h.raw("</th><td>")
            h.text(value)
            h.raw("</td><td class=\"type\">")
            h.text(type)
            h.raw("</td></tr>")
        }
        func type(_ a: SpanAttribute) -> String {
            if a.isBinary { return "bytes (base64)" }
            switch a.value {
            case .string: return "string"
            case .integer: return "int"
            case .float: return "double"
            case .bool: return "bool"
            case .null: return "empty"
            }
        }
        // The resource's attributes once, as the resource's (not again as `resource.*` tags).
        let tags = s.tags
        h.raw("<table class=\"fields attributes\"><thead><tr><th>attribute</th><th>value</th><th>type</th></tr></thead><tbody>")
        if tags.isEmpty { h.raw("<tr><td colspan=\"3\" class=\"muted\">no attributes</td></tr>") }
        for a in tags { row(a.key, a.value.description, type: type(a)) }
        h.raw("</tbody></table>")
        if !s.details.resource.isEmpty {
            h.raw("<table class=\"fields resource-attributes\"><thead><tr><th>resource</th><th>value</th><th>type</th></tr></thead><tbody>")
            for a in s.details.resource { row(a.key, a.value.description, type: type(a)) }
            h.raw("</tbody></table>")
        }
        for e in s.details.events {
            h.raw("<div class=\"span-event\"><span class=\"event-name\">")
            h.text(e.name)
            h.raw("</span> at +")
            let offset = e.time.subtractingReportingOverflow(s.start)
            h.text(HumanUnits.duration(offset.overflow ? 0 : offset.partialValue))
            h.raw("<table class=\"fields\"><tbody>")
            for a in e.attributes where a.key != "exception.stacktrace" { row(a.key, a.value.description, type: type(a)) }
            h.raw("</tbody></table>")
            if let stack = e.attributes.first(where: { $0.key == "exception.stacktrace" }) {
                h.raw("<pre class=\"stack\">")
                h.text(stack.value.description)
                h.raw("</pre>")
            }
            h.raw("</div>")
        }
        for l in s.details.links {
            h.raw("<div class=\"span-link\">link to ")
            h.link("/trace/" + HTML.query(l.traceID.hex), "trace " + l.traceID.hex, class: "id")
            h.raw(" span <code class=\"id\">")
            h.text(l.spanID.hex)
            h.raw("</code>")
            if !l.attributes.isEmpty {
                h.text(" (" + l.attributes.map { "\($0.key)=\($0.value.description)" }.joined(separator: ", ") + ")")
            }
            h.raw("</div>")
        }
    }

    /// One line as a table row; `span` names its span (in a list of several spans' lines).
}
