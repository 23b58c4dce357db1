import Testing
@testable import Grok

/// Logstash's `junos` patterns: Juniper SRX `RT_FLOW` session logs (the message after `RT_FLOW: `).
@Suite("Logstash library: junos")
struct JunosLibraryTests {
    static let close = "RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 78(6657) 122(13305) 45 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No "
    static let closeNAT = "RT_FLOW_SESSION_CLOSE: session closed idle Timeout: 192.168.1.20/51311->93.184.216.34/443 junos-https 203.0.113.5/31022->93.184.216.34/443 source-nat-rule None 6 trust-to-untrust trust untrust 40211 12(1532) 10(6043) 61 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN"
    static let create = "RT_FLOW_SESSION_CREATE: session created 10.10.10.2/53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22 None None 6 log-host-traffic untrust junos-host 5 N/A(N/A) ge-0/0/1.0"
    static let deny = "RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0) default-deny(global) trust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny"

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "RT_FLOW_EVENT", "RT_FLOW_SESSION_DENY"),
        LibraryCase(.ecs, "RT_FLOW_EVENT", "RT_FLOW_SESSION_CREATE"),
        LibraryCase(.ecs, "RT_FLOW_TAG", "RT_FLOW_SESSION_CLOSE"),
        LibraryCase(.legacy, "RT_FLOW1", close,
                    ["event": "RT_FLOW_SESSION_CLOSE", "close-reason": "session closed TCP FIN", "src-ip": "10.10.10.2", "src-port": "53836",
                     "dst-ip": "10.10.10.1", "dst-port": "22", "service": "junos-ssh", "nat-src-ip": "10.10.10.2", "nat-src-port": "53836",
                     "nat-dst-ip": "10.10.10.1", "nat-dst-port": "22", "src-nat-rule-name": "None", "dst-nat-rule-name": "None",
                     "protocol-id": "6", "policy-name": "log-host-traffic", "from-zone": "untrust", "to-zone": "junos-host",
                     "session-id": "5", "sent": "6657", "received": "13305", "elapsed-time": "45"]),
        LibraryCase(.legacy, "RT_FLOW1", closeNAT,
                    ["close-reason": "session closed idle Timeout", "nat-src-ip": "203.0.113.5", "src-nat-rule-name": "source-nat-rule",
                     "policy-name": "trust-to-untrust", "session-id": "40211", "sent": "1532", "received": "6043", "elapsed-time": "61"]),
        LibraryCase(.ecs, "RT_FLOW1", close,
                    ["juniper.srx.tag": "RT_FLOW_SESSION_CLOSE", "juniper.srx.reason": "session closed TCP FIN", "source.ip": "10.10.10.2",
                     "source.port": "53836", "destination.ip": "10.10.10.1", "destination.port": "22", "juniper.srx.service_name": "junos-ssh",
                     "source.nat.ip": "10.10.10.2", "source.nat.port": "53836", "destination.nat.ip": "10.10.10.1", "destination.nat.port": "22",
                     "juniper.srx.src_nat_rule_name": nil, "juniper.srx.dst_nat_rule_name": nil, "network.iana_number": "6",
                     "rule.name": "log-host-traffic", "observer.ingress.zone": "untrust", "observer.egress.zone": "junos-host",
                     "juniper.srx.session_id": "5", "source.bytes": "6657", "destination.bytes": "13305", "juniper.srx.elapsed_time": "45",
                     "event": nil]),
        LibraryCase(.ecs, "RT_FLOW1", closeNAT,
                    ["juniper.srx.src_nat_rule_name": "source-nat-rule", "juniper.srx.dst_nat_rule_name": nil, "source.nat.ip": "203.0.113.5",
                     "source.nat.port": "31022"]),
        LibraryCase(.legacy, "RT_FLOW2", create,
                    ["event": "RT_FLOW_SESSION_CREATE", "src-ip": "10.10.10.2", "src-port": "53836", "dst-ip": "10.10.10.1", "dst-port": "22",
                     "service": "junos-ssh", "nat-src-ip": "10.10.10.2", "nat-dst-port": "22", "src-nat-rule-name": "None",
                     "dst-nat-rule-name": "None", "protocol-id": "6", "policy-name": "log-host-traffic", "from-zone": "untrust",
                     "to-zone": "junos-host", "session-id": "5"]),
        LibraryCase(.ecs, "RT_FLOW2", create,
                    ["juniper.srx.tag": "RT_FLOW_SESSION_CREATE", "source.ip": "10.10.10.2", "destination.port": "22",
                     "juniper.srx.service_name": "junos-ssh", "source.nat.ip": "10.10.10.2", "network.iana_number": "6",
                     "rule.name": "log-host-traffic", "observer.ingress.zone": "untrust", "observer.egress.zone": "junos-host",
                     "juniper.srx.session_id": "5"]),
        LibraryCase(.legacy, "RT_FLOW3", deny,
                    ["event": "RT_FLOW_SESSION_DENY", "src-ip": "10.0.0.1", "src-port": "54924", "dst-ip": "192.168.1.1", "dst-port": "53",
                     "service": "junos-dns-udp", "protocol-id": "17", "policy-name": "default-deny(global)", "from-zone": "trust", "to-zone": "trust"]),
        LibraryCase(.legacy, "RT_FLOW3", "RT_FLOW_SESSION_DENY: session denied 2001:db8::7/0->2001:db8::1/128 icmpv6 58(128) deny-icmp untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny",
                    ["src-ip": "2001:db8::7", "dst-port": "128", "protocol-id": "58", "policy-name": "deny-icmp"]),
        LibraryCase(.ecs, "RT_FLOW3", deny,
                    ["juniper.srx.tag": "RT_FLOW_SESSION_DENY", "source.ip": "10.0.0.1", "source.port": "54924", "destination.ip": "192.168.1.1",
                     "destination.port": "53", "juniper.srx.service_name": "junos-dns-udp", "network.iana_number": "17",
                     "rule.name": "default-deny(global)", "observer.ingress.zone": "trust", "observer.egress.zone": "trust"]),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "RT_FLOW_EVENT", "RT_FLOW_SESSION_OPEN"),
        LibraryReject(.legacy, "RT_FLOW1", create),
        LibraryReject(.ecs, "RT_FLOW1", "RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/53836->10.10.10.1/22 junos-ssh"),
        LibraryReject(.legacy, "RT_FLOW2", close),
        LibraryReject(.ecs, "RT_FLOW2", deny),
        LibraryReject(.legacy, "RT_FLOW3", create),
        LibraryReject(.ecs, "RT_FLOW3", "RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17 default-deny trust trust"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
