"""Browser sessions on a query TCP listener (docs/security.md, "Browser sessions"): the token is
never in a URL or a cookie; /login's form or a one-time code opens a random session that
expires, that logout closes, whose cookie is named after the port; a login or logout POSTed from
another site is refused."""

import os
import re
import time

import pytest

from harness import request, wait_for
from test_query_tcp import daemon_with_query_tcp, get, listening, log_in, post_form

SESSION = re.compile(r"^tracejoin_session_(\d+)=([0-9a-f]{64})$")


@pytest.fixture
def listener():
    """A daemon with a query TCP listener behind its token: (daemon, port, token)."""
    d, port = daemon_with_query_tcp("")
    try:
        d.start()
        wait_for(lambda: listening(port), what="the query TCP listener")
        token = open(os.path.join(d.root, "state", "query.token")).read().strip()
        yield d, port, token
    finally:
        d.cleanup()


def no_token_in(headers, token):
    for name in ("location", "set-cookie"):
        assert token not in headers.get(name, ""), (name, headers)


def test_a_token_in_the_url_no_longer_logs_in(listener):
    d, port, token = listener
    status, headers, body = get(port, f"/login?token={token}")
    assert status == 400, (status, body)
    assert "set-cookie" not in headers and "location" not in headers, headers
    assert "does not go in a URL" in body and token not in body
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
    no_token_in(headers, token)
    # Nothing was opened: the listener still asks for the token.
    assert get(port, "/v1/stats")[0] == 401
    # The form itself: a password field POSTing to /login, nothing of the token in it.
    status, headers, body = get(port, "/login")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'id="token"' in body and 'type="password"' in body and 'method="post" action="/login"' in body
    assert token not in body and "set-cookie" not in headers


