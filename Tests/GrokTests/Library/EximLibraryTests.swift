import Testing
@testable import Grok

@Suite("Logstash library: exim")
struct EximLibraryTests {
    // Exim main log message arrival lines.
    static let arrival = #"2014-09-04 11:58:56 1XPaVn-0005Pb-Kg <= user@example.com H=mail.example.com (helo.example.com) [192.168.1.10]:48123 P=esmtps X=TLSv1:AES256-SHA:256 S=2139 id=5408371F.1030305@example.com T="Test message" for rcpt@example.org"#
    static let arrivalPid = #"2017-06-23 10:02:01 [4178] 1dOHnt-0003K9-Ez <= alice@example.net H=(laptop) [203.0.113.7] I=[198.51.100.2]:587 P=esmtpsa X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no A=dovecot_plain:alice S=1834 id=0b1c0a2e-4d7e-9c3f@example.net"#
    static let arrivalFrom = #"2024-01-15 10:23:45 1rPabc-0001Ab-Cd <= sender@example.com H=mail.example.org [203.0.113.5]:52311 I=[198.51.100.10]:25 P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=4512 id=20240115102340.ABC123@example.org T="Quarterly \"Q4\" report" from <sender@example.com> for rcpt@example.net"#
    static let delivery = #"2014-09-04 11:58:57 1XPaVn-0005Pb-Kg => rcpt@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.25] X=TLS1.2:ECDHE-RSA-AES128-GCM-SHA256:128 CV=yes C="250 2.0.0 OK""#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "EXIM", arrival, [
            "timestamp": "2014-09-04 11:58:56", "exim_year": "2014", "exim_month": "09", "exim_day": "04", "exim_time": "11:58:56",
            "exim_msgid": "1XPaVn-0005Pb-Kg", "exim_flags": "<=", "exim_sender_email": "user@example.com",
            "remote_hostname": "mail.example.com", "remote_heloname": "helo.example.com", "remote_host": "192.168.1.10", "remote_port": "48123",
            "protocol": "esmtps", "exim_msg_size": "2139", "exim_header_id": "5408371F.1030305@example.com",
            "exim_subject": #""Test message""#, "exim_recipient_email": "rcpt@example.org", "pid": nil,
        ]),
        LibraryCase(.legacy, "EXIM_MESSAGE_ARRIVAL", arrivalPid, [
            "pid": "4178", "exim_msgid": "1dOHnt-0003K9-Ez", "exim_sender_email": "alice@example.net", "remote_hostname": nil,
            "remote_heloname": "laptop", "remote_host": "203.0.113.7", "exim_interface": "198.51.100.2", "exim_interface_port": "587",
            "protocol": "esmtpsa", "exim_msg_size": "1834", "exim_recipient_email": nil,
        ]),
        LibraryCase(.ecs, "EXIM", arrival, [
            "timestamp": "2014-09-04 11:58:56", "exim.log.message.id": "1XPaVn-0005Pb-Kg", "exim.log.flags": "<=",
            "exim.log.sender.email": "user@example.com", "source.address": "mail.example.com", "exim.log.remote_address": "helo.example.com",
            "source.ip": "192.168.1.10", "source.port": "48123", "network.protocol": "esmtps", "exim.log.message.size": "2139",
            "exim.log.header_id": "5408371F.1030305@example.com", "exim.log.message.subject": "Test message",
            "exim.log.recipient.email": "rcpt@example.org", "exim_year": nil,
        ]),
        LibraryCase(.ecs, "EXIM_MESSAGE_ARRIVAL", arrivalPid, [
            "process.pid": "4178", "source.address": nil, "exim.log.remote_address": "laptop", "source.ip": "203.0.113.7",
            "destination.ip": "198.51.100.2", "destination.port": "587", "network.protocol": "esmtpsa", "exim.log.message.size": "1834",
        ]),
        LibraryCase(.ecs, "EXIM", arrivalFrom, [
            "exim.log.message.id": "1rPabc-0001Ab-Cd", "source.address": "mail.example.org", "source.ip": "203.0.113.5", "source.port": "52311",
            "destination.ip": "198.51.100.10", "destination.port": "25", "exim.log.message.size": "4512",
            "exim.log.message.subject": #"Quarterly \"Q4\" report"#, "exim.log.sender.original": "sender@example.com",
            "exim.log.recipient.email": "rcpt@example.net",
        ]),
        LibraryCase(.legacy, "EXIM_MSGID", "1XPaVn-0005Pb-Kg"),
        LibraryCase(.legacy, "EXIM_MSGID", "1rPabc-000AbCdEfGh-Ab12"),
        LibraryCase(.legacy, "EXIM_FLAGS", "=>"),
        LibraryCase(.legacy, "EXIM_FLAGS", "**"),
        LibraryCase(.ecs, "EXIM_FLAGS", "<>"),
        LibraryCase(.legacy, "EXIM_DATE", "2014-09-04 11:58:56", ["exim_year": "2014", "exim_time": "11:58:56"]),
        LibraryCase(.ecs, "EXIM_DATE", "2014-09-04 11:58:56", ["exim_year": nil]),
        LibraryCase(.legacy, "EXIM_PID", "[4178]", ["pid": "4178"]),
        LibraryCase(.ecs, "EXIM_PID", "[4178]", ["process.pid": "4178"]),
        LibraryCase(.legacy, "EXIM_QT", "1d2h3m4s"),
        LibraryCase(.legacy, "EXIM_EXCLUDE_TERMS", "Start queue run"),
        LibraryCase(.legacy, "EXIM_REMOTE_HOST", "H=mx.example.org [192.0.2.25]", ["remote_hostname": "mx.example.org", "remote_host": "192.0.2.25"]),
        LibraryCase(.ecs, "EXIM_REMOTE_HOST", "H=(helo) [192.0.2.25]:2525", ["source.address": nil, "exim.log.remote_address": "helo", "source.ip": "192.0.2.25", "source.port": "2525"]),
        LibraryCase(.legacy, "EXIM_INTERFACE", "I=[198.51.100.2]:587", ["exim_interface": "198.51.100.2", "exim_interface_port": "587"]),
        LibraryCase(.ecs, "EXIM_INTERFACE", "I=[198.51.100.2]:587", ["destination.ip": "198.51.100.2", "destination.port": "587"]),
        LibraryCase(.legacy, "EXIM_PROTOCOL", "P=esmtp", ["protocol": "esmtp"]),
        LibraryCase(.ecs, "EXIM_PROTOCOL", "P=esmtp", ["network.protocol": "esmtp"]),
        LibraryCase(.legacy, "EXIM_MSG_SIZE", "S=1834", ["exim_msg_size": "1834"]),
        LibraryCase(.ecs, "EXIM_MSG_SIZE", "S=1834", ["exim.log.message.size": "1834"]),
        LibraryCase(.legacy, "EXIM_HEADER_ID", "id=abc@example.net", ["exim_header_id": "abc@example.net"]),
        LibraryCase(.ecs, "EXIM_HEADER_ID", "id=abc@example.net", ["exim.log.header_id": "abc@example.net"]),
        LibraryCase(.legacy, "EXIM_SUBJECT", #"T="Hello there""#, ["exim_subject": #""Hello there""#]),
        LibraryCase(.ecs, "EXIM_SUBJECT", #"T="Hello there""#, ["exim.log.message.subject": "Hello there"]),
        LibraryCase(.ecs, "EXIM_QUOTED_CONTENT", #"say \"hi\""#),
        LibraryCase(.legacy, "EXIM_UNKNOWN_FIELD", "X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256"),
        LibraryCase(.ecs, "EXIM_UNKNOWN_FIELD", #"C="250 2.0.0 OK""#),
        LibraryCase(.legacy, "EXIM_NAMED_FIELDS", " P=esmtp S=12 CV=no", ["protocol": "esmtp", "exim_msg_size": "12"]),
    ]

    static let rejects: [LibraryReject] = [
        // Only arrivals (<=) are EXIM lines.
        LibraryReject(.legacy, "EXIM", delivery),
        LibraryReject(.ecs, "EXIM", delivery),
        LibraryReject(.legacy, "EXIM", "2014-09-04 11:58:56 Start queue run: pid=31912"),
        LibraryReject(.ecs, "EXIM_MESSAGE_ARRIVAL", "2014-09-04 11:58:56 1XPaVn-0005Pb-Kg <= user@example.com H=mail.example.com [192.168.1.10] P=esmtps S=2139 and some trailing text"),
        // A legacy line has no "from <…>" part.
        LibraryReject(.legacy, "EXIM", arrivalFrom),
        LibraryReject(.legacy, "EXIM_MSGID", "1XPaVn-0005Pb"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
