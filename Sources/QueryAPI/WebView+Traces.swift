import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinModel

extension WebView {
    // MARK: Recent traces

    static func tracesPage(_ request: Request, reader: any TraceReader) async throws -> Response {
        let p = request.uri.queryParameters
        var query = TraceListQuery(limit: 50)
        let service = p["service"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        query.service = service
        query.onlyErrors = p["errors"] != nil
        let since = p["since"].map(String.init) ?? ""
        if !since.isEmpty {
            do throws(SearchRoutes.BadParameter) {
                query.since = try SearchRoutes.time(Substring(since), "since")
            } catch {
                return errorPage(.badRequest, "Invalid time", error.message)
            }
        }
        let traces = try await reader.recentTraces(query)
        let services = try await reader.services()
        return HTML.response(page("Traces") { h in
            h.raw("<h1>Recent traces</h1><form class=\"filters\" method=\"get\" action=\"/\"><label>Service <select name=\"service\"><option value=\"\">any</option>")
            for s in services {
                h.raw("<option")
                h.attribute("value", s)
                if s == service { h.raw(" selected") }
                h.raw(">")
                h.text(s)
                h.raw("</option>")
            }
            h.raw("</select></label><label><input type=\"checkbox\" name=\"errors\" value=\"1\"\(query.onlyErrors ? " checked" : "")> errors only</label>")
            h.raw("<label>Since <input name=\"since\" size=\"10\" placeholder=\"15m, 2h, 7d\"")
            h.attribute("value", since)
            h.raw("></label><button>Show</button></form>")
            guard !traces.isEmpty else {
                h.element("p", "No traces yet.", class: "empty")
                return
            }
            let longest = max(1, traces.map(\.duration).max() ?? 1)
            h.raw("<table class=\"traces\"><thead><tr><th>Started</th><th>Trace</th><th>Services</th><th>Spans</th><th>Lines</th><th>Duration</th><th></th></tr></thead><tbody>")
            for t in traces {
                h.raw(t.errors > 0 ? "<tr class=\"has-error\"><td>" : "<tr><td>")
                h.text(Timestamps.iso8601(nanoseconds: t.start))
                h.raw("</td><td>")
                h.link("/trace/" + HTML.query(t.traceID.hex), t.rootName ?? t.traceID.hex, class: "trace-link")
                h.raw("<div class=\"id\">")
                h.text(t.traceID.hex)
                h.raw("</div></td><td>")
                h.text(t.services.joined(separator: ", "))
                h.raw("</td><td>")
                h.text("\(t.spans)" + (t.errors > 0 ? " (\(t.errors) error\(t.errors == 1 ? "" : "s"))" : ""))
                h.raw("</td><td>")
                h.text("\(t.logs)")
                h.raw("</td><td>")
                h.text(duration(t.duration))
                h.raw("</td><td class=\"barcell\">")
                bar(&h, from: 0, to: Double(t.duration) / Double(longest), cls: "svc0", error: t.errors > 0)
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        })
    }

}
