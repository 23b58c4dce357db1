/// The pictures' style and script: the traces page's scatter, the logs page's histogram and the
/// status page's plots (drawn as SVG by the daemon; the script only selects ranges).
extension WebAssets {
    static let chartsCSS = """
        /* status plots */
        .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: .8em 1.2em; margin: .4em 0 1.2em; }
        figure.plot { margin: 0; padding: .4em .6em .5em; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
        figure.plot figcaption { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .2em .8em; font-size: .9em; margin-bottom: .3em; }
        figure.plot figcaption .title { font-weight: 600; }
        figure.plot figcaption .latest { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; }
        figure.plot .plot-area { position: relative; }
        figure.plot svg { display: block; width: 100%; height: 120px; border-left: 1px solid var(--line); border-bottom: 1px solid var(--line); }
        figure.plot .plot-max { position: absolute; top: 0; left: .3em; font-size: .75em; color: var(--muted); background: rgba(255, 255, 255, .85); padding: 0 .2em; }
        figure.plot .plot-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: var(--muted); }
        figure.plot .plot-x { display: flex; justify-content: space-between; font-size: .75em; color: var(--muted); }
        figure.plot polyline { fill: none; stroke-width: 1.5; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
        figure.plot line.grid { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
        figure.plot line.limit { stroke: var(--err); stroke-width: 1; stroke-dasharray: 5 4; vector-effect: non-scaling-stroke; }
        figure.plot .svc0 { stroke: #3b6fd8; } figure.plot .svc1 { stroke: #2e9e6b; } figure.plot .svc2 { stroke: #c77c12; }
        figure.plot .svc3 { stroke: #8a4fd1; } figure.plot .svc4 { stroke: #d2487a; } figure.plot .svc5 { stroke: #178a9c; }
        figure.plot .svc6 { stroke: #6b7a1f; } figure.plot .svc7 { stroke: #8c5a3c; }
        figure.plot .legend { flex-wrap: wrap; gap: .3em .5em; margin: .35em 0 0; }
        /* end of status plots */
        /* histogram and scatter */
        figure.histogram, figure.scatter { margin: 0 0 1em; padding: .5em .8em .4em; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
        figure.histogram .chart, figure.scatter .chart { display: flex; gap: 8px; }
        figure.histogram .y-axis, figure.scatter .y-axis { flex: none; width: 56px; display: flex; flex-direction: column; justify-content: space-between;
          align-items: flex-end; font-size: .75em; line-height: 1; color: var(--muted); }
        figure.histogram .chart-area, figure.scatter .chart-area { flex: 1; min-width: 0; }
        figure.histogram svg { display: block; width: 100%; height: 120px; border-bottom: 1px solid var(--line); cursor: crosshair; user-select: none; -webkit-user-select: none; }
        figure.scatter svg { display: block; width: 100%; height: auto; aspect-ratio: 5 / 1; overflow: visible; border-left: 1px solid var(--line); border-bottom: 1px solid var(--line); }
        figure.histogram .axis, figure.scatter .axis { display: flex; justify-content: space-between; margin: .15em 0 0 64px; font-size: .75em; color: var(--muted); }
        figure.histogram figcaption, figure.scatter figcaption { margin-top: .3em; font-size: .85em; color: var(--muted); }
        .lvl-error { fill: #c8312b; background: #c8312b; } .lvl-warn { fill: #d6a400; background: #d6a400; } .lvl-info { fill: #3b6fd8; background: #3b6fd8; }
        .lvl-debug { fill: #9aa3b5; background: #9aa3b5; } .lvl-other { fill: #c9ced8; background: #c9ced8; }
        figure.histogram g.bucket:hover rect { fill-opacity: .75; }
        figure.histogram rect.selection { fill: #3b6fd8; fill-opacity: .18; stroke: #3b6fd8; stroke-width: 1px; vector-effect: non-scaling-stroke; pointer-events: none; }
        ul.levels { display: flex; flex-wrap: wrap; gap: .2em 1em; list-style: none; margin: .35em 0 0 64px; padding: 0; font-size: .85em; }
        ul.levels .swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em; border-radius: 2px; vertical-align: -.05em; }
        figure.scatter line.grid { stroke: var(--line); stroke-width: 1px; vector-effect: non-scaling-stroke; }
        /* The plot keeps its viewBox's proportions (aspect-ratio above): the points stay round. */
        figure.scatter circle.pt { fill: #3b6fd8; fill-opacity: .8; stroke: #fff; stroke-width: 1px; vector-effect: non-scaling-stroke; cursor: pointer; }
        figure.scatter circle.pt.err { fill: var(--err); }
        figure.scatter a:hover circle.pt, figure.scatter a:focus circle.pt { fill-opacity: 1; stroke: #1d2330; stroke-width: 2px; }
        table.logs time.stored { font-style: italic; }
        /* end of histogram and scatter */
        """

