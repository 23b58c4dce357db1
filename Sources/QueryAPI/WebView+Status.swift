import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

extension WebView {
    /// `/status`: drawn from the document `/v1/stats` returns (composed once for the page) and
    /// the last hour's samples. The totals table lists the document's daemon-wide figures, so a
    /// figure added to ``StatsDocument`` shows here without a change to this page.
    static func statusPage(_ status: DaemonReports) -> Response {
        if status.fleet { return fleetStatusPage(status.stats()) }
        let stats = status.stats()
        let files = stats.files
        let retention = stats.retention
        let ingest = stats.ingest
        let history = status.samples()
        return HTML.response(page("Status") { h in
            h.raw("<h1>Status</h1>")
            if ingest.paused {
                h.element("p", "Ingest is paused: " + (ingest.reason ?? "unknown reason"), class: "error")
            }
            StatusPlot.drawAll(&h, history)
            totals(&h, stats)
            h.raw("<h2>Followed files</h2><p>")
            h.text("\(HumanUnits.count(files.count)) files, \(HumanUnits.count(stats.tail.descriptors_held)) descriptors held, "
                + "\(HumanUnits.count(stats.tail.waiting_for_descriptor)) waiting for one")
            h.raw("</p><table><thead><tr><th>File</th><th>Source</th><th>State</th><th>Offset</th><th>Lag</th><th>Lines</th><th>Rotations</th><th>Lost</th></tr></thead><tbody>")
            for f in files {
                h.raw("<tr>")
                h.cells([f.path, f.source, f.state, HumanUnits.bytes(f.offset), HumanUnits.bytes(f.lag_bytes), HumanUnits.count(f.lines_read)])
                h.raw("<td>")
                h.text(HumanUnits.count(f.rotations))
                if let last = f.last_rotation {
                    h.text(" (last: " + last)
                    if let at = f.last_rotation_at {
                        h.text(", ")
                        moment(&h, at)
                    }
                    h.text(")")
                }
                h.raw("</td>")
                h.cells([HumanUnits.bytes(f.bytes_lost)])
                h.raw("</tr>")
            }
            h.raw("</tbody></table><h2>Rules</h2><table><thead><tr><th>Source</th><th>Rule</th><th>Matched</th><th>With trace</th><th>Without</th><th>Invalid IDs</th></tr></thead><tbody>")
            for (source, rules) in stats.sources.sorted(by: { $0.key < $1.key }) {
                for (rule, c) in rules.rules.sorted(by: { $0.key < $1.key }) {
                    h.raw("<tr>")
                    h.cells([source, rule, HumanUnits.count(c.matched), HumanUnits.count(c.with_trace),
                             HumanUnits.count(c.without_trace), HumanUnits.count(c.invalid_ids)])
                    h.raw("</tr>")
                }
            }
            h.raw("</tbody></table><h2>Retention</h2><p>")
            let share = retention.max_bytes > 0
                ? " (" + String(format: "%.2f", Double(retention.used_bytes) / Double(retention.max_bytes) * 100) + " %)" : ""
            let (maxAge, overflow) = retention.max_age_seconds.multipliedReportingOverflow(by: 1_000_000_000)
            h.text("\(HumanUnits.bytes(retention.used_bytes)) of \(HumanUnits.bytes(retention.max_bytes)) used\(share); "
                + "lines older than \(HumanUnits.duration(overflow ? Int64.max : maxAge)) are deleted; "
                + "\(HumanUnits.count(retention.deleted_logs)) lines and \(HumanUnits.count(retention.deleted_spans)) spans deleted since start")
            if let run = retention.last_run {
                h.text("; last run ")
                moment(&h, run)
            }
            h.raw("</p>")
        })
    }

