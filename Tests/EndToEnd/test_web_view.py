"""The web view in a real browser: Debian's chromium and chromium-driver, headless, driven by
Selenium. The daemon serves the query API on a loopback port behind a token."""

import http.client
import os
import shutil
import time

import pytest

from harness import Daemon, ddtrace_line, request, wait_for
from test_query_tcp import daemon_with_query_tcp, get, listening

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SCREENSHOTS = os.environ.get("TRACEJOIN_SCREENSHOTS", os.path.join(os.path.dirname(__file__), "screenshots"))
NOW_NS = time.time_ns() - 120 * 1_000_000_000
TRACE_HI, TRACE_LO = 0x6B0BA99700000000, 0x5357EE52A8E2BCC4
TRACE_HEX = f"{TRACE_HI:016x}{TRACE_LO:016x}"
XSS_SCRIPT = "<script>window.__xss = 1</script> order with a script"
XSS_IMG = '"><img src=x onerror="window.__xss = 2"> order with an image'
SPANS = [
    {"trace_id": str(TRACE_LO), "span_id": "101", "service": "checkout", "name": "flask.request", "resource": "POST /checkout",
     "start": NOW_NS, "duration": 48_000_000, "meta": {"_dd.p.tid": f"{TRACE_HI:016x}"}},
    {"trace_id": str(TRACE_LO), "span_id": "102", "parent_id": "101", "service": "checkout-db", "name": "postgres.query",
     "resource": "SELECT * FROM carts", "start": NOW_NS + 2_000_000, "duration": 9_000_000},
    {"trace_id": str(TRACE_LO), "span_id": "103", "parent_id": "101", "service": "payments", "name": "requests.request",
     "resource": "POST /v1/charges", "start": NOW_NS + 14_000_000, "duration": 30_000_000, "error": 1},
]


def browser():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        why = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(why + ": CI must run the browser tests")
        pytest.skip(why)
    options = Options()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


@pytest.fixture
def site():
    d, port = daemon_with_query_tcp("")
    d.start()
    wait_for(lambda: listening(port), what="the query TCP listener")
    token = open(os.path.join(d.root, "state", "query.token")).read().strip()
    b = browser()
    try:
        yield d, port, token, b
    finally:
        b.quit()
        d.cleanup()


def log_in_once(d, b, port):
    """Logs the browser in with a one-time code from the query socket (`tracejoin login-link`'s
    way), as `tracejoin serve` prints it."""
    status, doc = request(d.query_socket, "POST", "/v1/login-code")
    assert status == 200, doc
    b.get(f"http://127.0.0.1:{port}{doc['path']}")
    wait_for(lambda: "Recent traces" in b.page_source, what="the traces page after the one-time link")


