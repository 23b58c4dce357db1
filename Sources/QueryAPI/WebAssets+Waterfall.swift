/// The trace page's style and script: the dense waterfall (``TracePage``).
extension WebAssets {
    static let waterfallCSS = """
        .trace-tools { display: flex; flex-wrap: wrap; gap: .5em .8em; align-items: center; margin: .4em 0; }
        .trace-tools input[type=search] { font: inherit; padding: .15em .4em; }
        .muted, .keys { color: var(--muted); font-size: .85em; }
        .overview { position: relative; height: 44px; background: #fff; border: 1px solid var(--line); cursor: crosshair; margin-bottom: .3em; user-select: none; }
        .overview svg { width: 100%; height: 100%; display: block; }
        .overview-selection { position: absolute; top: 0; bottom: 0; background: rgba(59, 111, 216, .18); border: 1px solid #3b6fd8; pointer-events: none; }
        .waterfall { background: #fff; border: 1px solid var(--line); }
        .waterfall [hidden] { display: none !important; }
        .waterfall .span, .wf-head { display: grid; grid-template-columns: minmax(18em, 38%) 1fr 5.2em; align-items: center; }
        .wf-head { position: sticky; top: 0; z-index: 2; background: #f3f5f9; border-bottom: 1px solid var(--line); font-size: .8em; color: var(--muted); height: 22px; }
        .wf-head > div { padding: 0 .4em; }
        .ruler { display: flex; justify-content: space-between; }
        .waterfall .span { height: 24px; border-bottom: 1px solid #f0f2f6; cursor: pointer; content-visibility: auto; contain-intrinsic-size: auto 24px; }
        .waterfall .span:hover { background: #f5f8ff; }
        .waterfall .span:focus { outline: 2px solid #3b6fd8; outline-offset: -2px; }
        .waterfall .span.open { background: #eef3fd; }
        .waterfall .span.has-error .tree-col { box-shadow: inset 3px 0 var(--err); }
        .waterfall.finding .span:not(.match) { opacity: .4; }
        .waterfall .span.match .name { background: #fff1a8; }
        .waterfall .span.current { background: #fff7d1; }
        .tree-col { display: flex; align-items: center; gap: .35em; overflow: hidden; white-space: nowrap; padding-right: .4em; min-width: 0; }
        .tree-col .name, .tree-col .resource { overflow: hidden; text-overflow: ellipsis; }
        .tree-col .resource { color: var(--muted); flex: 1 1 0; min-width: 0; }
        .tree-col .chip { flex: none; max-width: 12em; overflow: hidden; text-overflow: ellipsis; }
        .tree-col .errmark { color: var(--err); font-weight: 700; }
        .tree-col .nlines { margin-left: auto; flex: none; font-size: .75em; color: var(--muted); border: 1px solid var(--line); border-radius: 8px; padding: 0 .45em; }
        .twisty { flex: none; width: 1.4em; height: 1.4em; padding: 0; border: 0; background: none; color: var(--muted); cursor: pointer; font-size: .85em; }
        .twisty.leaf { display: inline-block; }
        .time-col { position: relative; height: 100%; display: flex; align-items: center;
          background-image: linear-gradient(to right, #eceff4 1px, transparent 1px); background-size: 25% 100%; }
        .time-col svg.bar { width: 100%; }
        .dur-col { text-align: right; padding-right: .5em; font-size: .8em; color: var(--muted); font-variant-numeric: tabular-nums; }
        .span-lines { padding: .1em .5em .3em 2.2em; font-size: .85em; border-bottom: 1px solid #f0f2f6; }
        .span-lines table.logs td, .span-detail table.logs td { padding: .1em .4em; }
        .span-detail { margin: 0 0 .4em 1.2em; padding: .4em .8em; background: #f7f9fd; border: 1px solid var(--line); border-left: 3px solid #3b6fd8; font-size: .92em; }
        .span-detail .detail-head { margin: .1em 0 .4em; }
        .span-detail table.fields { margin: .3em 0; } .span-detail td.type { width: 8em; color: var(--muted); font-size: .85em; }
        .span-detail table.ids th { width: 17em; white-space: nowrap; }
        table.logs td.span-name { width: 14em; color: var(--muted); }
        .span-event { margin: .4em 0; } .span-event .event-name { font-weight: 600; }
        pre.stack { max-height: 14em; overflow: auto; background: #fff; border: 1px solid var(--line); padding: .3em; }
        """ + (0...TracePage.deepestIndent).map { ".indent\($0) { padding-left: \(Double($0) * 0.9 + 0.2)em; }" }.joined(separator: "\n")

