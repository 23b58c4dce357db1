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
    # One dense row per span (at most 28 px); each span's lines under its row; the error span marked.
    assert all(s.rect["height"] <= 28 for s in spans), [s.rect["height"] for s in spans]
    lines_of = b.find_element(By.CSS_SELECTOR, f'.span-lines[data-for="{102:016x}"]')
    assert "cart loaded with 3 items" in lines_of.text
    assert "error" in spans[2].get_attribute("class")
    # A row opens its detail: IDs in every form with copy buttons, and its lines, fetched.
    spans[2].click()
    detail = b.find_element(By.CSS_SELECTOR, f'.span-detail[data-for="{103:016x}"]')
    # The detail reads "loading…" until its fetch returns, so `.lines-here` may not exist yet.
    wait_for(lambda: detail.is_displayed() and detail.find_elements(By.CSS_SELECTOR, ".lines-here[data-ready]"),
             what="the span's detail with its lines")
    for expected in (f"{103:016x}", "103", TRACE_HEX, str(TRACE_LO), "POST /v1/charges"):
        assert expected in detail.text, expected
    assert XSS_IMG in detail.find_element(By.CSS_SELECTOR, ".lines-here").text
    assert len(detail.find_elements(By.CSS_SELECTOR, "button.copy")) >= 4
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
    paint = b.execute_script(
        "var p = performance.getEntriesByName('first-contentful-paint')[0]; var t = performance.timing;"
        "return {paint: p ? p.startTime : null, load: t.loadEventEnd - t.navigationStart};")
    # Dense: every row at most 28 px; what is in view is drawn, the rest waits its turn.
    heights = b.execute_script("return Array.from(document.querySelectorAll('.waterfall .span')).map(r => r.getBoundingClientRect().height)")
    assert max(heights) <= 28, max(heights)
    # Lines are not written under 1,000 spans: they come with a span's detail.
    assert not b.find_elements(By.CSS_SELECTOR, ".span-lines")
    # Scrolling through it: frame times while the page scrolls by a screen every frame.
    frames = b.execute_async_script("""
        var done = arguments[0], times = [], last = performance.now();
        function step(now) {
          times.push(now - last); last = now;
          window.scrollBy(0, 700);
          if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 2 || times.length > 400) done(times.slice(1));
          else requestAnimationFrame(step);
        }
        requestAnimationFrame(step);""")
    frames.sort()
    p95 = frames[int(len(frames) * 0.95)]
    print(f"\n1,000 spans and 10,000 lines: server {min(timings) * 1000:.0f} ms (best of 3), {len(body) / 2**20:.2f} MiB of HTML; "
          f"first contentful paint {paint['paint']:.0f} ms (target < 1 s), load event {paint['load']} ms, all rows in {shown:.2f} s; "
          f"{len(frames)} frames scrolling to the end: p95 {p95:.1f} ms, max {frames[-1]:.1f} ms (target < 50 ms); rows {max(heights):.0f} px")
    # Loose bounds (3x the targets): a shared, loaded machine drifts; docs/benchmarks.md has the figures.
    # The paint waits for the page, whose server time is the build's (seven times slower in the
    # sanitizer build `make test` runs: over a second, where the release build takes 60 ms):
    # the bound is on what the browser adds to the slowest of the three timed requests.
    assert paint["paint"] is not None and paint["paint"] - max(timings) * 1000 < 3000
    assert p95 < 150
    # The second row's (span 2) detail fetches its ten lines; with its descendants', its subtree's.
    b.execute_script("window.scrollTo(0, 0)")
    first = b.find_elements(By.CSS_SELECTOR, ".waterfall .span")[1]
    first.click()
    detail = b.find_element(By.CSS_SELECTOR, f'.span-detail[data-for="{first.get_attribute("data-span-id")}"]')
    wait_for(lambda: len(detail.find_elements(By.CSS_SELECTOR, ".lines-here table.logs tr")) == 10, what="the span's ten lines")
    own = detail.find_element(By.CSS_SELECTOR, ".lines-here").text
    assert "line 1001" in own and "line 9001" in own, own[:300]
    detail.find_element(By.CSS_SELECTOR, "input.with-descendants").click()
    wait_for(lambda: len(detail.find_elements(By.CSS_SELECTOR, ".lines-here table.logs.with-spans tr")) > 10, what="its descendants' lines")