def shot(b, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    b.save_screenshot(os.path.join(SCREENSHOTS, name))


def test_the_waterfall_shows_every_span_and_its_lines_and_log_text_stays_text(site):
    d, port, token, b = site
    assert d.post_spans(SPANS)[0] == 200
    d.append("app.log", [
        ddtrace_line(TRACE_HEX, "101", "order 1001 received", ts="2026-11-24 22:11:28,925"),
        ddtrace_line(TRACE_HEX, "101", XSS_SCRIPT),
        ddtrace_line(TRACE_HEX, "102", "cart loaded with 3 items", level="DEBUG"),
        ddtrace_line(TRACE_HEX, "103", XSS_IMG, level="ERROR"),
        ddtrace_line(TRACE_HEX, "999", "a line of a span nobody reported"),
    ])
    wait_for(lambda: len(d.logs_of(TRACE_HEX)) == 5, what="the trace's five lines")
    base = f"http://127.0.0.1:{port}"

    # Without the token: 401.
    b.get(f"{base}/trace/{TRACE_HEX}")
    assert "unauthorized" in b.page_source
    assert get(port, f"/trace/{TRACE_HEX}")[0] == 401

    # The login form: the token typed into it is POSTed, a session cookie comes back, and the
    # browser lands on the recent traces; the token is in no URL it keeps.
    b.get(f"{base}/login")
    b.find_element(By.ID, "token").send_keys(token)
    b.find_element(By.ID, "login").click()
    wait_for(lambda: "Recent traces" in b.page_source, what="the traces page after login")
    assert token not in b.current_url
    assert b.find_elements(By.ID, "logout")
    assert b.find_elements(By.CSS_SELECTOR, "a.trace-link"), b.page_source
    shot(b, "traces.png")

    started = time.monotonic()
    b.get(f"{base}/trace/{TRACE_HEX}")
    wait_for(lambda: b.find_elements(By.ID, "waterfall"), what="the waterfall")
    print(f"\ntrace page shown in the browser in {time.monotonic() - started:.3f}s")
    shot(b, "waterfall.png")
    spans = b.find_elements(By.CSS_SELECTOR, ".waterfall .span")
    assert [s.get_attribute("data-span-id") for s in spans] == [f"{101:016x}", f"{102:016x}", f"{103:016x}"]
    for s in spans:
        assert s.is_displayed()
    text = b.find_element(By.TAG_NAME, "body").text
    for expected in ("flask.request", "POST /checkout", "postgres.query", "requests.request", "order 1001 received",
                     "cart loaded with 3 items", "a line of a span nobody reported", TRACE_HEX, str(TRACE_LO)):
        assert expected in text, expected
    # Bars: widths proportional to durations (48 : 9 : 30 ms) on one time axis.
    widths = {s.get_attribute("data-span-id"): s.find_element(By.CSS_SELECTOR, "svg.bar rect").rect["width"] for s in spans}
    per_ms = widths[f"{101:016x}"] / 48
    assert abs(widths[f"{102:016x}"] / per_ms - 9) < 0.6, widths
    assert abs(widths[f"{103:016x}"] / per_ms - 30) < 0.6, widths
    # Each span's lines under it; the error span marked.
    assert "cart loaded with 3 items" in spans[1].text
    assert "error" in spans[2].get_attribute("class")
    # Hostile log text is shown as text: nothing ran, no element was made from it.
    assert b.execute_script("return window.__xss === undefined")
    assert XSS_SCRIPT in text and XSS_IMG in text
    assert not b.find_elements(By.CSS_SELECTOR, "main img")
    status, headers, _ = get(port, f"/trace/{TRACE_HEX}", {"Authorization": f"Bearer {token}"})
    assert status == 200 and "script-src 'self'" in headers["content-security-policy"]
    assert "&lt;script&gt;window.__xss" in get(port, f"/trace/{TRACE_HEX}", {"Authorization": f"Bearer {token}"})[2]

    # Logs search, rules, status, unmatched.
    b.get(f"{base}/logs?q=order")
    rows = b.find_elements(By.CSS_SELECTOR, "#log-table tbody tr")
    assert len(rows) == 3 and b.execute_script("return window.__xss === undefined")
    shot(b, "logs.png")
    b.get(f"{base}/rules")
    assert "app.yaml" in b.page_source and "python-ddtrace" in b.page_source
    # The grok debugger: a line with IDs, one without (its fields still shown), one no rule takes.
    box = b.find_element(By.ID, "debug-lines")
    box.send_keys(ddtrace_line(TRACE_HEX, "101", "pasted <b>line</b>") + "\n"
                  + ddtrace_line("0", "0", "outside any span") + "\n" + "LOUD nonsense")
    b.find_element(By.ID, "debug-run").click()
    wait_for(lambda: b.find_elements(By.ID, "debug-results"), what="the debugger's results")
    results = b.find_elements(By.CSS_SELECTOR, "#debug-results .debug-line")
    assert len(results) == 3
    assert "app/python-ddtrace" in results[0].text and TRACE_HEX in results[0].text and "pasted <b>line</b>" in results[0].text
    assert "(no trace ID)" in results[1].text and "outside any span" in results[1].text and "rc.app" in results[1].text
    assert "No rule matched" in results[2].text and "app/python-ddtrace: '%{TIMESTAMP_ISO8601:timestamp}' matches nowhere" in results[2].text
    assert not b.find_elements(By.CSS_SELECTOR, "#debug-results b b")  # the pasted <b> stayed text
    shot(b, "debugger.png")
    b.get(f"{base}/status")
    assert "app.log" in b.find_element(By.TAG_NAME, "body").text
    b.get(f"{base}/trace/{'0' * 31}1")
    assert "Trace not found" in b.page_source

    # Logging out: the header's button ends the session; the pages ask for the token again.
    b.find_element(By.ID, "logout").click()
    wait_for(lambda: b.find_elements(By.ID, "token"), what="the login form after logging out")
    b.get(f"{base}/status")
    assert "unauthorized" in b.page_source


def test_a_trace_of_a_thousand_spans_and_ten_thousand_lines(site):
    """The issue's target, measured and reported (not asserted): server time under 100 ms,
    shown by the browser within a second."""
    d, port, token, b = site
    trace = 424242
    spans = [{"trace_id": str(trace), "span_id": str(i + 1), "parent_id": str((i + 1) // 2) if i else None,
              "service": f"svc{i % 7}", "name": f"op{i % 13}", "start": NOW_NS + i * 1000, "duration": 1_000_000 + i * 100}
             for i in range(1000)]
    for chunk in range(0, 1000, 250):
        assert d.post_spans([{k: v for k, v in s.items() if v is not None} for s in spans[chunk:chunk + 250]])[0] == 200
    d.append("big.log", [ddtrace_line(str(trace), str(i % 1000 + 1), f"line {i}") for i in range(10_000)])
    wait_for(lambda: len(d.get(f"/v1/logs?trace_id={trace}&limit=1000")["logs"]) == 1000
             and d.get("/v1/stats")["files"] and all(f["lag_bytes"] == 0 for f in d.get("/v1/stats")["files"]),
             timeout=60, what="10,000 lines indexed")
    timings = []
    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.monotonic()
        conn.request("GET", f"/trace/{trace}", headers={"Authorization": f"Bearer {token}"})
        body = conn.getresponse().read()
        timings.append(time.monotonic() - started)
        conn.close()
    assert b'data-span-id' in body
    log_in_once(d, b, port)
    started = time.monotonic()
    b.get(f"http://127.0.0.1:{port}/trace/{trace}")
    wait_for(lambda: len(b.find_elements(By.CSS_SELECTOR, ".waterfall .span")) == 1000, timeout=30, what="1,000 span rows")
    shown = time.monotonic() - started
    load = b.execute_script("var t = performance.timing; return t.loadEventEnd - t.navigationStart")
    print(f"\n1,000 spans and 10,000 lines: server {min(timings) * 1000:.0f} ms (best of 3; target < 100 ms), "
          f"{len(body) / 2**20:.1f} MiB of HTML; browser shows it in {shown:.2f} s, load event {load} ms (target < 1 s)")
    # Beyond a few hundred lines, each span's lines start collapsed, and are fetched when opened.
    assert not b.find_elements(By.CSS_SELECTOR, "details.span-logs[open]")
    first = b.find_elements(By.CSS_SELECTOR, "details.span-logs")[0]
    first.find_element(By.TAG_NAME, "summary").click()
    wait_for(lambda: len(first.find_elements(By.CSS_SELECTOR, "table.logs tr")) == 10, what="the first span's ten lines")
    assert "line 0" in first.text and "line 9000" in first.text


def test_the_demo_workload_prints_links_that_open_its_traces(site):
    """`make demo`'s workload against the daemon: each trace it prints a link for opens as a
    waterfall with all its spans and lines; the live log view shows a line written afterwards."""
    d, port, token, b = site
    demo_rules = open(os.path.join(os.path.dirname(__file__), "..", "..", "config", "rules.d", "demo.yaml")).read()
    d.write_rules("demo.yaml", demo_rules.replace('paths: ["../var/log/demo/app.log"]', 'paths: ["logs/demo/app.log"]'))
    os.makedirs(os.path.join(d.logs, "demo"), exist_ok=True)
    wait_for(lambda: any(f.get("source") == "demo" and f["status"] == "ok" for f in d.get("/v1/rules")["files"]),
             what="the demo rule file loaded")
    out = d.cli("demo", "--config", d.config)
    assert out.returncode == 0, out.stderr
    links = [l.strip() for l in out.stdout.splitlines() if l.strip().startswith(f"http://127.0.0.1:{port}/trace/")]
    assert len(links) >= 2, out.stdout
    log_in_once(d, b, port)
    for link in links:
        b.get(link)
        wait_for(lambda: b.find_elements(By.ID, "waterfall"), what=f"the waterfall of {link}")
        spans = b.find_elements(By.CSS_SELECTOR, ".waterfall .span")
        summary = b.find_element(By.CSS_SELECTOR, "p.summary").text
        assert spans and f"{len(spans)} spans" in summary, summary
        shown_lines = len(b.find_elements(By.CSS_SELECTOR, ".waterfall table.logs tr"))
        assert f"{shown_lines} log lines" in summary, (summary, shown_lines)
    shot(b, "demo-trace.png")

    # Live mode: a line written after the page opened appears without a reload.
    b.get(f"http://127.0.0.1:{port}/logs?source=demo")
    b.find_element(By.ID, "live").click()
    wait_for(lambda: b.find_element(By.ID, "log-table").get_attribute("data-live") == "on", what="the live stream open")
    d.append("demo/app.log", [ddtrace_line("5", "6", "written while watching live")])
    wait_for(lambda: "written while watching live" in b.find_element(By.ID, "log-table").text, timeout=15,
             what="the new line in the live view")


def test_a_traces_logs_page_in_time_order_filtered_and_by_span_with_descendants(site):
    d, port, token, b = site
    assert d.post_spans(SPANS)[0] == 200
    # Written out of time order: the page orders them by their own times.
    d.append("app.log", [
        ddtrace_line(TRACE_HEX, "103", "charge declined", level="ERROR", ts="2026-11-24 22:11:28,960"),
        ddtrace_line(TRACE_HEX, "101", "order received", ts="2026-11-24 22:11:28,900"),
        ddtrace_line(TRACE_HEX, "102", "cart loaded", ts="2026-11-24 22:11:28,910"),
    ])
    wait_for(lambda: len(d.logs_of(TRACE_HEX)) == 3, what="the trace's lines")
    log_in_once(d, b, port)
    b.get(f"http://127.0.0.1:{port}/trace/{TRACE_HEX}")
    b.find_element(By.LINK_TEXT, "Logs (every line, time order)").click()
    wait_for(lambda: b.find_elements(By.ID, "trace-logs"), what="the trace's Logs page")

    def rows():
        # Read in one script: while a submitted form loads the next page, elements found one by
        # one go stale between the calls.
        return b.execute_script(
            "return Array.from(document.querySelectorAll('#trace-logs tbody tr'))"
            ".map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim()))")
    assert [r[4] for r in rows()] == ["order received", "cart loaded", "charge declined"]
    assert [r[1] for r in rows()] == ["checkout", "checkout-db", "payments"]
    # Filtered by level, in the form.
    b.find_element(By.NAME, "level").send_keys("error")
    b.find_element(By.CSS_SELECTOR, "#trace-log-filters button").click()
    wait_for(lambda: [r[4] for r in rows()] == ["charge declined"], what="only the ERROR line")
    # A span's lines with its descendants' (the root: all three), then without.
    b.get(f"http://127.0.0.1:{port}/trace/{TRACE_HEX}/logs?span={101:016x}&descendants=true")
    assert len(rows()) == 3
    b.find_element(By.NAME, "descendants").click()
    b.find_element(By.CSS_SELECTOR, "#trace-log-filters button").click()
    wait_for(lambda: [r[4] for r in rows()] == ["order received"], what="the root's own line only")
    shot(b, "trace-logs.png")
    # To the search page, filtered by the trace; each line links back to its trace.
    b.find_element(By.LINK_TEXT, "Search them in Logs").click()
    wait_for(lambda: "order received" in b.page_source and "charge declined" in b.page_source, what="the trace's lines in Logs")
    assert b.find_elements(By.CSS_SELECTOR, f'a[href="/trace/{TRACE_HEX}"]')
