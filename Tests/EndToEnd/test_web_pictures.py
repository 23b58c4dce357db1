"""The web view's pictures (issue 27): the logs page's volume histogram, whose bars sum to the
lines in range and which selects a time range when dragged, and the traces page's scatter, with
a point per listed trace. Also `/v1/logs/volume`, which the histogram draws."""

import urllib.parse

import pytest

from harness import ddtrace_line, request, wait_for
from test_web_view import NOW_NS, SPANS, log_in_once, shot, site  # noqa: F401 (site is a fixture)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

CLASSES = ["error", "warn", "info", "debug", "other"]
# Each level is written in a batch of its own, indexed before the next is written: the batches
# get ingest times apart, so the histogram has bars apart to drag across.
WRITTEN = [("INFO", "info", 30), ("ERROR", "error", 7), ("WARNING", "warn", 5), ("DEBUG", "debug", 3)]
TOTAL = sum(n for _, _, n in WRITTEN)


def per_class(volume):
    """{class: lines} of a /v1/logs/volume document, and the sum of its buckets."""
    sums = {c: sum(bucket[i] for bucket in volume["counts"]) for i, c in enumerate(volume["levels"])}
    return sums, sum(sums.values())


def write_levels(d):
    written = 0
    for n, (level, _, count) in enumerate(WRITTEN):
        d.append("app.log", [ddtrace_line(str(7000 + n), "1", f"{level.lower()} line {i}", level=level) for i in range(count)])
        written += count
        wait_for(lambda: len(d.get("/v1/logs?limit=1000")["logs"]) == written, what=f"the {level} lines indexed")


