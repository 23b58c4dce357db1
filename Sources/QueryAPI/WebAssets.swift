import Hummingbird
import NIOCore

/// The web view's style and script, embedded in the binary (no CDN, works offline).
enum WebAssets {
    static func response(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=300"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Every page's style: the base below, then each feature's (``waterfallCSS``, ``chartsCSS``).
    static let css = [baseCSS, waterfallCSS, chartsCSS].joined(separator: "\n")

    /// Every page's script: the base below, then each feature's.
    static let javascript = [baseJavaScript, timesJavaScript, waterfallJavaScript, chartsJavaScript].joined(separator: "\n")

    static let baseCSS = """
        :root { --fg: #1d2330; --muted: #687086; --line: #e3e6ee; --bg: #fbfbfd; --err: #c8312b; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        nav { display: flex; gap: 1.2em; align-items: center; padding: .6em 1.2em; background: #1d2330; }
        nav a { color: #dfe4f0; text-decoration: none; } nav a:hover { color: #fff; }
        nav .brand { color: #fff; font-weight: 600; margin-right: 1em; }
        nav form.logout { margin: 0 0 0 auto; } nav form.logout button { font-size: .85em; }
        form.login { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; margin: 1em 0; }
        form.login input { font: inherit; padding: .25em .4em; } .hint { color: var(--muted); max-width: 46em; }
        main { padding: 1em 1.4em; }
        h1 { font-size: 1.35em; margin: .2em 0 .5em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-weight: 600; color: var(--muted); font-size: .9em; }
        code, .id, pre, .time { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .92em; }
        .id { color: var(--muted); }
        pre { white-space: pre-wrap; word-break: break-all; margin: .2em 0; }
        .filters { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; margin-bottom: 1em; }
        .empty { color: var(--muted); } .error, .errmark { color: var(--err); } .warning, .skew { color: #9a6700; }
        .partial { border: 1px solid #9a6700; background: #fff8e5; padding: .4em .8em; margin-bottom: 1em; }
        .partial ul { margin: .2em 0; }
        a.host { color: var(--muted); font-size: .9em; }
        tr.has-error td:first-child { box-shadow: inset 3px 0 var(--err); }
        .barcell { width: 30%; } svg.bar { width: 100%; height: 12px; display: block; }
        svg.bar rect.err { stroke: var(--err); stroke-width: 3; }
        svg.bar line.mark { stroke: #1d2330; stroke-width: 2; vector-effect: non-scaling-stroke; }
        .chip { border-radius: 3px; padding: 0 .4em; color: #fff; font-size: .85em; }
        .legend { display: flex; gap: .5em; margin-bottom: .6em; }
        details.raw { display: inline; margin-left: .5em; } details.raw summary { display: inline; color: var(--muted); cursor: pointer; font-size: .8em; }
        tr.level-error td.level, tr.level-critical td.level, tr.level-fatal td.level { color: var(--err); font-weight: 600; }
        tr.level-warning td.level, tr.level-warn td.level { color: #9a6700; }
        button.copy { font-size: .7em; margin-left: .4em; }
        table.logs { table-layout: fixed; } table.logs td.time { width: 15em; } table.logs td.level { width: 6em; }
        table.logs td.message { width: auto; word-break: break-word; }
        table.fields { table-layout: fixed; } table.fields th { width: 12em; }
        .debug-line { margin: 1em 0; padding-top: .5em; border-top: 2px solid var(--line); } .debug-line pre.raw { margin: 0; }
        .svc0 { background: #3b6fd8; fill: #3b6fd8; } .svc1 { background: #2e9e6b; fill: #2e9e6b; } .svc2 { background: #c77c12; fill: #c77c12; }
        .svc3 { background: #8a4fd1; fill: #8a4fd1; } .svc4 { background: #d2487a; fill: #d2487a; } .svc5 { background: #178a9c; fill: #178a9c; }
        .svc6 { background: #6b7a1f; fill: #6b7a1f; } .svc7 { background: #8c5a3c; fill: #8c5a3c; }
        """

    /// Copy buttons, and the live mode of /logs (new lines from /v1/follow, appended as text).
    static let baseJavaScript = """
        "use strict";
        document.addEventListener("click", function (event) {
          var button = event.target.closest("button.copy");
          if (!button) return;
          var value = button.getAttribute("data-copy");
          if (navigator.clipboard) navigator.clipboard.writeText(value);
          button.textContent = "copied";
        });
        (function () {
          var live = document.getElementById("live");
          var table = document.getElementById("log-table");
          if (!live || !table) return;
          var source = null;
          live.addEventListener("change", function () {
            if (source) { source.abort(); source = null; }
            if (!live.checked) return;
            source = new AbortController();
            var params = new URLSearchParams(window.location.search);
            var query = new URLSearchParams();
            ["level", "service", "source", "trace_id"].forEach(function (k) { if (params.get(k)) query.set(k, params.get(k)); });
            fetch("/v1/follow?" + query.toString(), { signal: source.signal }).then(function (response) {
              table.setAttribute("data-live", "on");
              var reader = response.body.getReader();
              var decoder = new TextDecoder();
              var buffered = "";
              function pump() {
                return reader.read().then(function (chunk) {
                  if (chunk.done) return;
                  buffered += decoder.decode(chunk.value, { stream: true });
                  var lines = buffered.split("\\n");
                  buffered = lines.pop();
                  lines.forEach(function (line) {
                    if (!line.trim()) return;
                    var entry = JSON.parse(line);
                    var log = entry.log || entry;
                    var row = document.createElement("tr");
                    [log.time || "", log.level || "", log.source || "", log.message || log.raw || "", log.trace_id || ""].forEach(function (text) {
                      var cell = document.createElement("td");
                      cell.textContent = text;
                      row.appendChild(cell);
                    });
                    table.tBodies[0].insertBefore(row, table.tBodies[0].firstChild);
                  });
                  return pump();
                });
              }
              return pump();
            }).catch(function () {});
          });
        })();
        """

    /// `<time datetime>` in the reader's local time (``WebView/time(_:nanoseconds:class:)``):
    /// the date only where it differs from the previous one on the page, "2 min ago" on hover.
    static let timesJavaScript = """
        (function () {
          function pad(n, w) { n = String(n); while (n.length < (w || 2)) n = "0" + n; return n; }
          function ago(ms) {
            var s = Math.round(Math.abs(ms) / 1000), future = ms < 0, text;
            if (s < 60) text = s + " s"; else if (s < 3600) text = Math.round(s / 60) + " min";
            else if (s < 86400) text = Math.round(s / 3600) + " h"; else text = Math.round(s / 86400) + " days";
            return future ? "in " + text : text + " ago";
          }
          function localise(root) {
            var lastDate = null, lastGroup = null;
            (root || document).querySelectorAll("time[datetime]").forEach(function (el) {
              // The date is said again at the start of each table, axis or paragraph.
              var group = el.closest("table, .axis, figure, p, section") || document.body;
              if (group !== lastGroup) { lastDate = null; lastGroup = group; }
              var iso = el.getAttribute("datetime");
              var d = new Date(iso);
              if (isNaN(d.getTime())) return;
              var date = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
              var clock = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." + pad(d.getMilliseconds(), 3);
              el.textContent = (date !== lastDate ? date + " " : "") + clock;
              lastDate = date;
              el.title = iso + " (" + ago(Date.now() - d.getTime()) + ")";
              el.setAttribute("data-local", "1");
            });
          }
          window.tracejoinLocalise = localise;
          document.addEventListener("DOMContentLoaded", function () { localise(document); });
        })();
        """
}