    /// The fleet service's `/status`: its shards (state, version, latency, failures, the last
    /// error) and its own figures. It has no files, rules or retention to show.
    static func fleetStatusPage(_ stats: StatsDocument) -> Response {
        HTML.response(page("Status") { h in
            h.raw("<h1>Status</h1>")
            totals(&h, stats)
            h.raw("<h2>Shards</h2><p>")
            h.text("Each shard is asked for its version every \(ShardStatus.probeIntervalSeconds) s, and every read updates its row.")
            h.raw("</p><table id=\"shards\"><thead><tr><th>Shard</th><th>State</th><th>Version</th><th>Last answer</th><th>Latency</th>"
                + "<th>Reads</th><th>Failures</th><th>Timeouts</th><th>Last error</th></tr></thead><tbody>")
            for shard in stats.shards {
                h.raw("<tr")
                h.attribute("data-shard", shard.url)
                h.attribute("data-state", shard.state)
                h.raw(">")
                h.cells([shard.url])
                h.raw(shard.state == "down" ? "<td class=\"error\">" : "<td>")
                h.text(shard.state)
                h.raw("</td>")
                h.cells([shard.version ?? "?"])
                h.raw("<td>")
                if let at = shard.last_success { moment(&h, at) } else { h.text("never") }
                h.raw("</td>")
                h.cells([String(format: "%.1f ms", shard.last_latency_seconds * 1000), HumanUnits.count(Int(clamping: shard.queries)),
                         HumanUnits.count(Int(clamping: shard.failures)), HumanUnits.count(Int(clamping: shard.timeouts))])
                h.raw("<td>")
                if let error = shard.last_error {
                    h.text(error)
                    if let at = shard.last_error_at {
                        h.text(" (")
                        moment(&h, at)
                        h.text(")")
                    }
                }
                h.raw("</td></tr>")
            }
            h.raw("</tbody></table>")
        })
    }

    /// The document's figures that have a summary, as the Totals table: a figure added to
    /// ``StatsDocument`` shows here without a change to the page.
    private static func totals(_ h: inout HTML, _ stats: StatsDocument) {
        h.raw("<h2>Totals</h2><table id=\"status-totals\"><tbody>")
        for figure in stats.figures {
            guard let summary = figure.summary else { continue }
            h.raw("<tr>")
            h.cells([summary, figure.text])
            h.raw("</tr>")
        }
        h.raw("</tbody></table>")
    }

    /// An RFC 3339 time from a status document as a `<time>` element (as text if it does not parse).
    private static func moment(_ h: inout HTML, _ rfc3339: String) {
        if let ns = Timestamps.nanoseconds(parsing: rfc3339) {
            WebView.time(&h, nanoseconds: ns)
        } else {
            h.text(rfc3339)
        }
    }
}

/// One of the status page's plots of the last hour (``StatusHistory``), drawn by the daemon as
/// inline SVG: geometry in attributes, colours by class (`svc0`…`svc7`, as the waterfall's),
/// so the Content-Security-Policy needs no inline style. Rates are the differences of
/// successive cumulative samples over their time difference, never negative (a counter that
/// went down, a restart, gives 0).
///
/// Each is a `<figure class="plot" id="plot-…">` with `data-samples` (the samples it is drawn
/// from) and `data-last` (its latest value, a plain number) for tests and scripts.
private struct StatusPlot {
    struct Point {
        var time: Int64
        var value: Double
    }

    struct Series {
        var cls: String
        var name: String
        var points: [Point]
    }

    /// How the y axis and the caption write a value.
    enum Unit {
        case bytes, rate, count

        func text(_ value: Double) -> String {
            switch self {
            case .bytes: HumanUnits.bytes(StatusPlot.int64(value))
            case .rate: StatusPlot.decimal(value) + "/s"
            case .count: HumanUnits.count(Int(StatusPlot.int64(value)))
            }
        }
    }

    var id: String
    var title: String
    /// The caption's latest value, in human units.
    var latest: String
    /// `data-last`: the latest plotted value, a plain number.
    var last: String
    var unit: Unit
    var series: [Series]
    /// A horizontal line (`max_bytes` on the disk plot).
    var limit: Double?
    var legend = false

    /// The viewBox: 600 × 120, values between y = 118 (zero) and y = 6 (the axis maximum).
    static let width = 600.0, bottom = 118.0, top = 6.0
    /// The most points a polyline gets: the viewBox's width.
    static let maxPoints = 600

