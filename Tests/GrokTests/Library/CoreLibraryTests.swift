import Testing
@testable import Grok

/// Logstash's `grok-patterns` names that PatternLibraryTests does not already cover, and the
/// composite syslog header in both sets.
@Suite("Logstash library: grok-patterns")
struct CoreLibraryTests {
    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "SYSLOGBASE", #"Nov 24 22:11:28 web-1 sshd[4711]:"#,
                    ["timestamp": "Nov 24 22:11:28", "logsource": "web-1", "program": "sshd", "pid": "4711", "facility": nil]),
        LibraryCase(.legacy, "SYSLOGBASE", #"Mar  7 09:15:02 <13.6> gateway kernel:"#,
                    ["timestamp": "Mar  7 09:15:02", "facility": "13", "priority": "6", "logsource": "gateway", "program": "kernel", "pid": nil]),
        LibraryCase(.ecs, "SYSLOGBASE", #"Nov 24 22:11:28 web-1 sshd[4711]:"#,
                    ["timestamp": "Nov 24 22:11:28", "host.hostname": "web-1", "process.name": "sshd", "process.pid": "4711", "logsource": nil, "program": nil]),
        LibraryCase(.ecs, "SYSLOGBASE", #"Mar  7 09:15:02 <13.6> gateway kernel:"#,
                    ["log.syslog.facility.code": "13", "log.syslog.priority": "6", "host.hostname": "gateway", "process.name": "kernel"]),
        LibraryCase(.legacy, "SYSLOGFACILITY", "<4.3>", ["facility": "4", "priority": "3"]),
        LibraryCase(.ecs, "SYSLOGFACILITY", "<4.3>", ["log.syslog.facility.code": "4", "log.syslog.priority": "3"]),
        LibraryCase(.legacy, "SYSLOGPROG", "postfix/smtpd[2042]", ["program": "postfix/smtpd", "pid": "2042"]),
        LibraryCase(.ecs, "SYSLOGPROG", "postfix/smtpd[2042]", ["process.name": "postfix/smtpd", "process.pid": "2042", "program": nil]),
        LibraryCase(.ecs, "SYSLOGPROG", "cron", ["process.name": "cron", "process.pid": nil]),
        LibraryCase(.legacy, "URN", "urn:ietf:rfc:2648"),
        LibraryCase(.legacy, "URN", "urn:isbn:0451450523"),
        LibraryCase(.legacy, "URN", "urn:example:a%2Fb(c)"),
        LibraryCase(.legacy, "CISCOMAC", "001a.2b3c.4d5e"),
        LibraryCase(.legacy, "WINDOWSMAC", "00-1A-2B-3C-4D-5E"),
        LibraryCase(.legacy, "COMMONMAC", "00:1a:2b:3c:4d:5e"),
        LibraryCase(.legacy, "TTY", "/dev/pts/3"),
        LibraryCase(.legacy, "TTY", "/dev/tty1"),
        LibraryCase(.legacy, "TTY", "/dev/ttyS0"),
        LibraryCase(.legacy, "URIHOST", "example.com:8080", ["port": "8080"]),
        LibraryCase(.ecs, "URIHOST", "example.com:8080", ["port": nil]),
        LibraryCase(.ecs, "URIQUERY", "a=1&b=%20two&c[]=3"),
        LibraryCase(.ecs, "URIPARAM", "?a=1&b=2"),
        LibraryCase(.ecs, "URIPATHPARAM", "/search?q=grok"),
        LibraryCase(.ecs, "URI", "https://user@example.com:8443/a/b?c=d"),
        LibraryCase(.legacy, "MONTHNUM2", "09"),
        LibraryCase(.legacy, "MONTHNUM2", "12"),
        LibraryCase(.legacy, "ISO8601_SECOND", "28.925"),
        LibraryCase(.legacy, "TIMESTAMP_CN", "2026-11-24 22:11:28.925"),
        LibraryCase(.legacy, "DATESTAMP_RFC822", "Wed Jan 12 2024 08:23:15 PST"),
        LibraryCase(.legacy, "DATESTAMP_RFC2822", "Tue, 24 Nov 2026 22:11:28 +0000"),
        LibraryCase(.legacy, "DATESTAMP_OTHER", "Tue Nov 24 22:11:28 UTC 2026"),
        LibraryCase(.legacy, "DATESTAMP_EVENTLOG", "20261124221128"),
        // The shared definitions are the same in the ECS set.
        LibraryCase(.ecs, "COMBINEDAPACHELOG",
                    #"10.0.0.9 - alice [24/Nov/2026:22:11:28 +0000] "POST /checkout HTTP/1.1" 500 17 "-" "python-requests/2.32""#,
                    ["source.address": "10.0.0.9", "user.name": "alice", "http.request.method": "POST", "clientip": nil]),
        LibraryCase(.ecs, "TIMESTAMP_ISO8601", "2026-11-24T22:11:28.925Z"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "SYSLOGBASE", "2026-11-24 22:11:28 web-1 sshd[4711]:"),
        LibraryReject(.ecs, "SYSLOGBASE", "Nov 24 22:11:28 web-1 sshd[4711] no colon"),
        LibraryReject(.legacy, "SYSLOGFACILITY", "<13>"),
        LibraryReject(.legacy, "URN", "urn:/example"),
        LibraryReject(.legacy, "CISCOMAC", "00:1a:2b:3c:4d:5e"),
        LibraryReject(.legacy, "WINDOWSMAC", "00:1a:2b:3c:4d:5e"),
        LibraryReject(.legacy, "COMMONMAC", "00-1a-2b-3c-4d-5e"),
        LibraryReject(.legacy, "TTY", "/dev/sda1"),
        LibraryReject(.legacy, "MONTHNUM2", "9"),
        LibraryReject(.legacy, "MONTHNUM2", "13"),
        LibraryReject(.legacy, "TIMESTAMP_CN", "2026-11-24 22:11:28"),
        LibraryReject(.legacy, "DATESTAMP_RFC2822", "Tue Nov 24 22:11:28 UTC 2026"),
        LibraryReject(.legacy, "DATESTAMP_OTHER", "Tue, 24 Nov 2026 22:11:28 +0000"),
        LibraryReject(.legacy, "DATESTAMP_EVENTLOG", "2026-11-24 22:11:28"),
        LibraryReject(.ecs, "URIQUERY", "a=1 b=2"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
