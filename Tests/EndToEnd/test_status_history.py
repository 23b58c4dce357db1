"""The daemon's last hour, sampled in memory once a second: `GET /v1/stats/history`, and the
status page's plots drawn from it as SVG, which grow while lines are written (issue 27)."""

import re
import time

import pytest

from harness import ddtrace_line, wait_for

try:
    # The browser fixture and helpers of the web view's tests (imported into this module, so
    # pytest finds the fixture here too).
    from test_web_view import log_in_once, shot, site  # noqa: F401
    from selenium.webdriver.common.by import By
except pytest.skip.Exception as unavailable:
    # Without Selenium the browser test is skipped; the API test still runs.
    why = str(unavailable)

    @pytest.fixture
    def site():
        pytest.skip(why)

PLOTS = ["plot-lines", "plot-spans", "plot-lag", "plot-disk", "plot-memory", "plot-quarantine"]


def history(d):
    doc = d.get("/v1/stats/history")
    assert doc["interval_seconds"] == 1, doc
    return doc


def sampled(d, lines, spans=None):
    """The history once its latest sample counts `lines` lines of the source `app` (and
    `spans` spans) and retention has measured the index; else None."""
    doc = history(d)
    last = doc["samples"][-1] if doc["samples"] else None
    if (last and last["lines"].get("app") == lines and (spans is None or last["spans"] == spans)
            and last["used_bytes"] > 0):
        return doc
    return None


def test_the_history_counts_lines_and_spans_once_a_second(daemon):
    d = daemon
    d.append("app.log", [ddtrace_line("1", "2", f"first {i}") for i in range(30)])
    now = time.time_ns()
    span = {"trace_id": "7", "span_id": "8", "service": "checkout", "name": "flask.request", "start": now, "duration": 1_000_000}
    assert d.post_spans([span, {**span, "span_id": "9", "parent_id": "8"}])[0] == 200
    first = wait_for(lambda: sampled(d, 30, spans=2), what="a sample with 30 lines and 2 spans")
    before = len(first["samples"])

    d.append("app.log", [ddtrace_line("1", "2", f"second {i}") for i in range(45)])
    doc = wait_for(lambda: sampled(d, 75), what="a later sample with 75 lines")
    samples = doc["samples"]
    assert before < len(samples) <= 3600
    # Cumulative counts never go down while the daemon runs.
    counts = [s["lines"].get("app", 0) for s in samples]
    assert counts == sorted(counts) and counts[0] <= 30 and counts[-1] == 75
    assert [s["spans"] for s in samples] == sorted(s["spans"] for s in samples)
    # One a second: the times increase by about a second (more under a loaded machine).
    times = [s["time"] for s in samples]
    assert all(0.9e9 <= b - a < 10e9 for a, b in zip(times, times[1:])), times
    assert abs(times[-1] - time.time_ns()) < 30e9
    last = samples[-1]
    assert last["used_bytes"] > 0 and last["max_bytes"] > 0 and last["rss_bytes"] > 0, last
    assert last["lag_bytes"] >= 0 and last["quarantined"] == 0 and last["damaged_blocks"] == 0, last


def plots(b):
    """Every plot's `data-samples` and `data-last`, the lowest y of `#plot-lines`' polylines
    (below 118, the zero line: some lines/s was drawn), its legend, and any inline style in
    the plots: read in one script, so nothing goes stale between calls."""
    return b.execute_script("""
        var out = {ids: [], styled: document.querySelectorAll('#status-plots [style]').length};
        document.querySelectorAll('figure.plot').forEach(function (f) {
          out.ids.push(f.id);
          out[f.id] = {samples: Number(f.getAttribute('data-samples')), last: Number(f.getAttribute('data-last'))};
        });
        var ys = [];
        document.querySelectorAll('#plot-lines polyline').forEach(function (p) {
          p.getAttribute('points').trim().split(/\\s+/).forEach(function (xy) { ys.push(Number(xy.split(',')[1])); });
        });
        out.lowest = ys.length ? Math.min.apply(null, ys) : null;
        out.legend = Array.from(document.querySelectorAll('#plot-lines .legend .chip')).map(function (c) { return c.textContent; });
        return out;
    """)


def test_the_status_plots_grow_while_lines_are_written(site):
    d, port, token, b = site
    log_in_once(d, b, port)
    page = f"http://127.0.0.1:{port}/status"
    b.get(page)
    first = plots(b)
    assert first["ids"] == PLOTS, first
    assert first["styled"] == 0

    d.append("app.log", [ddtrace_line("1", "2", f"plotted {i}") for i in range(200)])

    def grown():
        b.get(page)
        now = plots(b)
        if (now["plot-lines"]["samples"] > first["plot-lines"]["samples"] and now["plot-disk"]["last"] > 0
                and now["lowest"] is not None and now["lowest"] < 118 and "app" in now["legend"]):
            return now
        return None
    now = wait_for(grown, timeout=30, interval=0.5, what="the status plots to grow and draw the lines written")
    assert now["styled"] == 0 and now["ids"] == PLOTS
    assert now["plot-memory"]["last"] > 0
    assert now["plot-lines"]["samples"] == now["plot-disk"]["samples"]

    # The tables are still there, their numbers in human units.
    text = b.find_element(By.TAG_NAME, "body").text
    assert "app.log" in text
    assert re.search(r"\d[\d.]* (B|KiB|MiB|GiB) of \d[\d.]* (B|KiB|MiB|GiB|TiB) used \(\d+\.\d\d %\)", text), text
    caption = b.find_element(By.CSS_SELECTOR, "#plot-disk figcaption").text
    assert " of " in caption and "iB" in caption, caption
    assert b.find_element(By.CSS_SELECTOR, "#plot-lines .plot-x").text.endswith("now")
    shot(b, "status.png")