def test_the_form_opens_a_random_session_named_after_the_port(listener):
    d, port, token = listener
    status, headers, body = post_form(port, "/login", {"token": token})
    assert status == 303 and headers["location"] == "/", (status, headers, body)
    no_token_in(headers, token)
    cookie = headers["set-cookie"]
    attributes = [a.strip() for a in cookie.split(";")]
    match = SESSION.match(attributes[0])
    assert match and match.group(1) == str(port) and match.group(2) != token, cookie
    assert {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"} <= set(attributes), attributes
    session = attributes[0]
    status, _, body = get(port, "/v1/stats", {"Cookie": session})
    assert status == 200 and "files" in body
    # The web view knows the browser has a session: its header has a logout button.
    status, _, page = get(port, "/", {"Cookie": "other_app=1; " + session})
    assert status == 200 and 'action="/logout"' in page and 'id="logout"' in page
    # Every login is a new session.
    assert log_in(port, token) != session

    # A wrong token: 401, the form again with the error, no cookie.
    for wrong in ("wrong", token[:-1], token + "0", token * 5, ""):
        status, headers, body = post_form(port, "/login", {"token": wrong})
        assert status == 401 and "set-cookie" not in headers, (wrong, status, headers)
        assert headers["content-type"].startswith("text/html") and "not this daemon&#39;s token" in body
    # Not a form: 415. A body over 4 KiB: 413. Never a session.
    status, headers, _ = get(port, "/login", {"Content-Type": "application/json"}, method="POST", body=f'{{"token":"{token}"}}'.encode())
    assert status == 415 and "set-cookie" not in headers
    status, headers, _ = post_form(port, "/login", {"token": token, "pad": "x" * 5000})
    assert status == 413 and "set-cookie" not in headers

    # `next`: a local path is followed; another host is not.
    status, headers, _ = post_form(port, "/login", {"token": token, "next": "/logs?q=order"})
    assert status == 303 and headers["location"] == "/logs?q=order"
    for foreign in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        status, headers, _ = post_form(port, "/login", {"token": token, "next": foreign})
        assert status == 303 and headers["location"] == "/", (foreign, headers)


def test_logout_ends_the_session(listener):
    d, port, token = listener
    session, other = log_in(port, token), log_in(port, token)
    assert get(port, "/v1/stats", {"Cookie": session})[0] == 200
    status, headers, _ = get(port, "/logout", {"Cookie": session}, method="POST")
    assert status == 303 and headers["location"] == "/login"
    assert headers["set-cookie"].startswith(f"tracejoin_session_{port}=;") and "Max-Age=0" in headers["set-cookie"]
    assert get(port, "/v1/stats", {"Cookie": session})[0] == 401
    assert get(port, "/", {"Cookie": session})[0] == 401
    # Only that session: another browser's stays open.
    assert get(port, "/v1/stats", {"Cookie": other})[0] == 200
    # A GET cannot log out (a link or an image would).
    assert get(port, "/logout", {"Cookie": other})[0] == 405
    assert get(port, "/v1/stats", {"Cookie": other})[0] == 200


def test_a_one_time_code_from_the_query_socket_logs_in_once(listener):
    d, port, token = listener
    status, doc = request(d.query_socket, "POST", "/v1/login-code")
    assert status == 200, (status, doc)
    assert re.fullmatch(r"[0-9a-f]{32}", doc["code"]) and doc["expires_in_s"] == 600
    assert doc["path"] == "/login?code=" + doc["code"]

    status, headers, _ = get(port, doc["path"])
    assert status == 303 and headers["location"] == "/"
    no_token_in(headers, token)
    session = headers["set-cookie"].split(";")[0]
    assert SESSION.match(session), session
    assert get(port, "/v1/stats", {"Cookie": session})[0] == 200
    # The second use: refused, no cookie.
    status, headers, body = get(port, doc["path"])
    assert status == 401 and "set-cookie" not in headers and "already used or has expired" in body
    assert get(port, "/login?code=" + "0" * 32)[0] == 401

    # Only the query socket mints codes: on the TCP listener the route is not there.
    status, _, _ = get(port, "/v1/login-code", method="POST")
    assert status == 401
    status, _, _ = get(port, "/v1/login-code", {"Authorization": f"Bearer {token}"}, method="POST")
    assert status == 404

    # `tracejoin login-link` asks the socket and prints the first listener's URL.
    out = d.cli("login-link", "--config", d.config)
    assert out.returncode == 0, out.stderr
    link = out.stdout.strip()
    assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/login\?code=[0-9a-f]{{32}}", link), link
    status, headers, _ = get(port, link[len(f"http://127.0.0.1:{port}"):])
    assert status == 303 and SESSION.match(headers["set-cookie"].split(";")[0])


def test_a_session_expires():
    d, port = daemon_with_query_tcp(", session_ttl: 2s")
    try:
        d.start()
        wait_for(lambda: listening(port), what="the query TCP listener")
        token = open(os.path.join(d.root, "state", "query.token")).read().strip()
        started = time.monotonic()
        status, headers, _ = post_form(port, "/login", {"token": token})
        assert status == 303 and "Max-Age=2" in headers["set-cookie"], headers
        session = headers["set-cookie"].split(";")[0]
        status = get(port, "/v1/stats", {"Cookie": session})[0]
        # Open at once (unless this machine took the whole two seconds to ask).
        assert status == 200 or time.monotonic() - started >= 2, status
        # Fixed, not sliding: asked every 50 ms, it still ends.
        wait_for(lambda: get(port, "/v1/stats", {"Cookie": session})[0] == 401, timeout=15, what="the session to expire")
        assert time.monotonic() - started >= 1.9
        # Logging in again opens a new session.
        assert log_in(port, token) != session
    finally:
        d.cleanup()


def test_a_login_or_logout_from_another_site_is_refused(listener):
    d, port, token = listener
    for origin in ("http://evil.example", f"http://evil.example:{port}", f"http://127.0.0.1:{port + 1}", "null",
                   f"http://localhost:{port}"):
        status, headers, body = post_form(port, "/login", {"token": token}, {"Origin": origin})
        assert status == 403 and "set-cookie" not in headers, (origin, status, headers, body)
        assert body["error"] == "origin not allowed"
    # The listener's own pages (the browser names it as it reached it: Host and Origin agree).
    status, headers, _ = post_form(port, "/login", {"token": token}, {"Origin": f"http://127.0.0.1:{port}"})
    assert status == 303, headers
    session = headers["set-cookie"].split(";")[0]
    # A foreign page cannot log the browser out either.
    status, headers, _ = get(port, "/logout", {"Cookie": session, "Origin": "http://evil.example"}, method="POST")
    assert status == 403 and "set-cookie" not in headers
    assert get(port, "/v1/stats", {"Cookie": session})[0] == 200
    status, _, _ = get(port, "/logout", {"Cookie": session, "Origin": f"http://127.0.0.1:{port}"}, method="POST")
    assert status == 303
    assert get(port, "/v1/stats", {"Cookie": session})[0] == 401
