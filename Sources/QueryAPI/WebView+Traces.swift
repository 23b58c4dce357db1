import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
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
            WebView.scatter(&h, traces)
            let longest = max(1, traces.map(\.duration).max() ?? 1)
            h.raw("<table class=\"traces\"><thead><tr><th>Started</th><th>Trace</th><th>Services</th><th>Spans</th><th>Lines</th><th>Duration</th><th></th></tr></thead><tbody>")
            for t in traces {
                h.raw(t.errors > 0 ? "<tr class=\"has-error\"><td>" : "<tr><td>")
                WebView.time(&h, nanoseconds: t.start)
                h.raw("</td><td>")
                h.link("/trace/" + HTML.query(t.traceID.hex), t.rootName ?? t.traceID.hex, class: "trace-link")
                h.raw("<div class=\"id\">")
                h.text(t.traceID.hex)
                h.raw("</div></td><td>")
                h.text(t.services.joined(separator: ", "))
                h.raw("</td><td>")
                h.text(WebView.spanCount(t))
                h.raw("</td><td>")
                h.text(HumanUnits.count(t.logs))
                h.raw("</td><td>")
                h.text(HumanUnits.duration(t.duration))
                h.raw("</td><td class=\"barcell\">")
                bar(&h, from: 0, to: Double(t.duration) / Double(longest), cls: "svc0", error: t.errors > 0)
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        })
    }

    /// `3 spans (1 error)`, with separators.
    static func spanCount(_ t: TraceSummary) -> String {
        let spans = HumanUnits.count(t.spans) + (t.spans == 1 ? " span" : " spans")
        guard t.errors > 0 else { return spans }
        return spans + " (" + HumanUnits.count(t.errors) + (t.errors == 1 ? " error)" : " errors)")
    }

    /// Durations over time, above the list (Jaeger UI's search view): a point per listed trace,
    /// x its start over the listed traces' range, y its duration on a log scale, red when it has
    /// errors, each a link to its trace. Drawn as SVG with its geometry in attributes, kept at
    /// its viewBox's proportions by the style (so that the points stay round); the labels are
    /// HTML around it.
    static func scatter(_ h: inout HTML, _ traces: [TraceSummary]) {
        let first = traces.map(\.start).min() ?? 0, last = traces.map(\.start).max() ?? 0
        // In Double: starts may lie anywhere in Int64, and their difference beyond it.
        let across = Double(last) - Double(first)
        let decades = traces.map { log10(Double(max(1, $0.duration))) }
        var low = decades.min() ?? 0, high = decades.max() ?? 0
        if high - low < 1 {
            // Durations close together: a decade around them, so that they sit mid-height.
            let middle = (low + high) / 2
            (low, high) = (middle - 0.5, middle + 0.5)
        }
        func x(_ start: Int64) -> Double { across > 0 ? (Double(start) - Double(first)) / across * 1000 : 500 }
        func y(_ d: Int64) -> Double { 200 - (log10(Double(max(1, d))) - low) / (high - low) * 200 }
        h.raw("<figure class=\"scatter\" id=\"trace-scatter\"")
        h.attribute("data-points", String(traces.count))
        h.raw("><div class=\"chart\"><div class=\"y-axis\">")
        for decade in [high, (low + high) / 2, low] {
            h.element("span", HumanUnits.duration(nanoseconds(decades: decade)))
        }
        h.raw("</div><div class=\"chart-area\">")
        h.raw("<svg viewBox=\"0 0 1000 200\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"trace durations over time\">")
        for gridY in [0, 100, 200] {
            h.raw("<line class=\"grid\" x1=\"0\" x2=\"1000\" y1=\"\(gridY)\" y2=\"\(gridY)\"></line>")
        }
        // Errors drawn last, on top.
        for t in traces.filter({ $0.errors == 0 }) + traces.filter({ $0.errors > 0 }) {
            let hex = t.traceID.hex
            h.raw("<a")
            h.attribute("href", "/trace/" + HTML.query(hex))
            h.raw("><circle")
            h.attribute("class", t.errors > 0 ? "pt err" : "pt")
            h.attribute("data-trace-id", hex)
            h.raw(" cx=\"\(fmt(x(t.start)))\" cy=\"\(fmt(y(t.duration)))\" r=\"5\"><title>")
            h.text((t.rootName ?? hex) + " · " + HumanUnits.duration(t.duration) + " · " + spanCount(t))
            h.raw("</title></circle></a>")
        }
        h.raw("</svg></div></div><div class=\"axis\">")
        WebView.time(&h, nanoseconds: first)
        // The middle: first + (last - first) / 2, exact (the half of a UInt64 difference fits in Int64).
        WebView.time(&h, nanoseconds: first &+ Int64(UInt64(bitPattern: last &- first) / 2))
        WebView.time(&h, nanoseconds: last)
        h.raw("</div><figcaption>")
        let listed = HumanUnits.count(traces.count) + (traces.count == 1 ? " trace" : " traces")
        h.text(listed + ": duration (log scale) against start; red ones have errors. A point opens its trace.")
        h.raw("</figcaption></figure>")
    }

    /// `10^decades` nanoseconds, within what Int64 holds.
    static func nanoseconds(decades: Double) -> Int64 {
        let v = pow(10, decades)
        return v >= 9.2e18 ? .max : v < 1 ? 0 : Int64(v.rounded())
    }

}
