"""The query API on a loopback TCP port, behind a token: a port is open to every local user,
while the query socket is 0600."""

import http.client
import json
import os
import stat
import urllib.parse

from harness import Daemon, free_port, request, wait_for


def daemon_with_query_tcp(query_extra):
    d = Daemon()
    port = free_port()
    with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
        f.write("state_dir: ../state\n"
                "intake: { socket: ../run/intake.sock }\n"
                f'query: {{ socket: ../run/query.sock, tcp: ["127.0.0.1:{port}"]{query_extra} }}\n')
    return d, port


def get(port, path, headers=None, method="GET", body=None):
    """(status, headers, parsed JSON or text) of a GET (or `method`) on the TCP listener."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        body = json.loads(data) if "json" in resp.getheader("content-type", "") and data else data.decode("utf-8", "replace")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def post_form(port, path, fields, headers=None):
    """A browser's form POST (application/x-www-form-urlencoded) on the TCP listener."""
    return get(port, path, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
               method="POST", body=urllib.parse.urlencode(fields).encode())


def log_in(port, token):
    """POST /login with the token; returns the session cookie (`name=value`) it sets."""
    status, headers, body = post_form(port, "/login", {"token": token})
    assert status == 303 and headers["location"] == "/", (status, headers, body)
    return headers["set-cookie"].split(";")[0]


def listening(port):
    try:
        return get(port, "/healthz")[0] in (200, 401)
    except OSError:
        return False


def test_requests_need_the_token_as_a_bearer_header_or_the_login_cookie():
    d, port = daemon_with_query_tcp("")
    try:
        d.start()
        wait_for(lambda: listening(port), what="the query TCP listener")
        token_file = os.path.join(d.root, "state", "query.token")
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        token = open(token_file).read().strip()
        assert len(token) == 64

        status, headers, body = get(port, "/v1/stats")
        assert status == 401 and body["error"] == "unauthorized", body
        assert headers.get("www-authenticate", "").startswith("Bearer")
        assert get(port, "/v1/stats", {"Authorization": "Bearer " + "0" * 64})[0] == 401
        assert get(port, "/v1/stats", {"Authorization": token})[0] == 401  # not a bearer token

        status, _, body = get(port, "/v1/stats", {"Authorization": f"Bearer {token}"})
        assert status == 200 and "files" in body and "tail" in body, body

        # The browser's way in: the /login form POSTs the token; a random session ID (never the
        # token) comes back in an HttpOnly, SameSite=Strict cookie named after the port.
        assert post_form(port, "/login", {"token": "wrong"})[0] == 401
        status, headers, _ = post_form(port, "/login", {"token": token})
        assert status == 303 and headers["location"] == "/"
        cookie = headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token not in cookie, cookie
        session = cookie.split(";")[0]
        assert session.startswith(f"tracejoin_session_{port}="), session
        status, headers, body = get(port, "/", {"Cookie": session})
        assert status == 200 and headers["content-type"].startswith("text/html") and "Recent traces" in body
        status, _, body = get(port, "/v1", {"Cookie": session})
        assert status == 200 and "/v1/traces/{id}" in body["endpoints"], body
        assert get(port, "/v1/rules", {"Cookie": f"tracejoin_session_{port}=" + "f" * 64})[0] == 401
        # The token itself is no session, under the old name or the new one.
        assert get(port, "/v1/rules", {"Cookie": f"tracejoin_session={token}"})[0] == 401
        assert get(port, "/v1/rules", {"Cookie": f"tracejoin_session_{port}={token}"})[0] == 401

        # The query socket needs no token (its file mode guards it).
        assert request(d.query_socket, "GET", "/v1/stats")[0] == 200

        # A restart keeps the token, and ends every browser session (they live in memory).
        d.stop()
        d.start()
        wait_for(lambda: listening(port), what="the query TCP listener after a restart")
        assert open(token_file).read().strip() == token
        assert get(port, "/v1/stats", {"Authorization": f"Bearer {token}"})[0] == 200
        assert get(port, "/v1/stats", {"Cookie": session})[0] == 401
    finally:
        d.cleanup()


def test_auth_none_is_open_and_warned_about():
    d, port = daemon_with_query_tcp(", auth: none")
    try:
        d.start()
        wait_for(lambda: listening(port), what="the query TCP listener")
        assert get(port, "/v1/stats")[0] == 200
        assert "without authentication" in d.log()
        assert not os.path.exists(os.path.join(d.root, "state", "query.token"))
    finally:
        d.cleanup()


def test_a_non_loopback_address_is_refused_unless_allowed():
    d = Daemon()
    try:
        with open(os.path.join(d.config, "tracejoin.yaml"), "w") as f:
            f.write('query: { socket: ../run/query.sock, tcp: ["0.0.0.0:16686"] }\n')
        out = d.cli("serve", "--config", d.config)
        assert out.returncode == 2
        assert "tracejoin.yaml" in out.stderr and "allow_non_loopback" in out.stderr and "not a loopback address" in out.stderr, out.stderr
    finally:
        d.cleanup()


def test_a_token_file_given_in_the_config_is_used():
    d, port = daemon_with_query_tcp(", token_file: ../secret/token")
    try:
        os.makedirs(os.path.join(d.root, "secret"))
        with open(os.path.join(d.root, "secret", "token"), "w") as f:
            f.write("an-operator-chosen-token-0123456789\n")
        os.chmod(os.path.join(d.root, "secret", "token"), 0o600)
        d.start()
        wait_for(lambda: listening(port), what="the query TCP listener")
        assert get(port, "/healthz", {"Authorization": "Bearer an-operator-chosen-token-0123456789"})[0] == 200
        assert get(port, "/healthz")[0] == 401
    finally:
        d.cleanup()