    /// Folding, find, keyboard, zoom and the span detail. It moves and hides what the server
    /// wrote; the only markup it inserts is the server's own escaped fragment of a span's lines.
    static let waterfallJavaScript = """
        (function () {
          var wf = document.getElementById("waterfall");
          if (!wf) return;
          var rows = Array.prototype.slice.call(wf.querySelectorAll(".span"));
          var byId = {};
          rows.forEach(function (r, i) {
            r._i = i;
            r._depth = Number(r.getAttribute("data-depth")) || 0;
            byId[r.getAttribute("data-span-id")] = r;
          });
          var total = Number(wf.getAttribute("data-total-ns")) || 1;
          var showLines = document.getElementById("show-lines");
          function companions(r) {
            var out = [], n = r.nextElementSibling;
            while (n && !n.classList.contains("span")) { out.push(n); n = n.nextElementSibling; }
            return out;
          }
          function twisty(r) { return r.querySelector("button.twisty"); }
          function setCollapsed(r, on) {
            var t = twisty(r);
            if (!t) return;
            r.classList.toggle("collapsed", on);
            t.setAttribute("aria-expanded", on ? "false" : "true");
            t.textContent = on ? "\\u25B8" : "\\u25BE";
          }
          // Rows under a folded ancestor are hidden; a row's lines and detail go with it.
          function layout() {
            var foldedAt = Infinity;
            rows.forEach(function (r) {
              if (r._depth <= foldedAt) foldedAt = Infinity;
              var hide = foldedAt !== Infinity;
              r.hidden = hide;
              if (!hide && r.classList.contains("collapsed")) foldedAt = r._depth;
              companions(r).forEach(function (c) {
                if (c.classList.contains("span-lines")) c.hidden = hide || (showLines && !showLines.checked);
                else if (c.classList.contains("span-detail")) c.hidden = hide || !r.classList.contains("open");
              });
            });
          }
          function visible() { return rows.filter(function (r) { return !r.hidden; }); }
          function focusRow(r) {
            if (!r) return;
            rows.forEach(function (o) { if (o.tabIndex === 0 && o !== r) o.tabIndex = -1; });
            r.tabIndex = 0;
            r.focus({ preventScroll: true });
            r.scrollIntoView({ block: "nearest" });
          }
          function reveal(r) {
            var p = byId[r.getAttribute("data-parent-id")], guard = 0;
            while (p && guard++ < 10000) { setCollapsed(p, false); p = byId[p.getAttribute("data-parent-id")]; }
            layout();
          }
          function fetchLines(r, detail) {
            var box = detail.querySelector(".detail-lines");
            if (!box) return;
            var here = box.querySelector(".lines-here");
            var withDescendants = box.querySelector("input.with-descendants");
            var url = box.getAttribute("data-src") + (withDescendants && withDescendants.checked ? "?descendants=true" : "");
            if (here.getAttribute("data-loaded") === url) return;
            here.setAttribute("data-loaded", url);
            here.textContent = "loading\\u2026";
            fetch(url, { credentials: "same-origin" }).then(function (resp) { return resp.text(); }).then(function (html) {
              if (here.getAttribute("data-loaded") !== url) return;
              here.textContent = "";
              here.insertAdjacentHTML("beforeend", html);
              here.setAttribute("data-ready", url);
            });
          }
          // The detail comes from the server with the span's own lines; its descendants' are fetched on demand.
          function toggleDetail(r, open) {
            var detail = companions(r).filter(function (c) { return c.classList.contains("span-detail"); })[0];
            if (!detail) return;
            if (open === undefined) open = !r.classList.contains("open");
            r.classList.toggle("open", open);
            detail.hidden = !open;
            if (!open || detail.getAttribute("data-loaded")) return;
            detail.setAttribute("data-loaded", "1");
            detail.textContent = "loading\\u2026";
            fetch(detail.getAttribute("data-src"), { credentials: "same-origin" }).then(function (resp) { return resp.text(); }).then(function (html) {
              detail.textContent = "";
              detail.insertAdjacentHTML("beforeend", html);
              var here = detail.querySelector(".lines-here");
              if (here) { var own = detail.querySelector(".detail-lines").getAttribute("data-src"); here.setAttribute("data-loaded", own); here.setAttribute("data-ready", own); }
              if (window.tracejoinLocalise) window.tracejoinLocalise(detail);
            });
          }
          wf.addEventListener("click", function (event) {
            if (event.target.closest("button.copy, a, input, label, details, .span-detail, .span-lines")) return;
            var t = event.target.closest("button.twisty");
            var r = event.target.closest(".span");
            if (!r) return;
            if (t) { setCollapsed(r, !r.classList.contains("collapsed")); layout(); focusRow(r); return; }
            toggleDetail(r);
            focusRow(r);
          });
          wf.addEventListener("change", function (event) {
            if (!event.target.matches("input.with-descendants")) return;
            var detail = event.target.closest(".span-detail");
            var r = byId[detail.getAttribute("data-for")];
            if (r) fetchLines(r, detail);
          });
          wf.addEventListener("keydown", function (event) {
            var r = event.target.closest(".span");
            if (!r || event.target !== r) return;
            var list = visible(), i = list.indexOf(r);
            if (event.key === "ArrowDown") { focusRow(list[Math.min(list.length - 1, i + 1)]); }
            else if (event.key === "ArrowUp") { focusRow(list[Math.max(0, i - 1)]); }
            else if (event.key === "ArrowRight") {
              if (r.classList.contains("collapsed")) { setCollapsed(r, false); layout(); }
              else if (list[i + 1] && list[i + 1].getAttribute("data-parent-id") === r.getAttribute("data-span-id")) focusRow(list[i + 1]);
            } else if (event.key === "ArrowLeft") {
              if (twisty(r) && !r.classList.contains("collapsed")) { setCollapsed(r, true); layout(); }
              else focusRow(byId[r.getAttribute("data-parent-id")]);
            } else if (event.key === "Enter" || event.key === " ") { toggleDetail(r); }
            else if (event.key === "Home") { focusRow(list[0]); }
            else if (event.key === "End") { focusRow(list[list.length - 1]); }
            else return;
            event.preventDefault();
          });
          function on(id, type, fn) { var el = document.getElementById(id); if (el) el.addEventListener(type, fn); return el; }
          on("expand-all", "click", function () { rows.forEach(function (r) { setCollapsed(r, false); }); layout(); });
          on("collapse-all", "click", function () { rows.forEach(function (r) { setCollapsed(r, true); }); layout(); });
          on("depth", "change", function (event) {
            var d = Number(event.target.value);
            rows.forEach(function (r) { setCollapsed(r, d > 0 && r._depth >= d - 1); });
            layout();
          });
          if (showLines) showLines.addEventListener("change", layout);
          // Find: text of the row (service, operation, resource), its span ID, "error", its lines.
          var find = document.getElementById("find"), errorsOnly = document.getElementById("errors-only");
          var count = document.getElementById("find-count");
          var matches = [], current = -1;
          function text(r) {
            if (r._text === undefined) {
              var parts = [r.querySelector(".tree-col").textContent, r.getAttribute("data-span-id")];
              if (r.classList.contains("has-error")) parts.push("error");
              companions(r).forEach(function (c) { if (c.classList.contains("span-lines")) parts.push(c.textContent); });
              r._text = parts.join(" ").toLowerCase();
            }
            return r._text;
          }
          function runFind() {
            var q = find.value.trim().toLowerCase(), errors = errorsOnly.checked;
            rows.forEach(function (r) { r.classList.remove("match"); r.classList.remove("current"); });
            matches = [];
            current = -1;
            if (!q && !errors) { wf.classList.remove("finding"); count.textContent = ""; return; }
            wf.classList.add("finding");
            rows.forEach(function (r) {
              if ((!q || text(r).indexOf(q) >= 0) && (!errors || r.classList.contains("has-error"))) { r.classList.add("match"); matches.push(r); }
            });
            count.textContent = matches.length ? matches.length + " match" + (matches.length === 1 ? "" : "es") : "no match";
          }
          function jump(step) {
            if (!matches.length) return;
            if (current >= 0) matches[current].classList.remove("current");
            current = (current + step + matches.length) % matches.length;
            var r = matches[current];
            r.classList.add("current");
            reveal(r);
            count.textContent = (current + 1) + " of " + matches.length;
            focusRow(r);
            r.scrollIntoView({ block: "center" });
          }
          if (find) {
            find.addEventListener("input", runFind);
            errorsOnly.addEventListener("change", function () { runFind(); jump(1); });
            find.addEventListener("keydown", function (event) {
              if (event.key === "Enter") { event.preventDefault(); jump(event.shiftKey ? -1 : 1); }
              else if (event.key === "Escape") { find.value = ""; runFind(); find.blur(); }
            });
            on("find-next", "click", function () { jump(1); });
            on("find-prev", "click", function () { jump(-1); });
            document.addEventListener("keydown", function (event) {
              if (event.key === "/" && !event.target.closest("input, textarea, select")) { event.preventDefault(); find.focus(); }
            });
          }
          // Zoom: drag across the overview; the bars' viewBoxes and the ruler follow.
          function duration(ns) {
            var v = Math.abs(ns), sign = ns < 0 ? "-" : "";
            function f(x) { return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0); }
            if (v < 1e3) return sign + Math.round(v) + "ns";
            if (v < 1e6) return sign + f(v / 1e3) + "\\u00B5s";
            if (v < 1e9) return sign + f(v / 1e6) + "ms";
            if (v < 6e10) return sign + f(v / 1e9) + "s";
            return sign + Math.floor(v / 6e10) + "m " + String(Math.floor(v / 1e9) % 60 + 100).slice(1) + "s";
          }
          var ticks = Array.prototype.slice.call(document.querySelectorAll("#ruler .tick"));
          var bars = Array.prototype.slice.call(wf.querySelectorAll(".span svg.bar"));
          var reset = document.getElementById("zoom-reset");
          var overview = document.getElementById("overview"), selection = document.getElementById("overview-selection");
          function zoom(a, b) {
            var box = (a * 1000).toFixed(2) + " 0 " + ((b - a) * 1000).toFixed(2) + " 12";
            bars.forEach(function (svg) { svg.setAttribute("viewBox", box); });
            ticks.forEach(function (t, i) { t.textContent = (a === 0 && i === 0) ? "0" : duration(total * (a + (b - a) * i / 4)); });
            wf.setAttribute("data-zoom", a.toFixed(4) + "-" + b.toFixed(4));
            var whole = a <= 0 && b >= 1;
            reset.hidden = whole;
            selection.hidden = whole;
            if (!whole) { selection.style.left = (a * 100) + "%"; selection.style.width = ((b - a) * 100) + "%"; }
          }
          if (reset) reset.addEventListener("click", function () { zoom(0, 1); });
          if (overview) {
            var from = null;
            function at(event) {
              var box = overview.getBoundingClientRect();
              return Math.max(0, Math.min(1, (event.clientX - box.left) / Math.max(1, box.width)));
            }
            overview.addEventListener("mousedown", function (event) { from = at(event); event.preventDefault(); });
            document.addEventListener("mousemove", function (event) {
              if (from === null) return;
              var to = at(event);
              selection.hidden = false;
              selection.style.left = (Math.min(from, to) * 100) + "%";
              selection.style.width = (Math.abs(to - from) * 100) + "%";
            });
            document.addEventListener("mouseup", function (event) {
              if (from === null) return;
              var to = at(event), a = Math.min(from, to), b = Math.max(from, to);
              from = null;
              if (b - a > 0.002) zoom(a, b); else zoom(0, 1);
            });
          }
          layout();
        })();
        """
}
