import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The web view: server-rendered pages over the same reader as the JSON API, with a little CSS
/// and JavaScript embedded in the binary (``WebAssets``): no npm, no CDN, works offline. Bars are
/// SVG whose geometry is in attributes, so no inline style is needed and the
/// Content-Security-Policy allows only the daemon's own script and style.
enum WebView {
    static func add(to router: Router<BasicRequestContext>, reader: any TraceReader, status: DaemonReports) {
        router.get("/") { request, _ in try await readingPage { try await tracesPage(request, reader: reader) } }
        router.get("/trace/{id}") { request, context in
            try await readingPage { try await tracePage(context.parameters.get("id") ?? "", request: request, reader: reader) }
        }
        router.get("/trace/{id}/logs") { request, context in
            try await readingPage { try await traceLogsPage(context.parameters.get("id") ?? "", request: request, reader: reader) }
        }
        router.get("/trace/{id}/span/{span}") { request, context in
            try await spanDetailFragment(context.parameters.get("id") ?? "", span: context.parameters.get("span") ?? "",
                                         start: request.uri.queryParameters["start"].flatMap { Int64(String($0)) }, reader: reader)
        }
        router.get("/trace/{id}/span/{span}/logs") { request, context in
            try await spanLogsFragment(context.parameters.get("id") ?? "", span: context.parameters.get("span") ?? "",
                                       descendants: request.uri.queryParameters["descendants"] == "true", reader: reader)
        }
        router.get("/logs") { request, _ in try await readingPage { try await logsPage(request, reader: reader) } }
        router.get("/unmatched") { _, _ in try await readingPage { try await unmatchedPage(reader: reader) } }
        router.get("/status") { _, _ in statusPage(status) }
        router.get("/rules") { _, _ in rulesPage(status, run: nil) }
        router.post("/rules") { request, _ in try await debuggerPage(request, status: status) }
        router.get("/static/app.css") { _, _ in WebAssets.response(WebAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/app.js") { _, _ in WebAssets.response(WebAssets.javascript, type: "text/javascript; charset=utf-8") }
    }

    // MARK: Layout

    /// A page in the web view's chrome. `links: false` (the login page) leaves the header with
    /// only the name; a request that came with a browser session gets a logout button there.
    static func page(_ title: String, links: Bool = true, _ body: (inout HTML) -> Void) -> HTML {
        var h = HTML()
        h.raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
        h.raw("<title>")
        h.text(title + " · Tracejoin")
        h.raw("</title><link rel=\"stylesheet\" href=\"/static/app.css\"><script src=\"/static/app.js\" defer></script></head><body>")
        h.raw("<nav><span class=\"brand\">Tracejoin</span>")
        if links {
            h.raw("<a href=\"/\">Traces</a><a href=\"/logs\">Logs</a>")
            // The fleet service has no unmatched lines or rules of its own (docs/fleet.md).
            if !FleetPages.active { h.raw("<a href=\"/unmatched\">Unmatched</a><a href=\"/rules\">Rules</a>") }
            h.raw("<a href=\"/status\">Status</a>")
            if BrowserSession.active {
                h.raw("<form class=\"logout\" method=\"post\" action=\"/logout\"><button id=\"logout\">Log out</button></form>")
            }
        }
        h.raw("</nav><main>")
        // A fleet read that some shard did not answer: the page says what it is missing.
        let missing = ReadShortfall.notes
        if !missing.isEmpty {
            h.raw("<div class=\"partial\" id=\"partial\"><strong>Partial result.</strong> Not every shard answered:<ul>")
            for note in missing { h.element("li", note) }
            h.raw("</ul></div>")
        }
        body(&h)
        h.raw("</main></body></html>")
        return h
    }

    /// A page whose read the reader refused (the fleet service: a page it does not serve, or no
    /// shard answering) as a page that says why, not a JSON error in the browser.
    static func readingPage(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let refused as ReadRefused {
            let status = HTTPResponse.Status(code: refused.status)
            return errorPage(status, refused.status == 501 ? "Not served here" : "No answer", refused.reason)
        }
    }

    static func errorPage(_ status: HTTPResponse.Status, _ title: String, _ detail: String) -> Response {
        HTML.response(page(title) { h in
            h.element("h1", title)
            h.element("p", detail, class: "error")
        }, status: status)
    }

    /// A service's colour class: its place among the trace's services, over eight colours.
    static func colour(_ index: Int) -> String { "svc\(index % 8)" }

    /// `<svg>` with one bar from `from` to `to` (0…1 of the row), and marks at `marks`.
    static func bar(_ h: inout HTML, from: Double, to: Double, cls: String, marks: [Double] = [], error: Bool = false) {
        let x = max(0, min(1000, from * 1000)), w = max(2, min(1000 - x, (to - from) * 1000))
        h.raw("<svg class=\"bar\" viewBox=\"0 0 1000 12\" preserveAspectRatio=\"none\" role=\"img\">")
        h.raw("<rect class=\"\(cls)\(error ? " err" : "")\" x=\"\(fmt(x))\" y=\"1\" width=\"\(fmt(w))\" height=\"10\"></rect>")
        for m in marks where m >= 0 && m <= 1 {
            h.raw("<line class=\"mark\" x1=\"\(fmt(m * 1000))\" x2=\"\(fmt(m * 1000))\" y1=\"0\" y2=\"12\"></line>")
        }
        h.raw("</svg>")
    }

    static func fmt(_ v: Double) -> String { String(format: "%.2f", v) }

    /// A moment: `<time datetime="ISO 8601">` with UTC text, which the page's script rewrites
    /// into the reader's local time (the date only where it changes from the row above) with
    /// "2 min ago" on hover. Without script the UTC text stays. The machine value stays in the JSON.
    static func time(_ h: inout HTML, nanoseconds ns: Int64, class cls: String = "when") {
        let iso = Timestamps.iso8601(nanoseconds: ns)
        h.raw("<time")
        h.attribute("class", cls)
        h.attribute("datetime", iso)
        h.attribute("title", iso)
        h.raw(">")
        // `2026-12-06 15:35:05.662 UTC`: to the millisecond, the zone said.
        let readable = iso.replacingOccurrences(of: "T", with: " ")
        h.text(String(readable.prefix(23)) + " UTC")
        h.raw("</time>")
    }

}
