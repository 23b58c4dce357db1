import Testing
@testable import Grok

@Suite("Logstash library: bro, zeek")
struct BroZeekLibraryTests {
    // Bro 2.x TSV lines.
    static let broHTTP = "1320279566.452687\tCwFs1P2UcUdlSxD2La\t192.168.2.76\t52026\t132.235.215.119\t80\t1\tGET\twww.reddit.com\t/\t-\tMozilla/5.0 (Macintosh; Intel Mac OS X 10_7_2) AppleWebKit/535.2 (KHTML, like Gecko) Chrome/15.0.874.106 Safari/535.2\t0\t109978\t200\tOK\t-\t-\t-\t(empty)\t-\t-\t-\t-\t-\tFhHbPo2Z4uWPjMBCa6\ttext/html"
    static let broDNS = "1320279572.183566\tCzyfwB1Q3r5BOzybJ7\t192.168.2.76\t57299\t192.168.2.1\t53\tudp\t19376\twww.google.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t74.125.225.80,74.125.225.81\t300.000000,300.000000\tF"
    static let broConn = "1320279566.831654\tCh2X6b3B1NDkCcz3Dd\t192.168.2.76\t52026\t132.235.215.119\t80\ttcp\thttp\t0.419135\t710\t110541\tSF\t-\t0\tShADadfF\t52\t2794\t90\t115233\t(empty)"
    static let broConnLocalResp = "1320279566.831654\tCh2X6b3B1NDkCcz3Dd\t192.168.2.76\t52026\t132.235.215.119\t80\ttcp\thttp\t0.419135\t710\t110541\tSF\tT\tF\t0\tShADadfF\t52\t2794\t90\t115233\t(empty)"
    static let broConnS0 = "1320279600.119847\tCm6Lgq2Wm2KQFazLG5\t192.168.2.76\t52033\t208.85.42.28\t443\ttcp\t-\t-\t-\t-\tS0\tT\tF\t0\tS\t1\t64\t0\t0\t(empty)"
    static let broFiles = "1320279566.452687\tFhHbPo2Z4uWPjMBCa6\t132.235.215.119\t192.168.2.76\tCwFs1P2UcUdlSxD2La\tHTTP\t0\tMD5,SHA1\ttext/html\t-\t0.006123\t-\tF\t109978\t109978\t0\t0\tF\t-\t3a2b4c5d6e7f8091a2b3c4d5e6f70819\t9f8e7d6c5b4a39281706f5e4d3c2b1a098765432\t-\t-"
    // Zeek 3+ TSV lines.
    static let zeekHTTP = "1600000000.123456\tCHhAvVGS1DHFjwGM9\t10.0.0.5\t49152\t93.184.216.34\t80\t1\tGET\texample.com\t/index.html\t-\t1.1\tcurl/7.68.0\t-\t0\t1256\t200\tOK\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\tFtWmTU3YvpSSPZ3Ske\t-\ttext/html"
    static let zeekDNS = "1600000001.000001\tC8blOJ21azairPrWf8\t10.0.0.5\t35283\t10.0.0.1\t53\tudp\t27640\t0.012085\texample.com\t1\tC_INTERNET\t28\tAAAA\t0\tNOERROR\tF\tF\tT\tT\t0\t2606:2800:220:1:248:1893:25c8:1946\t86400.000000\tF"
    static let zeekConnMAC = "1600000002.500000\tCtPZjS20MLrsMUOJi2\t10.0.0.5\t49153\t93.184.216.34\t443\ttcp\tssl\t1.503283\t517\t4380\tSF\tT\tF\t0\tShADadFf\t10\t1049\t9\t4752\t-\t00:0c:29:3e:5b:11\t00:50:56:c0:00:08"
    static let zeekConn = "1600000003.000000\tCUM0KZ3MLUfNB0cl11\t10.0.0.5\t5353\t224.0.0.251\t5353\tudp\tdns\t-\t-\t-\tS0\tT\tF\t0\tD\t1\t73\t0\t0\t-"
    static let zeekFiles = "1600000000.234567\tFtWmTU3YvpSSPZ3Ske\t93.184.216.34\t10.0.0.5\tCHhAvVGS1DHFjwGM9\tHTTP\t0\tMD5,SHA1,SHA256\ttext/html\tindex.html\t0.000000\t-\tF\t1256\t1256\t0\t0\tF\t-\t84238dfc8092e5d9c0dac8ef93371a07\t4a263a8e0ab9e4e8f6ba6dfe2bba4f3fd5e8a3b2\tea8fac7c65fb589b0d53560f5251f74f9e9b243478dcb6b3ea79b5e36449c8d9\t-\tF\t-"
    static let zeekFilesMultiHost = "1600000004.000000\tFq2yNa3v3kT5uP9dEe\t10.0.0.7,10.0.0.8\t10.0.0.5\tCa1b2c3d4e5f6g7h8i,Cb1b2c3d4e5f6g7h8i\tSMB\t0\tSHA1\tapplication/pdf\treport.pdf\t0.250000\tT\tF\t52311\t-\t0\t0\tF\t-\t-\t0d5b7e3c9a7f1c2e4b6a8d0f2c4e6a8b0d2f4a6c\t-\t-\t-\t-"

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "BRO_HTTP", broHTTP, [
            "ts": "1320279566.452687", "uid": "CwFs1P2UcUdlSxD2La", "orig_h": "192.168.2.76", "orig_p": "52026", "resp_h": "132.235.215.119",
            "resp_p": "80", "trans_depth": "1", "method": "GET", "domain": "www.reddit.com", "uri": "/", "referrer": "-",
            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_2) AppleWebKit/535.2 (KHTML, like Gecko) Chrome/15.0.874.106 Safari/535.2",
            "request_body_len": "0", "response_body_len": "109978", "status_code": "200", "status_msg": "OK", "bro_tags": "(empty)",
            "resp_fuids": "FhHbPo2Z4uWPjMBCa6", "resp_mime_types": "text/html",
        ]),
        LibraryCase(.ecs, "BRO_HTTP", broHTTP, [
            "timestamp": "1320279566.452687", "zeek.session_id": "CwFs1P2UcUdlSxD2La", "source.ip": "192.168.2.76", "source.port": "52026",
            "destination.ip": "132.235.215.119", "destination.port": "80", "zeek.http.trans_depth": "1", "http.request.method": "GET",
            "url.domain": "www.reddit.com", "url.original": "/", "http.request.referrer": nil,
            "user_agent.original": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_2) AppleWebKit/535.2 (KHTML, like Gecko) Chrome/15.0.874.106 Safari/535.2",
            "http.request.body.bytes": "0", "http.response.body.bytes": "109978", "http.response.status_code": "200",
            "zeek.http.status_msg": "OK", "zeek.http.info_code": nil, "zeek.http.tags": nil, "zeek.http.resp_fuids": "FhHbPo2Z4uWPjMBCa6",
            "http.response.mime_type": "text/html", "http.request.mime_type": nil,
        ]),
        LibraryCase(.legacy, "BRO_DNS", broDNS, [
            "ts": "1320279572.183566", "proto": "udp", "trans_id": "19376", "query": "www.google.com", "qclass": "1", "qclass_name": "C_INTERNET",
            "qtype": "1", "qtype_name": "A", "rcode": "0", "rcode_name": "NOERROR", "AA": "F", "TC": "F", "RD": "T", "RA": "T", "Z": "0",
            "answers": "74.125.225.80,74.125.225.81", "TTLs": "300.000000,300.000000", "rejected": "F",
        ]),
        LibraryCase(.ecs, "BRO_DNS", broDNS, [
            "timestamp": "1320279572.183566", "network.transport": "udp", "dns.id": "19376", "dns.question.name": "www.google.com",
            "zeek.dns.qclass": "1", "zeek.dns.qclass_name": "C_INTERNET", "zeek.dns.qtype": "1", "dns.question.type": "A",
            "zeek.dns.rcode": "0", "dns.response_code": "NOERROR", "zeek.dns.AA": "F", "zeek.dns.RD": "T", "zeek.dns.RA": "T",
            "zeek.dns.Z": "0", "zeek.dns.answers": "74.125.225.80,74.125.225.81", "zeek.dns.TTLs": "300.000000,300.000000", "zeek.dns.rejected": "F",
        ]),
        LibraryCase(.legacy, "BRO_CONN", broConn, [
            "ts": "1320279566.831654", "uid": "Ch2X6b3B1NDkCcz3Dd", "proto": "tcp", "service": "http", "duration": "0.419135",
            "orig_bytes": "710", "resp_bytes": "110541", "conn_state": "SF", "local_orig": "-", "local_resp": nil, "missed_bytes": "0",
            "history": "ShADadfF", "orig_pkts": "52", "orig_ip_bytes": "2794", "resp_pkts": "90", "resp_ip_bytes": "115233", "tunnel_parents": "(empty)",
        ]),
        LibraryCase(.legacy, "BRO_CONN", broConnLocalResp, ["local_orig": "T", "local_resp": "F", "missed_bytes": "0", "history": "ShADadfF", "tunnel_parents": "(empty)"]),
        LibraryCase(.legacy, "BRO_CONN", broConnS0, ["service": "-", "duration": nil, "orig_bytes": nil, "conn_state": "S0", "history": "S"]),
        LibraryCase(.ecs, "BRO_CONN", broConn, [
            "timestamp": "1320279566.831654", "zeek.session_id": "Ch2X6b3B1NDkCcz3Dd", "network.transport": "tcp", "network.protocol": "http",
            "zeek.connection.duration": "0.419135", "zeek.connection.orig_bytes": "710", "zeek.connection.resp_bytes": "110541",
            "zeek.connection.state": "SF", "zeek.connection.local_orig": nil, "zeek.connection.missed_bytes": "0",
            "zeek.connection.history": "ShADadfF", "source.packets": "52", "source.bytes": "2794", "destination.packets": "90",
            "destination.bytes": "115233", "zeek.connection.tunnel_parents": nil,
        ]),
        LibraryCase(.ecs, "BRO_CONN", broConnLocalResp, ["zeek.connection.local_orig": "T", "zeek.connection.local_resp": "F", "zeek.connection.history": "ShADadfF"]),
        LibraryCase(.ecs, "BRO_CONN", broConnS0, ["network.protocol": nil, "zeek.connection.duration": nil, "zeek.connection.state": "S0", "source.packets": "1"]),
        LibraryCase(.legacy, "BRO_FILES", broFiles, [
            "ts": "1320279566.452687", "fuid": "FhHbPo2Z4uWPjMBCa6", "tx_hosts": "132.235.215.119", "rx_hosts": "192.168.2.76",
            "conn_uids": "CwFs1P2UcUdlSxD2La", "source": "HTTP", "depth": "0", "analyzers": "MD5,SHA1", "mime_type": "text/html",
            "filename": "-", "duration": "0.006123", "is_orig": "F", "seen_bytes": "109978", "total_bytes": "109978",
            "md5": "3a2b4c5d6e7f8091a2b3c4d5e6f70819", "sha1": "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", "sha256": "-", "extracted": "-",
        ]),
        LibraryCase(.ecs, "BRO_FILES", broFiles, [
            "timestamp": "1320279566.452687", "zeek.files.fuid": "FhHbPo2Z4uWPjMBCa6", "server.ip": "132.235.215.119", "client.ip": "192.168.2.76",
            "zeek.files.session_ids": "CwFs1P2UcUdlSxD2La", "zeek.files.source": "HTTP", "zeek.files.depth": "0",
            "zeek.files.analyzers": "MD5,SHA1", "file.mime_type": "text/html", "file.name": nil, "zeek.files.duration": "0.006123",
            "zeek.files.is_orig": "F", "zeek.files.seen_bytes": "109978", "file.size": "109978", "zeek.files.missing_bytes": "0",
            "zeek.files.timedout": "F", "file.hash.md5": "3a2b4c5d6e7f8091a2b3c4d5e6f70819",
            "file.hash.sha1": "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", "file.hash.sha256": nil, "zeek.files.extracted": nil,
        ]),
        LibraryCase(.legacy, "BRO_BOOL", "T"),
        LibraryCase(.legacy, "BRO_DATA", "Mozilla/5.0 (X11; Linux x86_64)"),
        LibraryCase(.ecs, "BRO_DATA", "(empty)"),

        LibraryCase(.ecs, "ZEEK_HTTP", zeekHTTP, [
            "timestamp": "1600000000.123456", "zeek.session_id": "CHhAvVGS1DHFjwGM9", "source.ip": "10.0.0.5", "source.port": "49152",
            "destination.ip": "93.184.216.34", "destination.port": "80", "http.request.method": "GET", "url.domain": "example.com",
            "url.original": "/index.html", "http.version": "1.1", "user_agent.original": "curl/7.68.0", "zeek.http.origin": nil,
            "http.request.body.bytes": "0", "http.response.body.bytes": "1256", "http.response.status_code": "200",
            "zeek.http.status_msg": "OK", "zeek.http.tags": nil, "zeek.http.resp_fuids": "FtWmTU3YvpSSPZ3Ske",
            "zeek.http.resp_filenames": nil, "http.response.mime_type": "text/html",
        ]),
        LibraryCase(.ecs, "ZEEK_DNS", zeekDNS, [
            "timestamp": "1600000001.000001", "network.transport": "udp", "dns.id": "27640", "zeek.dns.rtt": "0.012085",
            "dns.question.name": "example.com", "zeek.dns.qtype": "28", "dns.question.type": "AAAA", "dns.response_code": "NOERROR",
            "zeek.dns.AA": "F", "zeek.dns.RD": "T", "zeek.dns.Z": "0", "zeek.dns.answers": "2606:2800:220:1:248:1893:25c8:1946",
            "zeek.dns.TTLs": "86400.000000", "zeek.dns.rejected": "F",
        ]),
        LibraryCase(.ecs, "ZEEK_CONN", zeekConnMAC, [
            "timestamp": "1600000002.500000", "network.transport": "tcp", "network.protocol": "ssl", "zeek.connection.duration": "1.503283",
            "zeek.connection.orig_bytes": "517", "zeek.connection.resp_bytes": "4380", "zeek.connection.state": "SF",
            "zeek.connection.local_orig": "T", "zeek.connection.local_resp": "F", "zeek.connection.history": "ShADadFf",
            "source.packets": "10", "source.bytes": "1049", "destination.packets": "9", "destination.bytes": "4752",
            "zeek.connection.tunnel_parents": nil, "source.mac": "00:0c:29:3e:5b:11", "destination.mac": "00:50:56:c0:00:08",
        ]),
        LibraryCase(.ecs, "ZEEK_CONN", zeekConn, ["network.transport": "udp", "network.protocol": "dns", "zeek.connection.duration": nil, "source.mac": nil]),
        LibraryCase(.ecs, "ZEEK_FILES", zeekFiles, [
            "timestamp": "1600000000.234567", "zeek.files.fuid": "FtWmTU3YvpSSPZ3Ske", "server.ip": "93.184.216.34", "client.ip": "10.0.0.5",
            "zeek.files.tx_hosts": nil, "zeek.files.session_ids": "CHhAvVGS1DHFjwGM9", "zeek.files.source": "HTTP",
            "file.mime_type": "text/html", "file.name": "index.html", "file.size": "1256",
            "file.hash.sha256": "ea8fac7c65fb589b0d53560f5251f74f9e9b243478dcb6b3ea79b5e36449c8d9",
            "zeek.files.extracted_cutoff": "F", "zeek.files.extracted_size": nil,
        ]),
        LibraryCase(.ecs, "ZEEK_FILES", zeekFilesMultiHost, [
            "server.ip": "10.0.0.7", "zeek.files.tx_hosts": "10.0.0.7,10.0.0.8", "client.ip": "10.0.0.5", "zeek.files.rx_hosts": nil,
            "zeek.files.session_ids": "Ca1b2c3d4e5f6g7h8i,Cb1b2c3d4e5f6g7h8i", "file.name": "report.pdf", "zeek.files.local_orig": "T",
            "file.size": nil, "zeek.files.extracted_cutoff": nil,
        ]),
        LibraryCase(.ecs, "ZEEK_FILES_TX_HOSTS", "10.0.0.7,10.0.0.8", ["server.ip": "10.0.0.7", "zeek.files.tx_hosts": "10.0.0.7,10.0.0.8"]),
        LibraryCase(.ecs, "ZEEK_FILES_TX_HOSTS", "10.0.0.7", ["server.ip": "10.0.0.7", "zeek.files.tx_hosts": nil]),
        LibraryCase(.ecs, "ZEEK_FILES_RX_HOSTS", "-", ["client.ip": nil]),
        LibraryCase(.ecs, "ZEEK_FILES_RX_HOSTS", "10.0.0.5 10.0.0.6", ["client.ip": "10.0.0.5", "zeek.files.rx_hosts": "10.0.0.5 10.0.0.6"]),
        LibraryCase(.ecs, "ZEEK_BOOL", "F"),
        LibraryCase(.ecs, "ZEEK_DATA", "text/html"),
    ]

    static let rejects: [LibraryReject] = [
        // Space-separated columns.
        LibraryReject(.legacy, "BRO_HTTP", "1320279566.452687 CwFs1P2UcUdlSxD2La 192.168.2.76 52026 132.235.215.119 80 1 GET www.reddit.com / - curl 0 109978 200 OK - - - (empty) - - - - - FhHbPo2Z4uWPjMBCa6 text/html"),
        LibraryReject(.ecs, "BRO_HTTP", zeekDNS),
        // dns.log cut short; a Zeek dns.log line has one column more (rtt) than the Bro layout.
        LibraryReject(.legacy, "BRO_DNS", "1320279572.183566\tCzyfwB1Q3r5BOzybJ7\t192.168.2.76\t57299\t192.168.2.1\t53\tudp\t19376\twww.google.com\t1\tC_INTERNET"),
        LibraryReject(.ecs, "BRO_DNS", zeekDNS),
        LibraryReject(.ecs, "ZEEK_DNS", broDNS),
        // conn.log without its last column.
        LibraryReject(.legacy, "BRO_CONN", "1320279566.831654\tCh2X6b3B1NDkCcz3Dd\t192.168.2.76\t52026\t132.235.215.119\t80\ttcp\thttp\t0.419135\t710\t110541\tSF\t-\t0\tShADadfF\t52\t2794\t90"),
        LibraryReject(.ecs, "BRO_CONN", "1320279566.831654\tCh2X6b3B1NDkCcz3Dd\t192.168.2.76\t52026\t132.235.215.119\t80\ttcp\thttp\t0.419135\t710\t110541\tSF\t-\t0\tShADadfF\t52\t2794\t90"),
        LibraryReject(.ecs, "ZEEK_CONN", broConn),
        // files.log with a bad tx host.
        LibraryReject(.legacy, "BRO_FILES", "1320279566.452687\tFhHbPo2Z4uWPjMBCa6\tnot-an-ip\t192.168.2.76\tCwFs1P2UcUdlSxD2La\tHTTP\t0\tMD5,SHA1\ttext/html\t-\t0.006123\t-\tF\t109978\t109978\t0\t0\tF\t-\t-\t-\t-\t-"),
        LibraryReject(.ecs, "BRO_FILES", "1320279566.452687\tFhHbPo2Z4uWPjMBCa6\t132.235.215.119\t192.168.2.76\tCwFs1P2UcUdlSxD2La\tHTTP\tzero\tMD5,SHA1\ttext/html\t-\t0.006123\t-\tF\t109978\t109978\t0\t0\tF\t-\t-\t-\t-\t-"),
        LibraryReject(.ecs, "ZEEK_HTTP", broHTTP),
        LibraryReject(.ecs, "ZEEK_FILES", "1600000000.234567\tFtWmTU3YvpSSPZ3Ske\t93.184.216.34\t10.0.0.5\tCHhAvVGS1DHFjwGM9\tHTTP"),
        LibraryReject(.ecs, "ZEEK_BOOL", "true"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