    /// The six plots of `history`, in a row above the status tables.
    static func drawAll(_ h: inout HTML, _ history: [StatusSample]) {
        let last = history.last
        let sources = Set(history.flatMap(\.lines.keys)).sorted()
        let lines = sources.enumerated().map { i, source in
            Series(cls: WebView.colour(i), name: source, points: rates(history) { $0.lines[source] })
        }
        let linesNow = lines.reduce(0.0) { $0 + ($1.points.last?.value ?? 0) }
        let spans = rates(history) { $0.spans }
        let spansNow = spans.last?.value ?? 0
        let quarantined = levels(history) { Double($0.quarantined) }
        let damaged = levels(history) { Double($0.damaged_blocks) }
        let plots = [
            StatusPlot(id: "plot-lines", title: "Lines read", latest: decimal(linesNow) + " lines/s", last: plain(linesNow),
                       unit: .rate, series: lines, legend: true),
            StatusPlot(id: "plot-spans", title: "Spans received", latest: decimal(spansNow) + " spans/s", last: plain(spansNow),
                       unit: .rate, series: [Series(cls: "svc1", name: "spans", points: spans)]),
            StatusPlot(id: "plot-lag", title: "Tail lag", latest: HumanUnits.bytes(last?.lag_bytes ?? 0), last: "\(last?.lag_bytes ?? 0)",
                       unit: .bytes, series: [Series(cls: "svc2", name: "lag", points: levels(history) { Double($0.lag_bytes) })]),
            StatusPlot(id: "plot-disk", title: "Disk used",
                       latest: HumanUnits.bytes(last?.used_bytes ?? 0) + " of " + HumanUnits.bytes(last?.max_bytes ?? 0),
                       last: "\(last?.used_bytes ?? 0)", unit: .bytes,
                       series: [Series(cls: "svc0", name: "used", points: levels(history) { Double($0.used_bytes) })],
                       limit: last.map { Double($0.max_bytes) }),
            StatusPlot(id: "plot-memory", title: "Resident memory", latest: HumanUnits.bytes(last?.rss_bytes ?? 0),
                       last: "\(last?.rss_bytes ?? 0)", unit: .bytes,
                       series: [Series(cls: "svc3", name: "resident", points: levels(history) { Double($0.rss_bytes) })]),
            StatusPlot(id: "plot-quarantine", title: "Quarantined and damaged",
                       latest: HumanUnits.count(last?.quarantined ?? 0) + " quarantined, "
                           + HumanUnits.count(last?.damaged_blocks ?? 0) + " damaged blocks",
                       last: "\(HistoryMath.sum(last?.quarantined ?? 0, last?.damaged_blocks ?? 0))", unit: .count,
                       series: [Series(cls: "svc4", name: "quarantined", points: quarantined),
                                Series(cls: "svc2", name: "damaged blocks", points: damaged)],
                       legend: true),
        ]
        h.raw("<section class=\"plots\" id=\"status-plots\">")
        for plot in plots {
            plot.draw(&h, history)
        }
        h.raw("</section>")
    }

    /// The figure: caption, axis maximum, the frame with its polylines, the time axis, a legend.
    func draw(_ h: inout HTML, _ history: [StatusSample]) {
        let from = history.first?.time ?? 0, to = history.last?.time ?? 0
        let drawn = history.count >= 2 && to > from
        h.raw("<figure class=\"plot\"")
        h.attribute("id", id)
        h.attribute("data-samples", String(history.count))
        h.attribute("data-last", last)
        h.raw("><figcaption><span class=\"title\">")
        h.text(title)
        h.raw("</span> <span class=\"latest\">")
        h.text(latest)
        h.raw("</span></figcaption><div class=\"plot-area\">")
        var highest = limit ?? 0
        for s in series {
            for p in s.points where p.value > highest { highest = p.value }
        }
        let axis = Self.ceiling(highest, binary: unit == .bytes)
        if drawn {
            h.raw("<span class=\"plot-max\">")
            h.text(unit.text(axis))
            h.raw("</span>")
        }
        h.raw("<svg viewBox=\"0 0 600 120\" preserveAspectRatio=\"none\" role=\"img\"")
        h.attribute("aria-label", title)
        h.raw("><line class=\"grid\" x1=\"0\" x2=\"600\" y1=\"\(Self.top)\" y2=\"\(Self.top)\"></line>")
        if drawn {
            func x(_ t: Int64) -> String { WebView.fmt((Double(t) - Double(from)) / (Double(to) - Double(from)) * Self.width) }
            func y(_ v: Double) -> String { WebView.fmt(Self.bottom - min(1, max(0, v / axis)) * (Self.bottom - Self.top)) }
            if let limit {
                h.raw("<line class=\"limit\" x1=\"0\" x2=\"600\" y1=\"\(y(limit))\" y2=\"\(y(limit))\"></line>")
            }
            for s in series where !s.points.isEmpty {
                let points = Self.downsample(s.points).map { x($0.time) + "," + y($0.value) }.joined(separator: " ")
                h.raw("<polyline class=\"\(s.cls)\" points=\"\(points)\"></polyline>")
            }
        }
        h.raw("</svg>")
        if !drawn { h.raw("<span class=\"plot-empty\">collecting…</span>") }
        h.raw("</div><div class=\"plot-x\"><span>")
        h.text(drawn ? Self.span(seconds: (Double(to) - Double(from)) / 1e9) : "")
        h.raw("</span><span>now</span></div>")
        if legend && !series.isEmpty {
            h.raw("<div class=\"legend\">")
            for s in series {
                h.element("span", s.name, class: "chip " + s.cls)
            }
            h.raw("</div>")
        }
        h.raw("</figure>")
    }