def test_the_logs_histogram_counts_every_line_by_level_and_a_drag_selects_a_range(site):  # noqa: F811
    d, port, token, b = site
    write_levels(d)

    # The JSON: every line counted once, by its level's class, in at most 60 buckets.
    volume = d.get("/v1/logs/volume")
    sums, summed = per_class(volume)
    assert volume["levels"] == CLASSES
    assert sums == {"error": 7, "warn": 5, "info": 30, "debug": 3, "other": 0}, volume
    assert summed == volume["total"] == TOTAL and volume["complete"] is True
    assert 1 <= len(volume["counts"]) <= 60 and all(len(bucket) == 5 for bucket in volume["counts"])
    assert volume["since"] < volume["until"] and volume["bucket_ns"] >= 1
    assert len(volume["counts"]) == -(-(volume["until"] - volume["since"]) // volume["bucket_ns"])
    # The oldest lines lie in the first bucket that has any (written within a minute, the axis is
    # a minute ending with them), the newest in the last.
    first = next(bucket for bucket in volume["counts"] if sum(bucket))
    assert first[CLASSES.index("info")] > 0 and volume["counts"][-1][CLASSES.index("debug")] == 3
    # The filters of /v1/logs, and a number of buckets.
    assert d.get("/v1/logs/volume?level=error")["total"] == 7
    assert d.get("/v1/logs/volume?level=Warning")["total"] == 5
    assert d.get("/v1/logs/volume?q=debug%20line")["total"] == 3
    assert d.get("/v1/logs/volume?trace_id=7001")["total"] == 7
    assert d.get("/v1/logs/volume?source=nothing")["total"] == 0
    few = d.get("/v1/logs/volume?buckets=3")
    assert len(few["counts"]) <= 3 and per_class(few)[1] == few["total"] == TOTAL
    # By the lines' own time (all written with one timestamp): one instant, at the end of a minute's axis.
    by_time = d.get("/v1/logs/volume?by=time")
    assert by_time["total"] == TOTAL and by_time["until"] - by_time["since"] == 60_000_000_000
    assert sum(by_time["counts"][-1]) == TOTAL

    # The page: the bars' counts sum to the lines in range, the figure says how many.
    log_in_once(d, b, port)
    base = f"http://127.0.0.1:{port}"
    b.get(f"{base}/logs")
    drawn = b.execute_script("""
        var f = document.getElementById('log-volume');
        return {total: Number(f.getAttribute('data-total')), since: f.getAttribute('data-since'), until: f.getAttribute('data-until'),
                bars: Array.from(f.querySelectorAll('rect[data-count]')).map(function (r) {
                  return [r.getAttribute('class'), Number(r.getAttribute('data-count'))]; }),
                times: document.querySelectorAll('#log-table tbody tr td.time time[datetime]').length,
                ingested: Array.from(document.querySelectorAll('#log-table tbody tr')).map(function (tr) { return tr.getAttribute('data-ingested'); }),
                rows: document.querySelectorAll('#log-table tbody tr').length};""")
    assert sum(n for _, n in drawn["bars"]) == drawn["total"] == TOTAL, drawn
    for _, cls, count in WRITTEN:
        assert sum(n for c, n in drawn["bars"] if c == f"lvl-{cls}") == count, (cls, drawn["bars"])
    assert (int(drawn["since"]), int(drawn["until"])) == (volume["since"], volume["until"])
    # The table keeps its rows, each line's time as a <time> the script localises.
    assert drawn["rows"] == drawn["times"] == TOTAL
    caption = b.find_element(By.CSS_SELECTOR, "#log-volume figcaption").text
    assert caption.startswith(f"{TOTAL} lines from "), caption
    shot(b, "logs-histogram.png")

    # From the oldest line on (the axis then spans the batches), dragging from a tenth of the way
    # to past the right end: the form's since and until are set to the range and submitted. The
    # first batch (at the axis's start) is left out; the last (at its end) is in.
    oldest = min(int(t) for t in drawn["ingested"])
    b.get(f"{base}/logs?since={oldest}")
    wait_for(lambda: b.find_elements(By.CSS_SELECTOR, "#log-volume svg"), what="the histogram from the oldest line")
    svg = b.find_element(By.CSS_SELECTOR, "#log-volume svg")
    width = svg.rect["width"]
    (ActionChains(b).move_to_element_with_offset(svg, int(-width / 2 + width * 0.1), 0).click_and_hold()
     .move_by_offset(int(width * 0.9) + 10, 0).release().perform())
    wait_for(lambda: "since=" in b.current_url and "until=" in b.current_url, what="the page reloaded with the range in its URL")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(b.current_url).query)
    since, until = int(query["since"][0]), int(query["until"][0])
    assert oldest < since < until == volume["until"], (oldest, since, until, volume)

    def reloaded():
        # In one script: the page may still be loading, and elements found one by one go stale.
        return b.execute_script("""
            var f = document.getElementById('log-volume');
            if (document.readyState !== 'complete' || !f || location.search.indexOf('until=') < 0) return null;
            return {total: Number(f.getAttribute('data-total')), since: f.getAttribute('data-since'), until: f.getAttribute('data-until'),
                    bars: Array.from(f.querySelectorAll('rect[data-count]')).map(function (r) { return Number(r.getAttribute('data-count')); }),
                    rows: Array.from(document.querySelectorAll('#log-table tbody tr')).map(function (tr) {
                      return [tr.getAttribute('data-ingested'), tr.querySelectorAll('td')[1].textContent]; }),
                    form: [document.querySelector('#log-filters input[name=since]').value,
                           document.querySelector('#log-filters input[name=until]').value]};""")
    after = wait_for(reloaded, what="the logs page of the range chosen")
    # The histogram's axis is the range; its bars, the table and /v1/logs agree on the lines in it.
    assert (int(after["since"]), int(after["until"])) == (since, until)
    assert after["form"] == [str(since), str(until)]
    in_range = d.get(f"/v1/logs?since={since}&until={until}&limit=1000")["logs"]
    assert sum(after["bars"]) == after["total"] == len(after["rows"]) == len(in_range), after
    assert 3 <= after["total"] < TOTAL, after
    assert all(since <= int(ingested) < until for ingested, _ in after["rows"]), (since, until, after["rows"])
    assert sum(1 for _, level in after["rows"] if level == "DEBUG") == 3
    shot(b, "logs-histogram-range.png")


