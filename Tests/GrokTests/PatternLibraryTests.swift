@testable import Grok
import Testing

/// Every built-in pattern with text it must match whole and text it must not.
@Suite("Built-in pattern library")
struct PatternLibraryTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let matches: [String]
        let rejects: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "USERNAME", matches: ["alice", "bob.smith-2_x"], rejects: ["al ice", "a@b"]),
        Case(name: "USER", matches: ["root"], rejects: ["ro ot"]),
        Case(name: "EMAILLOCALPART", matches: ["first.last", "x+tag"], rejects: [".lead", "a b"]),
        Case(name: "EMAILADDRESS", matches: ["ops@example.com", "a.b+c@mail.example.org"], rejects: ["ops@", "@example.com"]),
        Case(name: "INT", matches: ["0", "-42", "+7"], rejects: ["4.2", "x1"]),
        Case(name: "BASE10NUM", matches: ["3.25", "-0.5", ".5", "17"], rejects: ["1e", "abc"]),
        Case(name: "NUMBER", matches: ["12", "12.5"], rejects: ["twelve"]),
        Case(name: "BASE16NUM", matches: ["0xff", "DEADbeef", "-0x1A"], rejects: ["0xg1", "zz"]),
        Case(name: "BASE16FLOAT", matches: ["0x1.8", "ff.f"], rejects: ["0x.g"]),
        Case(name: "POSINT", matches: ["1", "8080"], rejects: ["0", "-1", "01"]),
        Case(name: "NONNEGINT", matches: ["0", "123"], rejects: ["-1", "1.0"]),
        Case(name: "WORD", matches: ["hello_1", "X"], rejects: ["!!", "a b"]),
        Case(name: "NOTSPACE", matches: ["a/b:c", "-"], rejects: [" ", "a b"]),
        Case(name: "SPACE", matches: ["", "  \t"], rejects: ["x"]),
        Case(name: "DATA", matches: ["", "any thing"], rejects: []),
        Case(name: "GREEDYDATA", matches: ["any thing at all"], rejects: []),
        Case(name: "QUOTEDSTRING", matches: [#""a \"b\" c""#, "'single'", "`back`"], rejects: [#""open"#, "bare"]),
        Case(name: "QS", matches: [#""x""#], rejects: ["x"]),
        Case(name: "UUID", matches: ["123e4567-e89b-12d3-a456-426614174000"], rejects: ["123e4567-e89b-12d3-a456", "zzze4567-e89b-12d3-a456-426614174000"]),
        Case(name: "MAC", matches: ["00:1A:2b:3C:4d:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"], rejects: ["00:1a:2b", "gg:1a:2b:3c:4d:5e"]),
        Case(name: "IPV4", matches: ["10.1.2.3", "255.255.255.255", "0.0.0.0"], rejects: ["300.1.2.3", "1.2.3", "1.2.3.4.5"]),
        Case(name: "IPV6", matches: ["2001:db8::1", "::1", "::", "fe80::1%eth0", "2001:0db8:0000:0000:0000:ff00:0042:8329", "::ffff:10.0.0.1", "1::"],
             rejects: ["2001:db8:::1", "12345::1", "1.2.3.4"]),
        Case(name: "IP", matches: ["10.0.0.1", "2001:db8::1"], rejects: ["host"]),
        Case(name: "HOSTNAME", matches: ["example.com", "db-1.internal", "localhost"], rejects: ["-bad.example", "a..b"]),
        Case(name: "IPORHOST", matches: ["10.0.0.1", "api.example.com"], rejects: ["a b"]),
        Case(name: "HOSTPORT", matches: ["localhost:8126", "10.0.0.1:4318"], rejects: ["localhost:", "localhost:0"]),
        Case(name: "UNIXPATH", matches: ["/var/log/app.log", "/"], rejects: ["var/log", "C:\\x"]),
        Case(name: "PATH", matches: ["/etc/hosts", "C:\\Windows\\System32"], rejects: ["relative/path"]),
        Case(name: "URIPROTO", matches: ["https", "git+ssh"], rejects: ["1http", "ht tp"]),
        Case(name: "URIHOST", matches: ["example.com:8080", "10.0.0.1"], rejects: ["exa mple.com"]),
        Case(name: "URIPATH", matches: ["/a/b.html", "/api/v1/traces/123"], rejects: ["a/b", "/a b"]),
        Case(name: "URIPARAM", matches: ["?a=1&b=2", "?"], rejects: ["a=1"]),
        Case(name: "URIPATHPARAM", matches: ["/search?q=x", "/plain"], rejects: ["search?q=x"]),
        Case(name: "URI", matches: ["https://example.com/a?b=c", "http://user:pw@host:80/", "file:///etc/hosts"], rejects: ["example.com/a", "https//x"]),
        Case(name: "MONTH", matches: ["Jan", "september", "Sept", "DEC"], rejects: ["Janx", "13"]),
        Case(name: "MONTHNUM", matches: ["1", "09", "12"], rejects: ["13", "00"]),
        Case(name: "MONTHDAY", matches: ["1", "09", "31"], rejects: ["32", "00"]),
        Case(name: "DAY", matches: ["Mon", "tuesday", "Thurs"], rejects: ["Mond", "Funday"]),
        Case(name: "YEAR", matches: ["2026", "26"], rejects: ["202", "20266"]),
        Case(name: "HOUR", matches: ["0", "09", "23"], rejects: ["24"]),
        Case(name: "MINUTE", matches: ["00", "59"], rejects: ["60", "5"]),
        Case(name: "SECOND", matches: ["00", "59", "60", "28,925", "28.925123"], rejects: ["61"]),
        Case(name: "TIME", matches: ["22:11:28", "22:11", "09:05:01.5"], rejects: ["25:00", "22:61"]),
        Case(name: "DATE_US", matches: ["11/24/2026", "1-2-26"], rejects: ["24/11/2026"]),
        Case(name: "DATE_EU", matches: ["24.11.2026", "24/11/2026"], rejects: ["11/24/2026x"]),
        Case(name: "DATE", matches: ["11/24/2026", "24.11.2026"], rejects: ["2026-11-24"]),
        Case(name: "DATESTAMP", matches: ["11/24/2026 22:11:28", "24.11.2026-22:11"], rejects: ["11/24/2026"]),
        Case(name: "TZ", matches: ["UTC", "PST", "EDT", "GMT"], rejects: ["XYZ", "CEST"]),
        Case(name: "ISO8601_TIMEZONE", matches: ["Z", "+01:00", "-0800", "+05"], rejects: ["UTC"]),
        Case(name: "TIMESTAMP_ISO8601", matches: ["2026-11-24T22:11:28.925Z", "2026-11-24 22:11:28,925", "2026-11-24T22:11:28+01:00", "2026-11-24T22:11"],
             rejects: ["24/11/2026 22:11", "2026-13-01T00:00:00"]),
        Case(name: "HTTPDATE", matches: ["24/Nov/2026:22:11:28 +0000"], rejects: ["24/11/2026:22:11:28 +0000"]),
        Case(name: "SYSLOGTIMESTAMP", matches: ["Nov 24 22:11:28", "Nov  4 02:01:00"], rejects: ["2026-11-24 22:11:28"]),
        Case(name: "PROG", matches: ["sshd", "systemd-logind"], rejects: ["a b", "x[1]"]),
        Case(name: "SYSLOGPROG", matches: ["sshd[123]", "cron"], rejects: ["sshd[abc]"]),
        Case(name: "SYSLOGHOST", matches: ["web-1", "10.0.0.2"], rejects: ["we b"]),
        Case(name: "LOGLEVEL", matches: ["INFO", "warning", "Error", "CRITICAL", "fatal", "debug", "TRACE", "notice"], rejects: ["CHATTY", "INFOO"]),
        Case(name: "COMMONAPACHELOG", matches: [#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#],
             rejects: [#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] GET /x 200 1"#]),
        Case(name: "COMBINEDAPACHELOG", matches: [#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 304 - "http://example.com/" "curl/8.0""#],
             rejects: [#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 304 -"#]),
        Case(name: "TRACEID", matches: ["6b060b9000000000638337cabfd009ff", "18446744073709551615", "ce3a6d2cb615fac0", "0", "-", "None", "null", ""],
             rejects: ["xyz", "6b060b9000000000638337cabfd009ff00"]),
        Case(name: "TRACEID_DEC", matches: ["1", "340282366920938463463374607431768211455"], rejects: ["ab", "-1"]),
        Case(name: "TRACEID_HEX", matches: ["457dcf6aef3b9e387c5151ce8d6c2902", "CE3A6D2CB615FAC0"], rejects: ["123", "xyz"]),
        Case(name: "SPANID", matches: ["1295274668589741838", "ce3a6d2cb615fac0", "0", "None"], rejects: ["ce3a6d2cb615fac", "x"]),
        Case(name: "SPANID_DEC", matches: ["18446744073709551615"], rejects: ["abc"]),
        Case(name: "SPANID_HEX", matches: ["ce3a6d2cb615fac0"], rejects: ["ce3a6d2cb615fac", "ce3a6d2cb615fac0a"]),
    ]

    @Test(arguments: cases)
    func matchesWholeAndRejects(_ c: Case) throws {
        let p = try GrokPattern("^%{\(c.name):v}$")
        for text in c.matches {
            #expect(captures(p, text)?["v"] == text, "\(c.name) should match '\(text)'")
        }
        for text in c.rejects {
            #expect(captures(p, text) == nil, "\(c.name) should not match '\(text)'")
        }
    }

    /// Every name of Logstash's `grok-patterns` (both sets) and every Tracejoin pattern has cases
    /// here or in CoreLibraryTests; Logstash's other pattern files are covered by their own suites
    /// under Library/.
    @Test func everyBuiltinNameIsCovered() {
        let tested = Set(Self.cases.map(\.name)).union(CoreLibraryTests.cases.map(\.pattern))
        let names = Set(LogstashLibrary.legacyCore.keys).union(LogstashLibrary.ecsCore.keys).union(BuiltinPatterns.all.keys)
        let missing = names.filter { !tested.contains($0) && !["HTTPDUSER", "WINPATH", "MONTHNUM2"].contains($0) }
        #expect(missing.sorted() == [])
    }

    @Test func apacheLogFieldsComeFromTheComposite() throws {
        let p = try GrokPattern("%{COMBINEDAPACHELOG}")
        let f = try #require(captures(p, #"10.0.0.9 - alice [24/Nov/2026:22:11:28 +0000] "POST /checkout HTTP/1.1" 500 17 "-" "python-requests/2.32""#))
        #expect(f["clientip"] == "10.0.0.9")
        #expect(f["auth"] == "alice")
        #expect(f["verb"] == "POST")
        #expect(f["request"] == "/checkout")
        #expect(f["response"] == "500")
        #expect(f["agent"] == "\"python-requests/2.32\"")
        #expect(f["timestamp"] == "24/Nov/2026:22:11:28 +0000")
    }
}