    static let chartsJavaScript = """
        /* histogram and scatter */
        (function () {
          // A time as the logs page's `since` and `until` take it (SearchRoutes.time): nanoseconds
          // since the epoch; before 1970-01-01T00:16:40Z, which so few nanoseconds do not say,
          // RFC 3339 to the second (within the years 1 to 9999).
          function parameter(t) {
            var n = Number(t);
            if (n > 1e12) return String(t);
            var ms = Math.max(-62135596800000, Math.min(253402300799000, Math.floor(n / 1e6)));
            return new Date(ms).toISOString().slice(0, 19) + "Z";
          }
          // The histogram of /logs: dragging across it (or clicking a bar) sets the form's since
          // and until to the range chosen and submits it. Times are the figure's nanoseconds,
          // added exactly with BigInt where there is one.
          document.addEventListener("DOMContentLoaded", function () {
            var figure = document.getElementById("log-volume");
            var form = document.getElementById("log-filters");
            var svg = figure && figure.querySelector("svg");
            if (!figure || !form || !svg) return;
            var since = figure.getAttribute("data-since"), until = figure.getAttribute("data-until");
            var bucket = Number(figure.getAttribute("data-bucket-ns")) || 1;
            var exact = typeof BigInt === "function";
            var width = exact ? Number(BigInt(until) - BigInt(since)) : Number(until) - Number(since);
            // since + offset nanoseconds, at most until.
            function at(offset) {
              offset = Math.max(0, Math.round(offset));
              if (!exact) return Math.min(Number(until), Number(since) + offset);
              var t = BigInt(since) + BigInt(offset);
              return t > BigInt(until) ? BigInt(until) : t;
            }
            // Where bucket k starts (k past the last: until).
            function edge(k) {
              if (!exact) return Math.min(Number(until), Number(since) + k * bucket);
              var t = BigInt(since) + BigInt(k) * BigInt(figure.getAttribute("data-bucket-ns"));
              return t > BigInt(until) ? BigInt(until) : t;
            }
            function fraction(event) {
              var box = svg.getBoundingClientRect();
              return box.width > 0 ? Math.max(0, Math.min(1, (event.clientX - box.left) / box.width)) : 0;
            }
            var band = null, start = null;
            function draw(a, b) {
              band.setAttribute("x", (Math.min(a, b) * 1000).toFixed(2));
              band.setAttribute("width", (Math.abs(b - a) * 1000).toFixed(2));
            }
            svg.addEventListener("mousedown", function (event) {
              if (event.button !== 0) return;
              event.preventDefault();
              start = fraction(event);
              if (!band) {
                band = document.createElementNS("http://www.w3.org/2000/svg", "rect");
                band.setAttribute("class", "selection");
                band.setAttribute("y", "0");
                band.setAttribute("height", "120");
                svg.appendChild(band);
              }
              draw(start, start);
            });
            document.addEventListener("mousemove", function (event) {
              if (start !== null) draw(start, fraction(event));
            });
            document.addEventListener("mouseup", function (event) {
              if (start === null) return;
              var end = fraction(event), a = Math.min(start, end), b = Math.max(start, end), from, to;
              start = null;
              if ((b - a) * svg.getBoundingClientRect().width < 3) {
                // A click: the bar under it.
                var k = Math.max(0, Math.min(Math.floor(a * width / bucket), Math.ceil(width / bucket) - 1));
                from = edge(k);
                to = edge(k + 1);
              } else {
                from = at(a * width);
                to = at(b * width);
              }
              figure.setAttribute("data-selected", String(from) + " " + String(to));
              form.elements.namedItem("since").value = parameter(from);
              form.elements.namedItem("until").value = parameter(to);
              form.submit();
            });
          });
        })();
        /* end of histogram and scatter */
        """
}
