import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinModel

/// The web view: server-rendered pages over the same reader as the JSON API, with a little CSS
/// and JavaScript embedded in the binary (``WebAssets``): no npm, no CDN, works offline. Bars are
/// SVG whose geometry is in attributes, so no inline style is needed and the
/// Content-Security-Policy allows only the daemon's own script and style.
enum WebView {
    static func add(to router: Router<BasicRequestContext>, reader: any TraceReader, status: any DaemonStatus) {
        router.get("/") { request, _ in try await tracesPage(request, reader: reader) }
        router.get("/trace/{id}") { request, context in
            try await tracePage(context.parameters.get("id") ?? "", request: request, reader: reader)
        }
        router.get("/trace/{id}/logs") { request, context in
            try await traceLogsPage(context.parameters.get("id") ?? "", request: request, reader: reader)
        }
        router.get("/trace/{id}/span/{span}/logs") { _, context in
            try await spanLogsFragment(context.parameters.get("id") ?? "", span: context.parameters.get("span") ?? "", reader: reader)
        }
        router.get("/logs") { request, _ in try await logsPage(request, reader: reader) }
        router.get("/unmatched") { _, _ in try await unmatchedPage(reader: reader) }
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
            h.raw("<a href=\"/\">Traces</a><a href=\"/logs\">Logs</a>"
                + "<a href=\"/unmatched\">Unmatched</a><a href=\"/rules\">Rules</a><a href=\"/status\">Status</a>")
            if BrowserSession.active {
                h.raw("<form class=\"logout\" method=\"post\" action=\"/logout\"><button id=\"logout\">Log out</button></form>")
            }
        }
        h.raw("</nav><main>")
        body(&h)
        h.raw("</main></body></html>")
        return h
    }

    static func errorPage(_ status: HTTPResponse.Status, _ title: String, _ detail: String) -> Response {
        HTML.response(page(title) { h in
            h.element("h1", title)
            h.element("p", detail, class: "error")
        }, status: status)
    }

    static func duration(_ ns: Int64) -> String {
        let v = Double(ns)
        if v >= 1e9 { return String(format: "%.2fs", v / 1e9) }
        if v >= 1e6 { return String(format: "%.1fms", v / 1e6) }
        if v >= 1e3 { return String(format: "%.0fµs", v / 1e3) }
        return "\(ns)ns"
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

    static func statusPage(_ status: any DaemonStatus) -> Response {
        let files = status.tailedFiles()
        let retention = status.retention()
        let ingest = status.ingest()
        let descriptors = status.tailDescriptors()
        return HTML.response(page("Status") { h in
            h.raw("<h1>Status</h1>")
            if ingest.paused {
                h.element("p", "Ingest is paused: " + (ingest.reason ?? "unknown reason"), class: "error")
            }
            h.raw("<h2>Followed files</h2><p>")
            h.text("\(files.count) files, \(descriptors.held) descriptors held, \(descriptors.waiting) waiting for one")
            h.raw("</p><table><thead><tr><th>File</th><th>Source</th><th>State</th><th>Offset</th><th>Lag</th><th>Lines</th><th>Rotations</th><th>Lost</th></tr></thead><tbody>")
            for f in files {
                h.raw("<tr>")
                h.cells([f.path, f.source, f.state, "\(f.offset)", "\(f.lag_bytes)", "\(f.lines_read)",
                         "\(f.rotations)" + (f.last_rotation.map { " (last: \($0))" } ?? ""), "\(f.bytes_lost)"])
                h.raw("</tr>")
            }
            h.raw("</tbody></table><h2>Rules</h2><table><thead><tr><th>Source</th><th>Rule</th><th>Matched</th><th>With trace</th><th>Without</th><th>Invalid IDs</th></tr></thead><tbody>")
            for (source, rules) in status.counters.snapshot().sorted(by: { $0.key < $1.key }) {
                for (rule, c) in rules.rules.sorted(by: { $0.key < $1.key }) {
                    h.raw("<tr>")
                    h.cells([source, rule, "\(c.matched.value)", "\(c.withTrace.value)", "\(c.withoutTrace.value)", "\(c.invalidIDs.value)"])
                    h.raw("</tr>")
                }
            }
            h.raw("</tbody></table><h2>Retention</h2><p>")
            h.text("\(retention.used_bytes) of \(retention.max_bytes) bytes used; lines older than \(retention.max_age_seconds / 3600) h are deleted; "
                + "\(retention.deleted_logs) lines and \(retention.deleted_spans) spans deleted since start")
            h.raw("</p>")
        })
    }

    /// What one grok debugger run gave, for the page.
    struct DebuggerRun {
        /// The lines as pasted.
        var text: String
        /// One for each line parsed, in order; fewer than `cut` when the time budget ran out.
        var results: [LineTest]
        /// For each line sent, whether it was cut to `GrokDebugger.maxLineBytes`.
        var cut: [Bool]
    }

    /// `POST /rules`: the grok debugger, within its bounds (``GrokDebugger``): at most 64 KiB
    /// and 200 lines (413 beyond), each line cut at 8 KiB, one run at a time (429 while one is
    /// in progress), parsed off the cooperative threads for at most 2 s.
    static func debuggerPage(_ request: Request, status: any DaemonStatus) async throws -> Response {
        let tooLarge = "The grok debugger takes at most \(GrokDebugger.maxBodyBytes >> 10) KiB of form data "
            + "(\(GrokDebugger.maxLines) lines) at once: paste fewer lines."
        if let length = request.headers[.contentLength], let declared = Int(length), declared > GrokDebugger.maxBodyBytes {
            return errorPage(.contentTooLarge, "Too much to parse", tooLarge)
        }
        let body: String
        do {
            var request = request
            let buffer = try await request.collectBody(upTo: GrokDebugger.maxBodyBytes)
            body = String(buffer: buffer)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return errorPage(.contentTooLarge, "Too much to parse", tooLarge)
        }
        let text = SearchRoutes.formPairs(body).first { $0.0 == "lines" }?.1 ?? ""
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        guard lines.count <= GrokDebugger.maxLines else {
            return errorPage(.contentTooLarge, "Too many lines",
                             "The grok debugger parses at most \(GrokDebugger.maxLines) lines at once; \(lines.count) were sent.")
        }
        let cut = lines.map { GrokDebugger.cut($0) }
        guard let results = await GrokDebugger.run(cut.map { $0.text }, status: status) else {
            var response = errorPage(.tooManyRequests, "The grok debugger is busy",
                                     "The grok debugger runs one parse at a time and another is in progress: try again in a moment.")
            response.headers[.retryAfter] = "1"
            return response
        }
        return rulesPage(status, run: DebuggerRun(text: text, results: results, cut: cut.map { $0.wasCut }))
    }

    static func rulesPage(_ status: any DaemonStatus, run: DebuggerRun?) -> Response {
        HTML.response(page("Rules") { h in
            h.raw("<h1>Grok debugger</h1><p>Paste log lines: each is parsed by the rules in force, as the tailer would (nothing is stored or counted).</p>")
            h.raw("<form method=\"post\" action=\"/rules\" class=\"debugger\"><textarea name=\"lines\" rows=\"5\" cols=\"120\" id=\"debug-lines\">")
            h.text(run?.text ?? "")
            h.raw("</textarea><br><button id=\"debug-run\">Parse</button></form>")
            if let run {
                h.raw("<div id=\"debug-results\">")
                for (index, r) in run.results.enumerated() {
                    debugResult(&h, r, cut: index < run.cut.count && run.cut[index])
                }
                h.raw("</div>")
                if run.results.count < run.cut.count {
                    h.element("p", "\(run.cut.count - run.results.count) of \(run.cut.count) lines were not parsed: a run stops after "
                              + "\(GrokDebugger.timeBudget.components.seconds) s of parsing. Paste fewer lines, or look at the rules' match limits.",
                              class: "error")
                }
            }
            h.raw("<h1>Rule files</h1><table><thead><tr><th>File</th><th>Source</th><th>Status</th><th>Rules</th><th>Error</th></tr></thead><tbody>")
            for f in status.ruleFiles() {
                h.raw(f.status == "ok" ? "<tr><td>" : "<tr class=\"has-error\"><td>")
                h.text(f.file)
                h.raw("</td><td>")
                h.text(f.source ?? "")
                h.raw("</td><td>")
                h.text(f.status + (f.in_force ? "" : " (not in force)"))
                h.raw("</td><td>")
                h.text(f.rules.joined(separator: ", "))
                h.raw("</td><td>")
                if let error = f.error { h.element("pre", error, class: "error") }
                for w in f.warnings { h.element("pre", "warning: " + w, class: "warning") }
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        })
    }

    static func debugResult(_ h: inout HTML, _ r: LineTest, cut: Bool = false) {
        h.raw("<div class=\"debug-line\"><pre class=\"raw\">")
        h.text(r.line)
        h.raw("</pre>")
        if cut { h.element("p", "Cut: only the line's first \(GrokDebugger.maxLineBytes >> 10) KiB were parsed.", class: "warning") }
        guard let rule = r.rule, let source = r.source else {
            h.element("p", "No rule matched.", class: "error")
            h.raw("<ul class=\"misses\">")
            for miss in r.misses {
                h.raw("<li><b>")
                h.text(miss.rule)
                h.raw("</b>: ")
                h.text(miss.reason)
                h.raw("</li>")
            }
            h.raw("</ul></div>")
            return
        }
        h.raw("<p class=\"matched\">matched <b>")
        h.text(source + "/" + rule)
        h.raw("</b>")
        if let record = r.record, record.traceID == nil, record.idError == nil { h.text(" (no trace ID)") }
        h.raw("</p><table class=\"fields\"><tbody>")
        func row(_ name: String, _ value: String) {
            h.raw("<tr><th>")
            h.text(name)
            h.raw("</th><td>")
            h.text(value)
            h.raw("</td></tr>")
        }
        if let record = r.record {
            if let t = record.traceID { row("trace_id", t.hex + "  (dd " + t.lowDecimal + ")") }
            if let s = record.spanID { row("span_id", String(s.value) + "  (hex " + s.hex + ")") }
            if let e = record.idError { row("id error", e) }
            if let v = record.time { row("timestamp", v) }
            if let v = record.level { row("level", v) }
            if let v = record.message { row("message", v) }
            for f in record.fields { row(f.name, f.value.description) }
        }
        h.raw("</tbody></table></div>")
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
