import Testing
@testable import Grok

@Suite("Logstash library: haproxy")
struct HAProxyLibraryTests {
    // HAProxy's configuration manual, section 8.2.3 (HTTP log format) and 8.2.2 (TCP log format).
    static let http = #"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#
    static let noServer = #"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in http-in/<NOSRV> -1/-1/-1/-1/0 503 212 - - SC-- 0/0/0/0/0 0/0 "GET /x HTTP/1.1""#
    static let tcp = #"Feb  6 12:12:56 localhost haproxy[14387]: 10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "HAPROXYHTTP", http,
                    ["syslog_timestamp": "Feb  6 12:14:14", "syslog_server": "localhost", "program": "haproxy", "pid": "14389",
                     "client_ip": "10.0.1.2", "client_port": "33317", "accept_date": "06/Feb/2009:12:14:14.655", "haproxy_month": "Feb",
                     "haproxy_milliseconds": "655", "frontend_name": "http-in", "backend_name": "static", "server_name": "srv1",
                     "time_request": "10", "time_queue": "0", "time_backend_connect": "30", "time_backend_response": "69",
                     "time_duration": "109", "http_status_code": "200", "bytes_read": "2750", "captured_request_cookie": "-",
                     "termination_state": "----", "actconn": "1", "retries": "0", "srv_queue": "0", "backend_queue": "0",
                     "captured_request_headers": "1wt.eu", "captured_response_headers": "", "http_verb": "GET",
                     "http_request": "/index.html", "http_version": "1.1"]),
        LibraryCase(.ecs, "HAPROXYHTTP", http,
                    ["timestamp": "Feb  6 12:14:14", "host.hostname": "localhost", "process.name": "haproxy", "process.pid": "14389",
                     "source.address": "10.0.1.2", "source.port": "33317", "haproxy.request_date": "06/Feb/2009:12:14:14.655",
                     "haproxy.frontend_name": "http-in", "haproxy.backend_name": "static", "haproxy.server_name": "srv1",
                     "haproxy.http.request.time_wait_ms": "10", "haproxy.total_waiting_time_ms": "0", "haproxy.connection_wait_time_ms": "30",
                     "haproxy.http.request.time_wait_without_data_ms": "69", "haproxy.total_time_ms": "109",
                     "http.response.status_code": "200", "source.bytes": "2750", "haproxy.http.request.captured_cookie": nil,
                     "haproxy.termination_state": "----", "haproxy.connections.active": "1", "haproxy.connections.retries": "0",
                     "haproxy.server_queue": "0", "haproxy.backend_queue": "0", "haproxy.http.request.captured_headers": "1wt.eu",
                     "http.request.method": "GET", "url.original": "/index.html", "url.path": "/index.html", "http.version": "1.1",
                     "client_ip": nil, "haproxy_month": nil]),
        LibraryCase(.legacy, "HAPROXYHTTP", noServer, ["server_name": "<NOSRV>", "time_request": "-1", "http_status_code": "503"]),
        LibraryCase(.ecs, "HAPROXYHTTP", noServer,
                    ["haproxy.server_name": nil, "haproxy.http.request.time_wait_ms": nil, "haproxy.total_time_ms": "0",
                     "http.response.status_code": "503", "haproxy.termination_state": "SC--"]),
        LibraryCase(.ecs, "HAPROXYHTTP",
                    #"2026-11-24T22:11:28+00:00 lb-1 haproxy[77]: 10.0.0.5:51234 [24/Nov/2026:22:11:28.120] www~ api/app1 0/0/1/12/13 200 512 - - --NI 3/3/0/0/0 0/0 "POST https://api.example.com:8443/v1/orders?dry=1 HTTP/1.1""#,
                    ["timestamp": "2026-11-24T22:11:28+00:00", "host.hostname": "lb-1", "url.scheme": "https", "url.domain": "api.example.com",
                     "url.port": "8443", "url.path": "/v1/orders", "url.query": "dry=1", "http.request.method": "POST"]),
        LibraryCase(.legacy, "HAPROXYTCP", tcp,
                    ["syslog_server": "localhost", "client_ip": "10.0.1.2", "client_port": "33313", "frontend_name": "fnt",
                     "backend_name": "bck", "server_name": "srv1", "time_queue": "0", "time_backend_connect": "0",
                     "time_duration": "5007", "bytes_read": "212", "termination_state": "--", "retries": "3"]),
        LibraryCase(.ecs, "HAPROXYTCP", tcp,
                    ["host.hostname": "localhost", "source.address": "10.0.1.2", "source.port": "33313", "haproxy.frontend_name": "fnt",
                     "haproxy.backend_name": "bck", "haproxy.server_name": "srv1", "haproxy.total_waiting_time_ms": "0",
                     "haproxy.connection_wait_time_ms": "0", "haproxy.total_time_ms": "5007", "source.bytes": "212",
                     "haproxy.termination_state": "--", "haproxy.connections.retries": "3"]),
        LibraryCase(.legacy, "HAPROXYHTTPBASE",
                    #"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1""#,
                    ["client_ip": "10.0.1.2", "http_request": "/index.html"]),
        LibraryCase(.legacy, "HAPROXYDATE", "06/Feb/2009:12:14:14.655",
                    ["haproxy_monthday": "06", "haproxy_month": "Feb", "haproxy_year": "2009", "haproxy_time": "12:14:14",
                     "haproxy_hour": "12", "haproxy_minute": "14", "haproxy_second": "14", "haproxy_milliseconds": "655"]),
        LibraryCase(.ecs, "HAPROXYDATE", "06/Feb/2009:12:14:14.655", ["haproxy_month": nil]),
        LibraryCase(.legacy, "HAPROXYTIME", "12:14:14"),
        LibraryCase(.legacy, "HAPROXYCAPTUREDREQUESTHEADERS", "1wt.eu|Mozilla/5.0", ["captured_request_headers": "1wt.eu|Mozilla/5.0"]),
        LibraryCase(.ecs, "HAPROXYCAPTUREDRESPONSEHEADERS", "text/html", ["haproxy.http.response.captured_headers": "text/html"]),
        LibraryCase(.ecs, "HAPROXYHTTPREQUESTLINE", "GET /index.html?lang=en HTTP/1.1",
                    ["http.request.method": "GET", "url.original": "/index.html?lang=en", "url.path": "/index.html", "url.query": "lang=en", "http.version": "1.1"]),
        LibraryCase(.ecs, "HAPROXYHTTPREQUESTLINE", "<BADREQ>", ["http.request.method": nil]),
        LibraryCase(.ecs, "HAPROXYURI", "http://alice@example.com/a", ["url.scheme": "http", "url.username": "alice", "url.domain": "example.com", "url.path": "/a"]),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "HAPROXYHTTP", tcp),
        LibraryReject(.ecs, "HAPROXYHTTP", #"Feb  6 12:14:14 localhost haproxy[14389]: Proxy http-in started."#),
        LibraryReject(.legacy, "HAPROXYTCP", http),
        LibraryReject(.ecs, "HAPROXYTCP", #"Feb  6 12:12:56 localhost haproxy[14387]: Server bck/srv1 is DOWN"#),
        LibraryReject(.legacy, "HAPROXYDATE", "06/Feb/2009:12:14:14"),
        LibraryReject(.ecs, "HAPROXYHTTPREQUESTLINE", "GET"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
