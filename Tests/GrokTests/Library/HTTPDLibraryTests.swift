import Testing
@testable import Grok

@Suite("Logstash library: httpd")
struct HTTPDLibraryTests {
    // Apache's log_format documentation examples.
    static let common = #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#
    static let combined = #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#
    static let timeout = #"10.0.0.1 - - [24/Nov/2026:22:11:28 +0000] "-" 408 -"#
    static let error22 = #"[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test"#
    static let error24 = #"[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50234] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico"#
    static let proxy24 = #"[Tue Nov 24 22:11:28.123456 2026] [proxy:error] [pid 4711:tid 140245] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "HTTPD_COMMONLOG", common,
                    ["clientip": "127.0.0.1", "ident": "-", "auth": "frank", "timestamp": "10/Oct/2000:13:55:36 -0700", "verb": "GET",
                     "request": "/apache_pb.gif", "httpversion": "1.0", "response": "200", "bytes": "2326", "rawrequest": nil]),
        LibraryCase(.ecs, "HTTPD_COMMONLOG", common,
                    ["source.address": "127.0.0.1", "apache.access.user.identity": nil, "user.name": "frank",
                     "timestamp": "10/Oct/2000:13:55:36 -0700", "http.request.method": "GET", "url.original": "/apache_pb.gif",
                     "http.version": "1.0", "http.response.status_code": "200", "http.response.body.bytes": "2326", "clientip": nil]),
        LibraryCase(.legacy, "HTTPD_COMMONLOG", timeout, ["rawrequest": "-", "verb": nil, "response": "408", "bytes": nil]),
        LibraryCase(.ecs, "HTTPD_COMMONLOG", timeout,
                    ["http.response.status_code": "408", "http.response.body.bytes": nil, "url.original": nil, "user.name": nil]),
        LibraryCase(.legacy, "HTTPD_COMMONLOG", #"10.1.2.3 - ops@example.com [24/Nov/2026:22:11:28 +0000] "DELETE /api/v1/items/7 HTTP/2.0" 204 -"#,
                    ["auth": "ops@example.com", "verb": "DELETE", "response": "204", "bytes": nil]),
        LibraryCase(.legacy, "HTTPD_COMBINEDLOG", combined,
                    ["clientip": "127.0.0.1", "auth": "frank", "response": "200",
                     "referrer": #""http://www.example.com/start.html""#, "agent": #""Mozilla/4.08 [en] (Win98; I ;Nav)""#]),
        LibraryCase(.ecs, "HTTPD_COMBINEDLOG", combined,
                    ["source.address": "127.0.0.1", "http.request.referrer": "http://www.example.com/start.html",
                     "user_agent.original": "Mozilla/4.08 [en] (Win98; I ;Nav)", "referrer": nil, "agent": nil]),
        LibraryCase(.ecs, "HTTPD_COMBINEDLOG",
                    #"2001:db8::7 - - [24/Nov/2026:22:11:28 +0000] "GET / HTTP/1.1" 304 - "-" "curl/8.5.0""#,
                    ["source.address": "2001:db8::7", "http.request.referrer": nil, "user_agent.original": "curl/8.5.0"]),
        LibraryCase(.legacy, "COMMONAPACHELOG", common, ["clientip": "127.0.0.1", "response": "200"]),
        LibraryCase(.ecs, "COMMONAPACHELOG", common, ["source.address": "127.0.0.1", "http.response.status_code": "200"]),
        LibraryCase(.legacy, "COMBINEDAPACHELOG", combined, ["agent": #""Mozilla/4.08 [en] (Win98; I ;Nav)""#]),
        LibraryCase(.ecs, "COMBINEDAPACHELOG", combined, ["user_agent.original": "Mozilla/4.08 [en] (Win98; I ;Nav)"]),
        LibraryCase(.legacy, "HTTPD20_ERRORLOG", error22,
                    ["timestamp": "Wed Oct 11 14:32:52 2000", "loglevel": "error", "clientip": "127.0.0.1",
                     "message": "client denied by server configuration: /export/home/live/ap/htdocs/test"]),
        LibraryCase(.ecs, "HTTPD20_ERRORLOG", error22,
                    ["log.level": "error", "source.address": "127.0.0.1", "message": "client denied by server configuration: /export/home/live/ap/htdocs/test"]),
        LibraryCase(.legacy, "HTTPD20_ERRORLOG", #"[Wed Oct 11 14:32:52 2000] [notice] Apache/2.2.34 (Unix) configured -- resuming normal operations"#,
                    ["loglevel": "notice", "clientip": nil]),
        LibraryCase(.legacy, "HTTPD24_ERRORLOG", error24,
                    ["timestamp": "Fri Sep 09 10:42:29.902022 2011", "module": "core", "loglevel": "error", "pid": "35708",
                     "tid": "4328636416", "clientip": "72.15.99.187", "clientport": "50234", "errorcode": "AH00128",
                     "message": "File does not exist: /usr/local/apache2/htdocs/favicon.ico"]),
        LibraryCase(.ecs, "HTTPD24_ERRORLOG", error24,
                    ["apache.error.module": "core", "log.level": "error", "process.pid": "35708", "process.thread.id": "4328636416",
                     "source.address": "72.15.99.187", "source.port": "50234", "error.code": "AH00128",
                     "message": "File does not exist: /usr/local/apache2/htdocs/favicon.ico"]),
        LibraryCase(.legacy, "HTTPD24_ERRORLOG", proxy24,
                    ["module": "proxy", "proxy_errorcode": "111", "proxy_message": "Connection refused", "errorcode": "AH00957",
                     "message": "HTTP: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed"]),
        LibraryCase(.ecs, "HTTPD24_ERRORLOG", proxy24,
                    ["apache.error.proxy.error.code": "111", "apache.error.proxy.error.message": "Connection refused", "error.code": "AH00957"]),
        LibraryCase(.ecs, "HTTPD24_ERRORLOG", #"[Tue Nov 24 22:11:28.123456 2026] [:error] [pid 4711] [client 10.0.0.5] PHP Warning:  Undefined variable $x"#,
                    ["apache.error.module": nil, "log.level": "error", "source.address": "10.0.0.5", "source.port": nil]),
        LibraryCase(.legacy, "HTTPD_ERRORLOG", error22, ["loglevel": "error"]),
        LibraryCase(.legacy, "HTTPD_ERRORLOG", error24, ["module": "core", "pid": "35708"]),
        LibraryCase(.ecs, "HTTPD_ERRORLOG", error24, ["process.pid": "35708"]),
        LibraryCase(.legacy, "HTTPDERROR_DATE", "Wed Oct 11 14:32:52 2000"),
        LibraryCase(.legacy, "HTTPDUSER", "frank"),
        LibraryCase(.legacy, "HTTPDUSER", "ops@example.com"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "HTTPD_COMMONLOG", #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] GET /apache_pb.gif HTTP/1.0 200 2326"#),
        LibraryReject(.ecs, "HTTPD_COMMONLOG", #"127.0.0.1 - frank 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 2326"#),
        LibraryReject(.legacy, "HTTPD_COMBINEDLOG", common),
        LibraryReject(.ecs, "HTTPD_COMBINEDLOG", common),
        LibraryReject(.legacy, "HTTPD20_ERRORLOG", #"2026/11/24 22:11:28 [error] 4711#0: *1 open() failed"#),
        LibraryReject(.ecs, "HTTPD24_ERRORLOG", error22),
        LibraryReject(.legacy, "HTTPD_ERRORLOG", common),
        LibraryReject(.ecs, "HTTPD_ERRORLOG", common),
        LibraryReject(.legacy, "HTTPDERROR_DATE", "10/Oct/2000:13:55:36 -0700"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
