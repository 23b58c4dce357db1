import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinModel

extension WebView {
    // MARK: Logs

    static func logsPage(_ request: Request, reader: any TraceReader) async throws -> Response {
        let query: LogQuery
        do throws(SearchRoutes.BadParameter) {
            var q = try SearchRoutes.logQuery(request)
            if q.text?.isEmpty == true { q.text = nil }
            if q.level?.isEmpty == true { q.level = nil }
            if q.service?.isEmpty == true { q.service = nil }
            if q.source?.isEmpty == true { q.source = nil }
            query = q
        } catch {
            return errorPage(.badRequest, "Invalid \(error.name)", error.message)
        }
        let page = try await reader.logs(query)
        let p = request.uri.queryParameters
        func value(_ name: String) -> String { p[Substring(name)].map(String.init) ?? "" }
        return HTML.response(WebView.page("Logs") { h in
            h.raw("<h1>Logs</h1><form class=\"filters\" method=\"get\" action=\"/logs\">")
            for (name, label, size) in [("q", "Text", 24), ("level", "Level", 8), ("service", "Service", 12), ("source", "Source", 12),
                                        ("trace_id", "Trace", 20), ("since", "Since", 8)] {
                h.raw("<label>")
                h.text(label)
                h.raw(" <input size=\"\(size)\"")
                h.attribute("name", name)
                h.attribute("value", value(name))
                h.raw("></label>")
            }
            h.raw("<button>Search</button> <label><input type=\"checkbox\" id=\"live\"> live</label></form>")
            h.raw("<table class=\"logs\" id=\"log-table\"><thead><tr><th>Time</th><th>Level</th><th>Source</th><th>Message</th><th>Trace</th></tr></thead><tbody>")
            for entry in page.records {
                WebView.logRow(&h, entry.record, id: entry.id)
            }
            h.raw("</tbody></table>")
            if page.records.isEmpty { h.element("p", "No log lines match.", class: "empty") }
            if let next = page.next {
                var parts: [String] = []
                for name in ["q", "level", "service", "source", "trace_id", "since", "until"] where !value(name).isEmpty {
                    parts.append(name + "=" + HTML.query(value(name)))
                }
                parts.append("cursor=\(next)")
                h.raw("<p class=\"more\">")
                h.link("/logs?" + parts.joined(separator: "&"), "Older lines →")
                h.raw("</p>")
            }
        })
    }

    static func logRow(_ h: inout HTML, _ r: LogRecord, id: Int64) {
        let level = (r.level ?? "").lowercased()
        h.raw("<tr")
        h.attribute("class", "level-" + level.filter { $0.isLetter })
        h.attribute("data-id", String(id))
        h.raw("><td class=\"time\">")
        h.text(r.time ?? "")
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

}
