import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel

extension WebView {
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
    static func debuggerPage(_ request: Request, status: DaemonReports) async throws -> Response {
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

    static func rulesPage(_ status: DaemonReports, run: DebuggerRun?) -> Response {
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
            for f in status.rulesDocument().files {
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
