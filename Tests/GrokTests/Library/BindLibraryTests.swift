import Testing
@testable import Grok

@Suite("Logstash library: bind")
struct BindLibraryTests {
    // BIND 9.10 and 9.16 query log lines (print-time, print-category, print-severity).
    static let query910 = "17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): query: test.example.com IN A +E(0)K (172.26.0.3)"
    static let query916 = "07-Jun-2022 12:07:46.421 queries: info: client @0x7f64500020ef 192.168.10.48#49347 (www.google.com): query: www.google.com IN AAAA +E(0)DV (192.168.10.1)"
    static let queryV6 = "03-Mar-2021 09:15:02.118 queries: info: client @0x7f3c2c0a1b30 2001:db8::25#41235 (example.org): query: example.org IN MX + (2001:db8::53)"

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "BIND9", query910, [
            "timestamp": "17-Feb-2018 23:06:56.326", "loglevel": "info", "clientip": "172.26.0.1", "clientport": "12345",
            "query": "test.example.com", "querytype": "A +E(0)K", "dns": "172.26.0.3",
        ]),
        LibraryCase(.legacy, "BIND9", query916, ["clientip": "192.168.10.48", "clientport": "49347", "query": "www.google.com", "querytype": "AAAA +E(0)DV", "dns": "192.168.10.1"]),
        LibraryCase(.legacy, "BIND9", queryV6, ["clientip": "2001:db8::25", "querytype": "MX +", "dns": "2001:db8::53"]),
        LibraryCase(.ecs, "BIND9", query910, [
            "timestamp": "17-Feb-2018 23:06:56.326", "bind.log.category": "queries", "log.level": "info", "client.ip": "172.26.0.1",
            "client.port": "12345", "bind.log.question.name": "test.example.com", "dns.question.name": "test.example.com",
            "dns.question.class": "IN", "dns.question.type": "A", "bind.log.question.flags": "+E(0)K", "server.ip": "172.26.0.3",
        ]),
        LibraryCase(.ecs, "BIND9_QUERYLOG", query916, [
            "client.ip": "192.168.10.48", "client.port": "49347", "dns.question.name": "www.google.com", "dns.question.type": "AAAA",
            "bind.log.question.flags": "+E(0)DV", "server.ip": "192.168.10.1",
        ]),
        LibraryCase(.ecs, "BIND9", queryV6, ["client.ip": "2001:db8::25", "dns.question.type": "MX", "bind.log.question.flags": "+", "server.ip": "2001:db8::53"]),
        LibraryCase(.ecs, "BIND9_QUERYLOGBASE", "client @0x7f64500020ef 192.168.10.48#49347 (version.bind): query: version.bind CH TXT -E(0) (192.168.10.1)", [
            "dns.question.name": "version.bind", "dns.question.class": "CH", "dns.question.type": "TXT", "bind.log.question.flags": "-E(0)",
        ]),
        LibraryCase(.legacy, "BIND9_TIMESTAMP", "17-Feb-2018 23:06:56.326"),
        LibraryCase(.ecs, "BIND9_DNSTYPE", "AAAA"),
        LibraryCase(.ecs, "BIND9_DNSTYPE", "NSEC3PARAM"),
        LibraryCase(.ecs, "BIND9_CATEGORY", "queries"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "BIND9", "17-Feb-2018 23:06:56.326 general: info: zone example.com/IN: loaded serial 2018021701"),
        LibraryReject(.ecs, "BIND9", "17-Feb-2018 23:06:56.326 general: info: zone example.com/IN: loaded serial 2018021701"),
        LibraryReject(.ecs, "BIND9_QUERYLOG", "17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): query: test.example.com IN BOGUS + (172.26.0.3)"),
        LibraryReject(.ecs, "BIND9_DNSTYPE", "AAAAA"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