    // MARK: Series

    /// Per second, from each pair of successive samples: the rise of `count` over their time
    /// difference; 0 where it fell (a restart), where the time did not advance, or where either
    /// sample lacks the count (a source that appeared).
    static func rates(_ samples: [StatusSample], _ count: (StatusSample) -> Int?) -> [Point] {
        var out: [Point] = []
        out.reserveCapacity(max(0, samples.count - 1))
        for (previous, current) in zip(samples, samples.dropFirst()) {
            let seconds = (Double(current.time) - Double(previous.time)) / 1e9
            var rate = 0.0
            if let before = count(previous), let after = count(current), after > before, seconds > 0 {
                rate = (Double(after) - Double(before)) / seconds
            }
            out.append(Point(time: current.time, value: rate))
        }
        return out
    }

    static func levels(_ samples: [StatusSample], _ value: (StatusSample) -> Double) -> [Point] {
        samples.map { Point(time: $0.time, value: value($0)) }
    }

    /// At most ``maxPoints`` points: consecutive points grouped, each group's highest value kept
    /// (at the group's last time), so a spike stays visible.
    static func downsample(_ points: [Point]) -> [Point] {
        guard points.count > maxPoints else { return points }
        let group = (points.count + maxPoints - 1) / maxPoints
        var out: [Point] = []
        out.reserveCapacity(maxPoints)
        var start = 0
        while start < points.count {
            let end = min(start + group, points.count)
            let highest = points[start..<end].reduce(-Double.infinity) { max($0, $1.value) }
            out.append(Point(time: points[end - 1].time, value: highest))
            start = end
        }
        return out
    }

    // MARK: Axes and numbers

    /// The axis maximum: `value` rounded up to 1, 2 or 5 times a power of ten (of bytes in the
    /// binary unit `value` is written in: 2 MiB, not 1.91 MiB); 1 for nothing.
    static func ceiling(_ value: Double, binary: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        var unit = 1.0
        if binary {
            while value / unit >= 1024 { unit *= 1024 }
        }
        let scaled = value / unit
        let magnitude = pow(10, floor(log10(scaled)))
        for step in [1.0, 2, 5] where step * magnitude >= scaled {
            return step * magnitude * unit
        }
        return 10 * magnitude * unit
    }

    /// The time the plot covers, as its left label: `-60 min`, `-3 min`, `-45 s`.
    static func span(seconds: Double) -> String {
        if seconds < 59.5 { return "-\(Int(seconds.rounded())) s" }
        return "-\(Int(min(60, (seconds / 60).rounded()))) min"
    }

    /// A rate for the eye: three significant digits, thousands separated above 1,000; `0` for nothing.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        if value >= 999.5 { return HumanUnits.count(Int(int64(value.rounded()))) }
        return String(format: value < 10 ? "%.2f" : value < 100 ? "%.1f" : "%.0f", value)
    }

    /// A `data-last` value: a plain number, three decimals.
    static func plain(_ value: Double) -> String {
        String(format: "%.3f", value.isFinite ? value : 0)
    }

    /// `value` as an Int64, held at its bounds (a Double beyond them traps on conversion).
    static func int64(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        if value >= 9.2e18 { return Int64.max }
        if value <= -9.2e18 { return Int64.min }
        return Int64(value)
    }
}

/// Sums of counts that hold at the bounds instead of trapping.
private enum HistoryMath {
    static func sum(_ a: Int, _ b: Int) -> Int {
        let (total, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int.max : Int.min) : total
    }
}
