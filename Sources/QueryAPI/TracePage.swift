import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinModel

extension WebView {
    // MARK: One trace: the waterfall

    static func tracePage(_ text: String, request: Request, reader: any TraceReader) async throws -> Response {
        guard let parsed = try? TraceID.parse(text, encoding: .auto) else {
            return errorPage(.badRequest, "Invalid trace ID", "'\(text)' is not a trace ID in any accepted form (32 or 16 hex digits, or Datadog's decimal).")
        }
        let limit = request.uri.queryParameters["logs_limit"].flatMap { Int(String($0)) }.map { min(max($0, 1), QueryServer.maxTraceLogs) }
            ?? QueryServer.defaultTraceLogs
        guard let (stored, id) = try await QueryServer.lookUp(parsed, text: text, logLimit: limit, reader: reader) else {
            return errorPage(.notFound, "Trace not found", "No span or log line is known with trace ID \(text).")
        }
        return HTML.response(TracePage(stored, id: id).render())
    }

    /// A trace's log lines in the order of their own times, each with its span, service and
    /// level: `?span=<hex>` only that span's, `&descendants=true` with its descendants';
    /// `?level=`, `?service=`, `?q=` (a substring of the message) filter.
    static func traceLogsPage(_ text: String, request: Request, reader: any TraceReader) async throws -> Response {
        guard let parsed = try? TraceID.parse(text, encoding: .auto) else {
            return errorPage(.badRequest, "Invalid trace ID", "'\(text)' is not a trace ID in any accepted form (32 or 16 hex digits, or Datadog's decimal).")
        }
        guard let (stored, id) = try await QueryServer.lookUp(parsed, text: text, logLimit: QueryServer.maxTraceLogs, reader: reader) else {
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
            var set: Set<SpanID> = [span]
            let descendants = value("descendants") == "true"
            if descendants {
                var stack = [span]
                while let next = stack.popLast() {
                    for child in view.children[next] ?? [] where set.insert(child.spanID).inserted { stack.append(child.spanID) }
                }
            }
            chosen = set
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

    /// A span's log lines as an HTML fragment (a `<table>`), fetched when a collapsed span of a
    /// large trace is opened: a trace of 10,000 lines is not sent, laid out and parsed at once.
    static func spanLogsFragment(_ traceText: String, span spanText: String, reader: any TraceReader) async throws -> Response {
        guard let trace = try? TraceID.parse(traceText, encoding: .hex), let span = try? SpanID.parse(spanText, encoding: .hex) else {
            return errorPage(.badRequest, "Invalid ID", "a trace and a span ID in hex are expected")
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
        var h = HTML()
        h.raw("<table class=\"logs\"><tbody>")
        for r in records { TracePage.logLine(&h, r) }
        h.raw("</tbody></table>")
        return HTML.response(h)
    }

}

/// The waterfall of one trace: spans as bars on the trace's time axis, nested by parent,
/// coloured by service, with each span's log lines under it.
struct TracePage {
    let view: TraceView
    let stored: StoredTrace
    let id: TraceID
    let start: Int64
    let total: Int64
    let services: [String]

    /// Beyond this many lines, each span's lines start collapsed.
    static let collapseAbove = 300

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
        WebView.page("Trace " + id.hex) { h in
            h.raw("<h1>Trace <code class=\"id\">")
            h.text(id.hex)
            h.raw("</code>")
            copyButton(&h, id.hex)
            h.raw(" <span class=\"dd\">dd <code class=\"id\">")
            h.text(id.lowDecimal)
            h.raw("</code>")
            copyButton(&h, id.lowDecimal)
            h.raw("</span></h1><p class=\"summary\">")
            h.text("\(view.spans.count) spans · \(view.logCount) log lines · \(WebView.duration(total)) · services: \(services.joined(separator: ", ")) · ")
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
            h.raw("</div><div class=\"waterfall\" id=\"waterfall\">")
            let collapse = stored.logs.count > Self.collapseAbove
            view.walk { span, depth in row(&h, span, depth: depth, collapse: collapse) }
            h.raw("</div>")
            if !view.unmatched.isEmpty {
                h.raw("<h2>Lines whose span is not in this trace</h2><table class=\"logs\" id=\"orphans\"><tbody>")
                for r in view.unmatched { Self.logLine(&h, r) }
                h.raw("</tbody></table>")
            }
        }
    }

    func copyButton(_ h: inout HTML, _ value: String) {
        h.raw("<button type=\"button\" class=\"copy\"")
        h.attribute("data-copy", value)
        h.raw(">copy</button>")
    }

    func row(_ h: inout HTML, _ s: SpanRecord, depth: Int, collapse: Bool) {
        let serviceIndex = services.firstIndex(of: s.service) ?? 0
        let logs = view.logs(of: s.spanID)
        h.raw("<div")
        h.attribute("class", "span" + (s.error ? " has-error" : ""))
        h.attribute("data-span-id", s.spanID.hex)
        h.attribute("data-duration-ns", String(s.duration))
        h.raw("><div class=\"label depth\(min(depth, 12))\"><span")
        h.attribute("class", "chip " + WebView.colour(serviceIndex))
        h.raw(">")
        h.text(s.service)
        h.raw("</span> <span class=\"name\">")
        h.text(s.name)
        h.raw("</span>")
        if !s.resource.isEmpty && s.resource != s.name {
            h.raw(" <span class=\"resource\">")
            h.text(s.resource)
            h.raw("</span>")
        }
        if s.error { h.raw(" <span class=\"errmark\" title=\"error\">✗ error</span>") }
        h.raw("<span class=\"timing\">")
        let offset = s.start.subtractingReportingOverflow(start)
        h.text(WebView.duration(s.duration) + " at +" + WebView.duration(offset.overflow ? .max : offset.partialValue))
        h.raw("</span></div><div class=\"track\">")
        // At most 50 marks a bar: beyond that they only cover it.
        let step = max(1, logs.count / 50)
        let marks = stride(from: 0, to: logs.count, by: step).compactMap { logs[$0].effectiveNanoseconds }.map(fraction)
        let end = s.start.addingReportingOverflow(s.duration)
        WebView.bar(&h, from: fraction(s.start), to: end.overflow ? .infinity : fraction(end.partialValue), cls: WebView.colour(serviceIndex),
                    marks: marks, error: s.error)
        h.raw("</div><div class=\"ids\">span <code class=\"id\">")
        h.text(s.spanID.hex)
        h.raw("</code> dd <code class=\"id\">")
        h.text(String(s.spanID.value))
        h.raw("</code> ")
        h.link("/trace/" + HTML.query(id.hex) + "/logs?span=" + s.spanID.hex + "&descendants=true", "lines with descendants'")
        h.raw("</div>")
        attributes(&h, s)
        if !logs.isEmpty {
            if collapse {
                // Its lines are fetched when opened (app.js), as a fragment escaped like this page.
                h.raw("<details class=\"span-logs\"")
                h.attribute("data-src", "/trace/\(id.hex)/span/\(s.spanID.hex)/logs")
                h.raw("><summary>")
                h.text("\(logs.count) log line\(logs.count == 1 ? "" : "s")")
                h.raw("</summary></details>")
            } else {
                h.raw("<details class=\"span-logs\" open><summary>")
                h.text("\(logs.count) log line\(logs.count == 1 ? "" : "s")")
                h.raw("</summary><table class=\"logs\"><tbody>")
                for r in logs { Self.logLine(&h, r, skew: TraceView.skew(of: r, in: s)) }
                h.raw("</tbody></table></details>")
            }
        }
        h.raw("</div>")
    }

    /// What the tracer sent with the span: its tags (typed as sent), its resource's attributes,
    /// its events (an exception's type, message and stack) and its links (to the linked trace),
    /// folded under one line.
    func attributes(_ h: inout HTML, _ s: SpanRecord) {
        // The resource's attributes once, as the resource's (not again as `resource.*` tags).
        let tags = s.tags.map { ($0.key, $0.value.description) }
        let events = s.details.events, links = s.details.links
        guard !tags.isEmpty || !events.isEmpty || !links.isEmpty || !s.details.resource.isEmpty else { return }
        h.raw("<details class=\"span-attributes\"><summary>")
        var parts = ["\(tags.count) attribute\(tags.count == 1 ? "" : "s")"]
        if !events.isEmpty { parts.append("\(events.count) event\(events.count == 1 ? "" : "s")") }
        if !links.isEmpty { parts.append("\(links.count) link\(links.count == 1 ? "" : "s")") }
        h.text(parts.joined(separator: ", "))
        h.raw("</summary><table class=\"fields\"><tbody>")
        func row(_ key: String, _ value: String) {
            h.raw("<tr><th>")
            h.text(key)
            h.raw("</th><td>")
            h.text(value)
            h.raw("</td></tr>")
        }
        for (key, value) in tags { row(key, value) }
        for a in s.details.resource { row("resource " + a.key, a.value.description) }
        h.raw("</tbody></table>")
        for e in events {
            h.raw("<div class=\"span-event\"><span class=\"event-name\">")
            h.text(e.name)
            h.raw("</span> at +")
            let offset = e.time.subtractingReportingOverflow(s.start)
            h.text(WebView.duration(offset.overflow ? 0 : offset.partialValue))
            h.raw("<table class=\"fields\"><tbody>")
            for a in e.attributes where a.key != "exception.stacktrace" { row(a.key, a.value.description) }
            h.raw("</tbody></table>")
            if let stack = e.attributes.first(where: { $0.key == "exception.stacktrace" }) {
                h.raw("<pre class=\"stack\">")
                h.text(stack.value.description)
                h.raw("</pre>")
            }
            h.raw("</div>")
        }
        for l in links {
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
        h.raw("</details>")
    }

    static func logLine(_ h: inout HTML, _ r: LogRecord, skew: Int64? = nil) {
        let level = (r.level ?? "").lowercased().filter { $0.isLetter }
        h.raw("<tr")
        h.attribute("class", "log level-" + level + (skew != nil ? " skewed" : ""))
        h.raw("><td class=\"time\">")
        h.text(r.time ?? "")
        if let skew {
            // A clock or zone that disagrees with the span's: said, not hidden.
            let text = WebView.duration(skew == .min ? .max : abs(skew)) + (skew < 0 ? " before its span" : " after its span")
            h.raw(" <span class=\"skew\"")
            h.attribute("title", "this line's time lies outside its span: a clock or time zone may disagree")
            h.raw(">⚠ ")
            h.text(text)
            h.raw("</span>")
        }
        h.raw("</td><td class=\"level\">")
        h.text(r.level ?? "")
        h.raw("</td><td class=\"message\">")
        h.text(r.message ?? r.raw)
        h.raw("<details class=\"raw\"><summary>raw</summary><pre>")
        h.text(r.raw)
        h.raw("</pre></details></td></tr>")
    }
}