def test_the_traces_scatter_has_a_point_per_listed_trace_errors_marked_and_a_point_opens_its_trace(site):  # noqa: F811
    d, port, token, b = site
    # Four traces five seconds apart, from 1 ms to 1 s; the third has an error.
    shapes = [(1_000_000, False), (10_000_000, False), (100_000_000, True), (1_000_000_000, False)]
    spans = []
    for k, (duration, error) in enumerate(shapes):
        span = {"trace_id": str(9001 + k), "span_id": str(500 + k), "service": "shop", "name": f"op{k}",
                "start": NOW_NS + k * 5_000_000_000, "duration": duration}
        if error:
            span["error"] = 1
        spans.append(span)
    assert d.post_spans(spans)[0] == 200
    traces = wait_for(lambda: (lambda t: len(t) == 4 and t)(d.get("/v1/traces")["traces"]), what="the four traces")
    failed = next(t["trace_id"] for t in traces if t["errors"])

    log_in_once(d, b, port)
    b.get(f"http://127.0.0.1:{port}/")
    page = b.execute_script("""
        var f = document.getElementById('trace-scatter');
        return {points: Number(f.getAttribute('data-points')),
                circles: Array.from(f.querySelectorAll('circle.pt')).map(function (c) {
                  var box = c.getBoundingClientRect();
                  return {id: c.getAttribute('data-trace-id'), cls: c.getAttribute('class'), href: c.closest('a').getAttribute('href'),
                          x: box.left + box.width / 2, y: box.top + box.height / 2, w: box.width, h: box.height}; }),
                rows: document.querySelectorAll('table.traces tbody tr').length,
                links: Array.from(document.querySelectorAll('a.trace-link')).map(function (a) { return a.getAttribute('href'); }),
                started: document.querySelectorAll('table.traces tbody tr td:first-child time[datetime]').length,
                text: document.querySelector('table.traces').textContent};""")
    circles = {c["id"]: c for c in page["circles"]}
    assert page["points"] == len(page["circles"]) == page["rows"] == len(page["links"]) == 4, page
    assert sorted(circles) == sorted(t["trace_id"] for t in traces)
    assert sorted(c["href"] for c in page["circles"]) == sorted(page["links"])
    assert circles[failed]["cls"] == "pt err"
    assert all(c["cls"] == "pt" for id, c in circles.items() if id != failed)
    # Round on the screen, and placed: later starts to the right, longer durations higher.
    assert all(abs(c["w"] - c["h"]) < 1 and c["w"] > 4 for c in page["circles"]), page["circles"]
    by_start = [circles[t["trace_id"]] for t in sorted(traces, key=lambda t: t["start"])]
    assert [c["x"] for c in by_start] == sorted(c["x"] for c in by_start)
    assert [c["y"] for c in by_start] == sorted((c["y"] for c in by_start), reverse=True)
    # Human units in the table: the start as a <time>, durations with their unit.
    assert page["started"] == 4
    for shown in ("1.00ms", "10.0ms", "100ms", "1.00s", "1 span (1 error)"):
        assert shown in page["text"], shown
    shot(b, "traces.png")

    # A click on the error trace's point opens it.
    b.find_element(By.CSS_SELECTOR, f'#trace-scatter circle[data-trace-id="{failed}"]').click()
    wait_for(lambda: b.find_elements(By.ID, "waterfall"), what="the trace's waterfall")
    assert urllib.parse.urlparse(b.current_url).path == f"/trace/{failed}"


def test_the_volume_route_names_a_bad_parameter_and_takes_any_time_range(daemon):
    for query, name in [("buckets=x", "buckets"), ("buckets=0", "buckets"), ("since=yesterday", "since"),
                        ("until=-9000000000000000000", "until"), ("by=sideways", "by"), ("trace_id=xyz", "trace_id"),
                        ("cursor=-1", "cursor")]:
        status, body = request(daemon.query_socket, "GET", f"/v1/logs/volume?{query}")
        assert status == 400 and body["error"] == f"invalid {name}", (query, status, body)

    daemon.append("app.log", [ddtrace_line("42", "1", "an error", level="ERROR"), ddtrace_line("42", "1", "odd", level="NOTICE"),
                              ddtrace_line("42", "1", "odder", level="CRITICAL")])
    wait_for(lambda: len(daemon.get("/v1/logs")["logs"]) == 3, what="three lines")
    # Levels by class, without case: NOTICE is info, CRITICAL an error.
    sums, _ = per_class(daemon.get("/v1/logs/volume"))
    assert sums == {"error": 2, "warn": 0, "info": 1, "debug": 0, "other": 0}
    # Times anywhere in 64 bits (a duration ago beyond them is the start of time; RFC 3339 is
    # clamped; nanoseconds up to 2^63 - 1), empty and reversed ranges, 1 to 500 buckets (more
    # are capped): answered, never a crash, every line in range counted once.
    far_past, far_future = "999999999999d", "9223372036854775807"
    for query, lines in [(f"since={far_past}&until={far_future}", 3), (f"since={far_past}&until={far_future}&buckets=1", 3),
                         (f"since={far_past}&until={far_future}&buckets=2", 3), (f"since={far_past}&until={far_future}&buckets=500", 3),
                         (f"since={far_past}&until={far_future}&by=time&buckets=7", 3),
                         ("since=1500-01-01T00:00:00Z&until=9999-12-31T23:59:59Z", 3), ("until=9000000000000000000", 3),
                         (f"since={far_past}", 3), (f"until={far_future}&buckets=100000", 3), (f"since={far_future}", 0),
                         (f"since={far_future}&until={far_past}", 0), (f"since={far_past}&until=1000000000001", 0),
                         (f"since={far_future}&by=time", 0), ("since=1m&until=1m", 0), ("buckets=1", 3)]:
        status, volume = request(daemon.query_socket, "GET", f"/v1/logs/volume?{query}")
        assert status == 200, (query, status, volume)
        sums, summed = per_class(volume)
        assert summed == volume["total"] == lines, (query, volume)
        assert 1 <= len(volume["counts"]) <= 500 and volume["since"] < volume["until"] and volume["bucket_ns"] >= 1, (query, volume)
    assert daemon.proc.poll() is None
