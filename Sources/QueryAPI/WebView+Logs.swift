import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

extension WebView {
    // MARK: Logs

    /// Buckets of the logs page's histogram.
    static let histogramBuckets = 60

    static func logsPage(_ request: Request, reader: any TraceReader) async throws -> Response {
        let query: LogQuery
        do throws(SearchRoutes.BadParameter) {
            // The form sends its empty fields: they filter nothing.
            query = try SearchRoutes.logQuery(request, form: true)
        } catch {
            return errorPage(.badRequest, "Invalid \(error.name)", error.message)
        }
        // The histogram counts the whole search, not the page: without the page's cursor.
        var withoutCursor = query
        withoutCursor.before = nil
        withoutCursor.cursor = nil
        let whole = withoutCursor
        async let counted = reader.logVolume(whole, buckets: WebView.histogramBuckets)
        let page = try await reader.logs(query)
        let volume = try await counted
        let p = request.uri.queryParameters
        func value(_ name: String) -> String { p[Substring(name)].map(String.init) ?? "" }
        return HTML.response(WebView.page("Logs") { h in
            h.raw("<h1>Logs</h1><form class=\"filters\" id=\"log-filters\" method=\"get\" action=\"/logs\">")
            for (name, label, size) in [("q", "Text", 24), ("level", "Level", 8), ("service", "Service", 12), ("source", "Source", 12),
                                        ("host", "Host", 10), ("trace_id", "Trace", 20), ("since", "Since", 8), ("until", "Until", 8)] {
                h.raw("<label>")
                h.text(label)
                h.raw(" <input size=\"\(size)\"")
                h.attribute("name", name)
                h.attribute("value", value(name))
                h.raw("></label>")
            }
            // Filters the form has no field for are kept, so that a range chosen on the
            // histogram narrows the same search.
            for (key, v) in p where key == "by" || key.hasPrefix("field.") {
                h.raw("<input type=\"hidden\"")
                h.attribute("name", String(key))
                h.attribute("value", String(v))
                h.raw(">")
            }
            h.raw("<button>Search</button> <label><input type=\"checkbox\" id=\"live\"> live</label></form>")
            WebView.histogram(&h, volume)
            h.raw("<table class=\"logs\" id=\"log-table\"><thead><tr><th>Time</th><th>Level</th><th>Source</th><th>Message</th><th>Trace</th></tr></thead><tbody>")
            for entry in page.records {
                WebView.logRow(&h, entry.record, id: entry.id, ingested: entry.ingested)
            }
            h.raw("</tbody></table>")
            if page.records.isEmpty { h.element("p", "No log lines match.", class: "empty") }
            if let next = page.cursorText {
                var parts: [String] = []
                for name in ["q", "level", "service", "source", "host", "trace_id", "since", "until", "by"] where !value(name).isEmpty {
                    parts.append(name + "=" + HTML.query(value(name)))
                }
                for (key, v) in p where key.hasPrefix("field.") {
                    parts.append(HTML.query(String(key)) + "=" + HTML.query(String(v)))
                }
                parts.append("cursor=" + HTML.query(next))
                h.raw("<p class=\"more\">")
                h.link("/logs?" + parts.joined(separator: "&"), "Older lines →")
                h.raw("</p>")
            }
        })
    }

    /// Log volume over time by level, above the log table (Grafana Explore's, Kibana
    /// Discover's): a stacked bar per bucket, one `rect` per level class with its count, drawn as
    /// SVG with its geometry in attributes and its colours by class. Its labels are HTML around
    /// it (times as `<time>`, which the page's script localises); the script also turns a drag
    /// across it (or a click on a bar) into the form's `since` and `until`.
    static func histogram(_ h: inout HTML, _ v: LogVolume) {
        let classes = LogVolume.levelClasses
        let most = v.counts.map { $0.reduce(0, +) }.max() ?? 0
        // The axis's width in nanoseconds (until > since as the index gives it), as a Double.
        let width = v.until > v.since ? Double(UInt64(bitPattern: v.until &- v.since)) : 1
        func x(_ offset: Double) -> Double { max(0, min(1000, offset / width * 1000)) }
        h.raw("<figure class=\"histogram\" id=\"log-volume\"")
        h.attribute("data-since", String(v.since))
        h.attribute("data-until", String(v.until))
        h.attribute("data-bucket-ns", String(v.bucket_ns))
        h.attribute("data-total", String(v.total))
        h.raw("><div class=\"chart\"><div class=\"y-axis\"><span>")
        h.text(HumanUnits.count(most))
        h.raw("</span><span>0</span></div><div class=\"chart-area\">")
        h.raw("<svg viewBox=\"0 0 1000 120\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"log lines over time by level\">")
        for (k, row) in v.counts.enumerated() {
            let lines = row.reduce(0, +)
            guard lines > 0, most > 0 else { continue }
            let from = x(Double(k) * Double(v.bucket_ns)), to = x(Double(k + 1) * Double(v.bucket_ns))
            // A gap between bars where they are wide enough for one.
            let gap = to - from > 4 ? 1.0 : 0
            var parts: [String] = []
            for (c, count) in row.enumerated() where count > 0 {
                parts.append(HumanUnits.count(count) + " " + (classes.indices.contains(c) ? classes[c] : "other"))
            }
            h.raw("<g class=\"bucket\"><title>")
            h.text(HumanUnits.count(lines) + " lines: " + parts.joined(separator: ", "))
            h.raw("</title>")
            // Stacked from the bottom, errors first.
            var base = 120.0
            for (c, count) in row.enumerated() where count > 0 {
                let height = Double(count) / Double(most) * 118
                base -= height
                h.raw("<rect class=\"lvl-\(classes.indices.contains(c) ? classes[c] : "other")\" data-count=\"\(count)\"")
                h.raw(" x=\"\(fmt(from + gap / 2))\" y=\"\(fmt(max(0, base)))\" width=\"\(fmt(max(0.5, to - from - gap)))\" height=\"\(fmt(max(0.8, height)))\"></rect>")
            }
            h.raw("</g>")
        }
        h.raw("</svg></div></div><div class=\"axis\">")
        WebView.time(&h, nanoseconds: v.since)
        // The middle: since + width / 2, exact (the half of a UInt64 width fits in Int64).
        WebView.time(&h, nanoseconds: v.since &+ Int64(UInt64(bitPattern: v.until &- v.since) / 2))
        WebView.time(&h, nanoseconds: v.until)
        h.raw("</div><ul class=\"levels\">")
        for (c, name) in classes.enumerated() {
            let n = v.counts.reduce(0) { $0 + (c < $1.count ? $1[c] : 0) }
            h.raw("<li><span class=\"swatch lvl-\(name)\"></span>")
            h.text(name + " " + HumanUnits.count(n))
            h.raw("</li>")
        }
        h.raw("</ul><figcaption>")
        h.text(HumanUnits.count(v.total) + (v.total == 1 ? " line" : " lines") + " from ")
        WebView.time(&h, nanoseconds: v.since)
        h.text(" to ")
        WebView.time(&h, nanoseconds: v.until)
        if !v.complete {
            h.text(" (counted in the first " + HumanUnits.count(v.scanned) + " lines scanned, newest first; older lines not counted)")
        }
        h.raw(". Drag across the bars to choose a time range.</figcaption></figure>")
    }