def test_the_waterfall_folds_finds_zooms_and_moves_by_keyboard(site):
    """Jaeger UI's ways around a big trace: fold a subtree, all, or to a depth; find by text,
    service, span ID or errors and jump between matches; zoom into a stretch by dragging across
    the overview; move with the keyboard."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    d, port, token, b = site
    trace = 777
    # A binary tree of 31 spans (depths 0-4), span 20 in error, spans in two services.
    spans = [{"trace_id": str(trace), "span_id": str(i), "service": "front" if i < 8 else "back", "name": f"op{i}",
              "start": NOW_NS + i * 1_000_000, "duration": 40_000_000 - i * 1_000_000, **({"parent_id": str(i // 2)} if i > 1 else {}),
              **({"error": 1} if i == 20 else {})} for i in range(1, 32)]
    assert d.post_spans(spans)[0] == 200
    wait_for(lambda: request(d.query_socket, "GET", f"/api/traces/{trace:x}")[0] == 200
             and len(request(d.query_socket, "GET", f"/api/traces/{trace:x}")[1]["data"][0]["spans"]) == 31, what="31 spans")
    log_in_once(d, b, port)
    b.get(f"http://127.0.0.1:{port}/trace/{trace}")
    wait_for(lambda: b.find_elements(By.ID, "waterfall"), what="the waterfall")

    def shown():
        return b.execute_script("return Array.from(document.querySelectorAll('.waterfall .span')).filter(r => !r.hidden)"
                                ".map(r => parseInt(r.getAttribute('data-span-id'), 16))")
    assert len(shown()) == 31
    row = lambda i: b.find_element(By.CSS_SELECTOR, f'.span[data-span-id="{i:016x}"]')
    # Fold span 2's subtree (15 spans below it), then unfold.
    row(2).find_element(By.CSS_SELECTOR, "button.twisty").click()
    assert len(shown()) == 31 - 14 and 4 not in shown() and 3 in shown()
    row(2).find_element(By.CSS_SELECTOR, "button.twisty").click()
    assert len(shown()) == 31
    b.find_element(By.ID, "collapse-all").click()
    assert shown() == [1]
    b.find_element(By.ID, "expand-all").click()
    assert len(shown()) == 31
    from selenium.webdriver.support.ui import Select
    Select(b.find_element(By.ID, "depth")).select_by_value("2")
    assert sorted(shown()) == [1, 2, 3]
    Select(b.find_element(By.ID, "depth")).select_by_value("")
    assert len(shown()) == 31
    # Find: a span deep under a folded subtree is revealed and focused on Enter.
    b.find_element(By.ID, "collapse-all").click()
    box = b.find_element(By.ID, "find")
    box.send_keys("op27")
    assert b.find_element(By.ID, "find-count").text == "1 match"
    box.send_keys(Keys.ENTER)
    assert 27 in shown() and b.execute_script("return document.activeElement.getAttribute('data-span-id')") == f"{27:016x}"
    assert "match" in row(27).get_attribute("class")
    box.clear()
    box.send_keys("back")
    assert b.find_element(By.ID, "find-count").text == "24 matches"
    box.send_keys(Keys.ESCAPE)
    b.find_element(By.ID, "errors-only").click()
    assert b.find_element(By.ID, "find-count").text == "1 of 1"
    assert b.execute_script("return document.activeElement.getAttribute('data-span-id')") == f"{20:016x}"
    # Keyboard: from span 20, Left goes to its parent (10), Down to the next visible row, Enter opens the detail.
    active = lambda: int(b.execute_script("return document.activeElement.getAttribute('data-span-id')"), 16)
    ActionChains(b).send_keys(Keys.ARROW_LEFT).perform()
    assert active() == 10
    ActionChains(b).send_keys(Keys.ARROW_LEFT).perform()  # folds 10
    assert 20 not in shown() and active() == 10
    ActionChains(b).send_keys(Keys.ARROW_RIGHT).perform()  # unfolds
    assert 20 in shown()
    ActionChains(b).send_keys(Keys.ARROW_DOWN).perform()
    assert active() == 20
    ActionChains(b).send_keys(Keys.ENTER).perform()
    assert b.find_element(By.CSS_SELECTOR, f'.span-detail[data-for="{20:016x}"]').is_displayed()
    # Zoom: drag across the middle half of the overview; bars and ruler follow; reset.
    overview = b.find_element(By.ID, "overview")
    width = overview.rect["width"]
    ActionChains(b).move_to_element_with_offset(overview, int(-width / 4), 0).click_and_hold() \
        .move_by_offset(int(width / 2), 0).release().perform()
    zoom = b.find_element(By.ID, "waterfall").get_attribute("data-zoom")
    a, z = (float(v) for v in zoom.split("-"))
    assert abs(a - 0.25) < 0.03 and abs(z - 0.75) < 0.03, zoom
    view_box = lambda i: b.execute_script(f"return document.querySelector('.span[data-span-id=\"{i:016x}\"] svg.bar').getAttribute('viewBox')")
    box_attr = view_box(1).split()
    assert abs(float(box_attr[0]) - 250) < 30 and abs(float(box_attr[2]) - 500) < 30, box_attr
    assert b.find_elements(By.CSS_SELECTOR, "#ruler .tick")[0].text != "0"
    b.find_element(By.ID, "zoom-reset").click()
    assert view_box(1) == "0.00 0 1000.00 12"


def test_a_spans_detail_shows_every_attribute_the_tracer_sent(site):
    """OTLP/JSON with every attribute type, a resource, an event and a link: the span's detail
    lists each, typed, against the payload."""
    import base64
    import json as json_module
    d, port, token, b = site
    now = time.time_ns()
    attributes = {"http.method": {"stringValue": "POST"}, "http.status_code": {"intValue": "503"},
                  "retry.count": {"intValue": "9007199254740993"}, "cache.hit": {"boolValue": True},
                  "ratio": {"doubleValue": 0.25}, "payload": {"bytesValue": base64.b64encode(b"\x00\xff").decode()},
                  "user.input": {"stringValue": "<b>bold</b> & 'quoted'"}}
    resource = {"service.name": {"stringValue": "detail-app"}, "host.name": {"stringValue": "node-7"},
                "k8s.pod.name": {"stringValue": "detail-7f9"}}
    payload = {"resourceSpans": [{
        "resource": {"attributes": [{"key": k, "value": v} for k, v in resource.items()]},
        "scopeSpans": [{"spans": [{
            "traceId": "00000000000000000000000000d37a11", "spanId": "00000000000000d1", "name": "POST /pay", "kind": 2,
            "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 5_000_000),
            "attributes": [{"key": k, "value": v} for k, v in attributes.items()],
            "events": [{"timeUnixNano": str(now + 1000), "name": "exception", "attributes": [
                {"key": "exception.type", "value": {"stringValue": "TimeoutError"}},
                {"key": "exception.message", "value": {"stringValue": "upstream timed out"}},
                {"key": "exception.stacktrace", "value": {"stringValue": "Traceback: line 1\n  line 2"}}]}],
            "links": [{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331"}],
            "status": {"code": 2, "message": "timed out"}}]}]}]}
    status, body = request(d.intake_socket, "POST", "/v1/traces", json_module.dumps(payload).encode(), {"Content-Type": "application/json"})
    assert status == 200, body
    wait_for(lambda: d.trace("00000000000000000000000000d37a11")[0] == 200, what="the span")
    log_in_once(d, b, port)
    b.get(f"http://127.0.0.1:{port}/trace/00000000000000000000000000d37a11")
    row = b.find_element(By.CSS_SELECTOR, f'.span[data-span-id="{0xd1:016x}"]')
    row.click()
    detail = b.find_element(By.CSS_SELECTOR, f'.span-detail[data-for="{0xd1:016x}"]')
    wait_for(lambda: detail.is_displayed() and detail.find_elements(By.CSS_SELECTOR, ".lines-here[data-ready]"), what="the detail")
    table = lambda cls: b.execute_script(
        "return Array.from(arguments[0].querySelectorAll('table.' + arguments[1] + ' tbody tr')).map(tr => "
        "Array.from(tr.children).map(td => td.textContent))", detail, cls)
    got = {k: (v, t) for k, v, t in table("attributes")}
    expected = {"http.method": ("POST", "string"), "http.status_code": ("503", "int"), "retry.count": ("9007199254740993", "int"),
                "cache.hit": ("true", "bool"), "ratio": ("0.25", "double"),
                "payload": (base64.b64encode(b"\x00\xff").decode(), "bytes (base64)"), "user.input": ("<b>bold</b> & 'quoted'", "string")}
    for key, value in expected.items():
        assert got.get(key) == value, (key, got.get(key))
    assert got["span.kind"][0] == "server" and got["otel.status_description"][0] == "timed out"
    res = {k: v for k, v, _ in table("resource-attributes")}
    assert res == {"service.name": "detail-app", "host.name": "node-7", "k8s.pod.name": "detail-7f9"}
    assert "TimeoutError" in detail.text and "upstream timed out" in detail.text
    assert "Traceback: line 1" in detail.find_element(By.CSS_SELECTOR, "pre.stack").text
    link = detail.find_element(By.CSS_SELECTOR, ".span-link a")
    assert link.get_attribute("href").endswith("/trace/0af7651916cd43dd8448eb211c80319c")
    assert not detail.find_elements(By.CSS_SELECTOR, "table.attributes b")  # the attribute's <b> stayed text
    shot(b, "span-detail.png")


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
        shown_lines = len(b.find_elements(By.CSS_SELECTOR, ".waterfall .span-lines table.logs tr"))
        assert f"{shown_lines} log lines" in summary, (summary, shown_lines)
    shot(b, "demo-trace.png")
    # The pictures for docs/ (`make screenshots` writes them to docs/images): each page on the demo.
    row = next(r for r in b.find_elements(By.CSS_SELECTOR, ".waterfall .span") if r.find_elements(By.CSS_SELECTOR, ".nlines"))
    row.click()
    detail = b.find_element(By.CSS_SELECTOR, f'.span-detail[data-for="{row.get_attribute("data-span-id")}"]')
    wait_for(lambda: detail.find_elements(By.CSS_SELECTOR, ".lines-here[data-ready]"), what="a demo span's detail")
    b.execute_script("arguments[0].scrollIntoView({block: 'start'})", row)
    shot(b, "demo-span-detail.png")
    b.get(links[0].split("?")[0] + "/logs")
    wait_for(lambda: b.find_elements(By.ID, "trace-logs"), what="a demo trace's Logs")
    shot(b, "demo-trace-logs.png")
    b.get(f"http://127.0.0.1:{port}/")
    wait_for(lambda: b.find_elements(By.CSS_SELECTOR, "a.trace-link"), what="the demo's traces")
    shot(b, "demo-traces.png")
    # Times in the reader's local time: the date only where it changes, "… ago" on hover.
    times = b.execute_script("return Array.from(document.querySelectorAll('table.traces time')).map(t => "
                             "[t.textContent, t.title, t.getAttribute('data-local'), t.getAttribute('datetime')])")
    assert times and all(local == "1" and "ago" in title and "UTC" not in text for text, title, local, _ in times), times
    assert len(times[0][0].split()) == 2 and all(len(text.split()) == 1 for text, _, _, _ in times[1:]), times
    b.get(f"http://127.0.0.1:{port}/logs?source=demo")
    wait_for(lambda: b.find_elements(By.ID, "log-table"), what="the demo's lines")
    shot(b, "demo-logs.png")

    def plotted():
        b.get(f"http://127.0.0.1:{port}/status")
        return b.execute_script("var f = document.getElementById('plot-lines'); return f && Number(f.getAttribute('data-samples')) >= 5")
    wait_for(plotted, timeout=30, interval=1, what="five seconds of status samples")
    shot(b, "demo-status.png")

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
