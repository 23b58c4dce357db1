import Testing
@testable import Grok

@Suite("Logstash library: squid")
struct SquidLibraryTests {
    // Squid's native access.log format: time elapsed client code/status bytes method URL user hierarchy/peer type.
    static let tunnel = #"1525344856.899 16867 10.170.72.111 TCP_TUNNEL/200 6256 CONNECT logs.example.com:443 - HIER_DIRECT/10.0.0.1 -"#
    static let hit = #"1525344860.102    12 192.168.1.20 TCP_MEM_HIT/200 13870 GET http://www.example.com/logo.png alice HIER_NONE/- image/png"#
    static let denied = #"1525344861.511      0 192.168.1.21 TCP_DENIED/000 0 GET http://blocked.example/ - HIER_NONE/- -"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "SQUID3", tunnel,
                    ["timestamp": "1525344856.899", "duration": "16867", "client_address": "10.170.72.111", "cache_result": "TCP_TUNNEL",
                     "status_code": "200", "bytes": "6256", "request_method": "CONNECT", "url": "logs.example.com:443", "user": "-",
                     "hierarchy_code": "HIER_DIRECT", "server": "10.0.0.1", "content_type": "-"]),
        LibraryCase(.ecs, "SQUID3", tunnel,
                    ["timestamp": "1525344856.899", "squid.request.duration": "16867", "source.ip": "10.170.72.111",
                     "event.action": "TCP_TUNNEL", "http.response.status_code": "200", "http.response.bytes": "6256",
                     "http.request.method": "CONNECT", "url.original": "logs.example.com:443", "user.name": nil,
                     "squid.hierarchy_code": "HIER_DIRECT", "destination.address": "10.0.0.1", "http.response.mime_type": nil]),
        LibraryCase(.legacy, "SQUID3", hit, ["user": "alice", "server": nil, "content_type": "image/png", "duration": "12"]),
        LibraryCase(.ecs, "SQUID3", hit, ["user.name": "alice", "destination.address": nil, "http.response.mime_type": "image/png"]),
        LibraryCase(.legacy, "SQUID3", denied, ["cache_result": "TCP_DENIED", "status_code": nil]),
        LibraryCase(.ecs, "SQUID3", denied, ["event.action": "TCP_DENIED", "http.response.status_code": nil]),
        LibraryCase(.legacy, "SQUID3_STATUS", "404", ["status_code": "404"]),
        LibraryCase(.ecs, "SQUID3_STATUS", "000", ["http.response.status_code": nil]),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "SQUID3", #"10.170.72.111 - - [03/May/2018:10:54:16 +0000] "CONNECT logs.example.com:443 HTTP/1.1" 200 6256"#),
        LibraryReject(.ecs, "SQUID3", #"1525344856.899 16867 10.170.72.111 TCP_TUNNEL 6256 CONNECT logs.example.com:443 - HIER_DIRECT/10.0.0.1 -"#),
        LibraryReject(.legacy, "SQUID3_STATUS", "abc"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