    /// A line of the log table: its time (its own, else when it was stored) as `<time>`, with
    /// the time as the line wrote it on hover.
    static func logRow(_ h: inout HTML, _ r: LogRecord, id: Int64, ingested: Int64) {
        let level = (r.level ?? "").lowercased()
        h.raw("<tr")
        h.attribute("class", "level-" + level.filter { $0.isLetter })
        h.attribute("data-id", String(id))
        h.attribute("data-ingested", String(ingested))
        h.raw("><td class=\"time\"")
        let own = r.effectiveNanoseconds
        if let text = r.time {
            h.attribute("title", "in the line: " + text)
        } else if own == nil {
            h.attribute("title", "no time in the line: when it was stored")
        }
        h.raw(">")
        WebView.time(&h, nanoseconds: own ?? ingested, class: own == nil ? "when stored" : "when")
        h.raw("</td><td>")
        h.text(r.level ?? "")
        h.raw("</td><td>")
        h.text(r.source)
        // The pod a container's line came from (docs/kubernetes.md), linking to its lines.
        let fields = r.fieldTexts.isEmpty ? [] : r.fields
        if let pod = fields.first(where: { $0.name == "k8s.pod" })?.value.description {
            let namespace = fields.first(where: { $0.name == "k8s.namespace" })?.value.description ?? ""
            let container = fields.first(where: { $0.name == "k8s.container" })?.value.description ?? ""
            h.raw(" ")
            h.link("/logs?field.k8s.pod=" + HTML.query(pod), namespace + "/" + pod + (container.isEmpty ? "" : "/" + container), class: "pod")
        }
        if let host = WebView.host(of: r) { WebView.hostMark(&h, host) }
        h.raw("</td><td class=\"message\">")
        h.text(r.message ?? r.raw)
        h.raw("</td><td>")
        if let t = r.traceID { h.link("/trace/" + HTML.query(t.hex), String(t.hex.suffix(16)), class: "id") }
        h.raw("</td></tr>")
    }

    // MARK: Unmatched, status, rules

    static func unmatchedPage(reader: any TraceReader) async throws -> Response {
        let now = Timestamps.now()
        let groups = try await reader.unmatched(since: now - 3600 * 1_000_000_000, until: now, samples: 3)
        return HTML.response(page("Unmatched") { h in
            h.raw("<h1>Lines whose trace no span claimed (last hour)</h1>")
            guard !groups.isEmpty else {
                h.element("p", "None: every traced line of the last hour joined a span.", class: "empty")
                return
            }
            h.raw("<table><thead><tr><th>Source</th><th>Rule</th><th>Lines</th><th>Traces</th><th>Samples</th></tr></thead><tbody>")
            for g in groups {
                h.raw("<tr>")
                h.cells([g.source, g.rule, "\(g.count)", "\(g.traces)"])
                h.raw("<td>")
                for s in g.samples {
                    h.element("pre", s.raw, class: "raw")
                }
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        })
    }


    /// The host a fleet line came from (the fleet service gives each line a `host` field).
    static func host(of r: LogRecord) -> String? {
        r.fields.first { $0.name == "host" }.map(\.value.description)
    }

    /// `@host`, linking to that host's lines.
    static func hostMark(_ h: inout HTML, _ host: String) {
        h.raw(" ")
        h.link("/logs?host=" + HTML.query(host), "@" + host, class: "host")
        h.raw(" ")
    }
}
