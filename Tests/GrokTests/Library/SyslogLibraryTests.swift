import Testing
@testable import Grok

@Suite("Logstash library: linux-syslog")
struct SyslogLibraryTests {
    static let sshd = #"Nov 24 22:11:28 web-1 sshd[4711]: Accepted publickey for alice from 10.0.0.5 port 52214 ssh2"#
    static let systemd = #"2026-11-24T22:11:28.123456+00:00 web-1 systemd[1]: Started Session 3 of user alice."#
    static let pam = #"Nov 24 22:11:28 web-1 sshd[4711]: pam_unix(sshd:session): session opened for user alice by (uid=0)"#
    static let cron = #"Nov 24 22:17:01 web-1 CRON[5012]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)"#
    // RFC 5424, section 6.5, examples 1 and 3 (without the BOM).
    static let rfc5424 = #"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8"#
    static let rfc5424SD = #"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry..."#
    static let rfc5424PID = #"<13>1 2026-11-24T22:11:28.925Z web-1 checkout 4711 - - request 1 done"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "SYSLOGLINE", sshd,
                    ["timestamp": "Nov 24 22:11:28", "logsource": "web-1", "program": "sshd", "pid": "4711",
                     "message": "Accepted publickey for alice from 10.0.0.5 port 52214 ssh2"]),
        LibraryCase(.ecs, "SYSLOGLINE", sshd,
                    ["timestamp": "Nov 24 22:11:28", "host.hostname": "web-1", "process.name": "sshd", "process.pid": "4711",
                     "message": "Accepted publickey for alice from 10.0.0.5 port 52214 ssh2", "logsource": nil]),
        LibraryCase(.legacy, "SYSLOGLINE", systemd,
                    ["timestamp8601": "2026-11-24T22:11:28.123456+00:00", "timestamp": nil, "logsource": "web-1", "program": "systemd",
                     "pid": "1", "message": "Started Session 3 of user alice."]),
        LibraryCase(.ecs, "SYSLOGLINE", systemd,
                    ["timestamp": "2026-11-24T22:11:28.123456+00:00", "host.hostname": "web-1", "process.name": "systemd", "process.pid": "1"]),
        LibraryCase(.legacy, "SYSLOGBASE2", #"Nov 24 22:11:28 web-1 kernel:"#, ["logsource": "web-1", "program": "kernel"]),
        LibraryCase(.ecs, "SYSLOGBASE2", #"Nov 24 22:11:28 web-1 kernel:"#, ["host.hostname": "web-1", "process.name": "kernel"]),
        LibraryCase(.legacy, "SYSLOGPAMSESSION", pam,
                    ["pam_module": "pam_unix", "pam_caller": "sshd:session", "pam_session_state": "opened", "username": "alice",
                     "pam_by": "(uid=0)", "program": "sshd", "message": "pam_unix(sshd:session): session opened for user alice by (uid=0)"]),
        LibraryCase(.ecs, "SYSLOGPAMSESSION", pam,
                    ["system.auth.pam.module": "pam_unix", "system.auth.pam.origin": "sshd:session",
                     "system.auth.pam.session_state": "opened", "user.name": "alice", "process.name": "sshd", "username": nil]),
        LibraryCase(.legacy, "CRONLOG", cron,
                    ["user": "root", "action": "CMD", "message": "   cd / && run-parts --report /etc/cron.hourly", "program": "CRON", "pid": "5012"]),
        LibraryCase(.ecs, "CRONLOG", cron,
                    ["user.name": "root", "system.cron.action": "CMD", "message": "   cd / && run-parts --report /etc/cron.hourly",
                     "process.name": "CRON", "host.hostname": "web-1"]),
        LibraryCase(.legacy, "CRON_ACTION", "RELOAD"),
        LibraryCase(.legacy, "SYSLOG5424LINE", rfc5424,
                    ["syslog5424_pri": "34", "syslog5424_ver": "1", "syslog5424_ts": "2003-10-11T22:14:15.003Z",
                     "syslog5424_host": "mymachine.example.com", "syslog5424_app": "su", "syslog5424_proc": nil,
                     "syslog5424_msgid": "ID47", "syslog5424_sd": nil, "syslog5424_msg": "'su root' failed for lonvick on /dev/pts/8"]),
        LibraryCase(.ecs, "SYSLOG5424LINE", rfc5424,
                    ["log.syslog.priority": "34", "system.syslog.version": "1", "timestamp": "2003-10-11T22:14:15.003Z",
                     "host.hostname": "mymachine.example.com", "process.name": "su", "process.pid": nil, "event.code": "ID47",
                     "system.syslog.structured_data": nil, "message": "'su root' failed for lonvick on /dev/pts/8"]),
        LibraryCase(.legacy, "SYSLOG5424LINE", rfc5424SD,
                    ["syslog5424_pri": "165", "syslog5424_app": "evntslog",
                     "syslog5424_sd": #"[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]"#,
                     "syslog5424_msg": "An application event log entry..."]),
        LibraryCase(.ecs, "SYSLOG5424LINE", rfc5424SD,
                    ["log.syslog.priority": "165", "process.name": "evntslog",
                     "system.syslog.structured_data": #"[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]"#,
                     "message": "An application event log entry..."]),
        LibraryCase(.legacy, "SYSLOG5424LINE", rfc5424PID, ["syslog5424_proc": "4711", "syslog5424_msg": "request 1 done"]),
        LibraryCase(.ecs, "SYSLOG5424LINE", rfc5424PID, ["process.pid": "4711", "process.name": "checkout", "message": "request 1 done"]),
        LibraryCase(.legacy, "SYSLOG5424BASE", #"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 -"#,
                    ["syslog5424_msgid": "ID47"]),
        LibraryCase(.legacy, "SYSLOG5424PRI", "<165>", ["syslog5424_pri": "165"]),
        LibraryCase(.ecs, "SYSLOG5424PRI", "<165>", ["log.syslog.priority": "165"]),
        LibraryCase(.legacy, "SYSLOG5424SD", #"[exampleSDID@32473 iut="3"][examplePriority@32473 class="high"]"#),
        LibraryCase(.legacy, "SYSLOG5424SD", #"[origin ip="10.0.0.1" note="a \] bracket"]"#),
        LibraryCase(.legacy, "SYSLOG5424PRINTASCII", "ID47"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "SYSLOGLINE", "this is not a syslog line"),
        LibraryReject(.ecs, "SYSLOGLINE", "24/11/2026 22:11:28 web-1 sshd: x"),
        LibraryReject(.legacy, "SYSLOGPAMSESSION", sshd),
        LibraryReject(.ecs, "CRONLOG", sshd),
        LibraryReject(.legacy, "SYSLOG5424LINE", sshd),
        LibraryReject(.ecs, "SYSLOG5424LINE", #"<34> 2003-10-11T22:14:15.003Z mymachine su - ID47 - no version"#),
        LibraryReject(.legacy, "SYSLOG5424PRI", "<x>"),
        LibraryReject(.legacy, "SYSLOG5424SD", "exampleSDID@32473"),
        LibraryReject(.legacy, "CRON_ACTION", "cmd"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
