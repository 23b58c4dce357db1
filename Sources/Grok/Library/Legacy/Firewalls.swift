extension LogstashLibrary {
    /// Logstash's `firewalls` patterns (legacy field names): Juniper NetScreen session logs,
    /// Cisco ASA/PIX syslog messages (one pattern per message ID or family of IDs, for the text
    /// after `%ASA-n-NNNNNN: `), Shorewall and SuSE Firewall 2 netfilter log lines.
    static let legacyFirewalls: [String: String] = [
        // NetScreen ScreenOS traffic log: `Jun  2 14:53:31 host dev: NetScreen device_id=… [Root]system-notification-00257(traffic): start_time="…" … reason=Close`.
        "NETSCREENSESSIONLOG": #"%{SYSLOGTIMESTAMP:date} %{IPORHOST:device} %{IPORHOST}: NetScreen device_id=%{WORD:device_id}[^:]*: start_time=%{QUOTEDSTRING:start_time} duration=%{INT:duration} policy_id=%{INT:policy_id} service=%{DATA:service} proto=%{INT:proto} src zone=%{WORD:src_zone} dst zone=%{WORD:dst_zone} action=%{WORD:action} sent=%{INT:sent} rcvd=%{INT:rcvd} src=%{IPORHOST:src_ip} dst=%{IPORHOST:dst_ip} src_port=%{INT:src_port} dst_port=%{INT:dst_port} src-xlated ip=%{IPORHOST:src_xlated_ip} port=%{INT:src_xlated_port} dst-xlated ip=%{IPORHOST:dst_xlated_ip} port=%{INT:dst_xlated_port} session_id=%{INT:session_id} reason=%{GREEDYDATA:reason}"#,

        // ---- Cisco ASA / PIX ----
        // The syslog header up to the message tag: `<166>Jun 12 2013 10:00:00 fw01 : %ASA-6-302013:`.
        "CISCO_TAGGED_SYSLOG": #"^<%{POSINT:syslog_pri}>%{CISCOTIMESTAMP:timestamp}(?: %{SYSLOGHOST:sysloghost})? ?: %%{CISCOTAG:ciscotag}:"#,
        // `Jun 12 10:00:00`, `Jun 12 2013 10:00:00`.
        "CISCOTIMESTAMP": #"%{MONTH} +%{MONTHDAY}(?: %{YEAR})? %{TIME}"#,
        // Facility, severity (0-7) and message ID: `ASA-6-302013`, `PIX-4-106023`, `FWSM-3-710003`.
        "CISCOTAG": #"[A-Z0-9]+-[0-7]-[A-Z0-9_]+"#,
        // The words the ASA messages use for what happened to a packet or connection.
        "CISCO_ACTION": #"Built|Teardown|Deny|Denied|denied by ACL|denied|requested|permitted|discarded|est-allowed|Dropping|created|deleted"#,
        // A reason: the known phrases, or any run of words (`TCP FINs`, `TCP Reset-I`, `SYN Timeout`).
        "CISCO_REASON": #"Duplicate TCP SYN|Failed to locate egress interface|Invalid transport field|No matching connection|DNS Response|DNS Query|(?:\w[\w-]*(?:\s+\w[\w-]*)*)?"#,
        "CISCO_DIRECTION": #"[Ii]nbound|[Oo]utbound"#,
        // The ACL hit counter's period: `first hit`, `300-second interval`.
        "CISCO_INTERVAL": #"first hit|%{INT}-second interval"#,
        "CISCO_XLATE_TYPE": #"static|dynamic"#,
        // 104001: `(Primary) Switching to ACTIVE - reason`.
        "CISCOFW104001": #"\((?:Primary|Secondary)\) Switching to ACTIVE - %{GREEDYDATA:switch_reason}"#,
        // 104002: `(Secondary) Switching to STANDBY - reason`.
        "CISCOFW104002": #"\((?:Primary|Secondary)\) Switching to STANDBY - %{GREEDYDATA:switch_reason}"#,
        // 104003: `(Primary) Switching to FAILED.`
        "CISCOFW104003": #"\((?:Primary|Secondary)\) Switching to FAILED\."#,
        // 104004: `(Primary) Switching to OK.`
        "CISCOFW104004": #"\((?:Primary|Secondary)\) Switching to OK\."#,
        // 105003: `(Primary) Monitoring on interface inside waiting`.
        "CISCOFW105003": #"\((?:Primary|Secondary)\) Monitoring on [Ii]nterface %{NOTSPACE:interface_name} waiting"#,
        // 105004: `(Primary) Monitoring on interface inside normal`.
        "CISCOFW105004": #"\((?:Primary|Secondary)\) Monitoring on [Ii]nterface %{NOTSPACE:interface_name} normal"#,
        // 105005: `(Primary) Lost Failover communications with mate on interface inside`.
        "CISCOFW105005": #"\((?:Primary|Secondary)\) Lost Failover communications with mate on [Ii]nterface %{GREEDYDATA:interface_name}"#,
        // 105008: `(Primary) Testing interface inside`.
        "CISCOFW105008": #"\((?:Primary|Secondary)\) Testing [Ii]nterface %{GREEDYDATA:interface_name}"#,
        // 105009: `(Primary) Testing on interface inside Passed`.
        "CISCOFW105009": #"\((?:Primary|Secondary)\) Testing on [Ii]nterface %{NOTSPACE:interface_name} (?:Passed|Failed)\.?"#,
        // 106001: `Inbound TCP connection denied from 10.1.1.1/1234 to 10.2.2.2/80 flags SYN on interface outside`.
        "CISCOFW106001": #"%{CISCO_DIRECTION:direction} %{WORD:protocol} connection %{CISCO_ACTION:action} from %{IP:src_ip}/%{INT:src_port} to %{IP:dst_ip}/%{INT:dst_port} flags %{DATA:tcp_flags} on interface %{GREEDYDATA:interface}"#,
        // 106006/106007/106010: `Deny inbound UDP from 10.1.1.1/53 to 10.2.2.2/1025 on interface outside`, `… due to DNS Query`.
        "CISCOFW106006_106007_106010": #"%{CISCO_ACTION:action} %{CISCO_DIRECTION:direction} %{WORD:protocol} (?:from|src) %{IP:src_ip}/%{INT:src_port}(?:\(%{DATA:src_fwuser}\))? (?:to|dst) %{IP:dst_ip}/%{INT:dst_port}(?:\(%{DATA:dst_fwuser}\))? (?:on interface %{GREEDYDATA:interface}|due to %{CISCO_REASON:reason})"#,
        // 106014: `Deny inbound icmp src outside:10.1.1.1 dst inside:10.2.2.2 (type 8, code 0)`.
        "CISCOFW106014": #"%{CISCO_ACTION:action} %{CISCO_DIRECTION:direction} %{WORD:protocol} src %{DATA:src_interface}:%{IP:src_ip}(?:\(%{DATA:src_fwuser}\))? dst %{DATA:dst_interface}:%{IP:dst_ip}(?:\(%{DATA:dst_fwuser}\))? ?\(type %{INT:icmp_type}, code %{INT:icmp_code}\)"#,
        // 106015: `Deny TCP (no connection) from 10.1.1.1/2278 to 10.2.2.2/80 flags RST on interface inside`.
        "CISCOFW106015": #"%{CISCO_ACTION:action} %{WORD:protocol} \(%{DATA:policy_id}\) from %{IP:src_ip}/%{INT:src_port} to %{IP:dst_ip}/%{INT:dst_port} flags %{DATA:tcp_flags} on interface %{GREEDYDATA:interface}"#,
        // 106021: `Deny TCP reverse path check from 10.1.1.1 to 10.2.2.2 on interface outside`.
        "CISCOFW106021": #"%{CISCO_ACTION:action} %{WORD:protocol} reverse path check from %{IP:src_ip} to %{IP:dst_ip} on interface %{GREEDYDATA:interface}"#,
        // 106023: `Deny tcp src outside:10.1.1.1/50240 dst inside:10.2.2.2/23 by access-group "ACL" [0x54c7fa80, 0x0]`.
        "CISCOFW106023": #"%{CISCO_ACTION:action}(?: protocol)? %{WORD:protocol} src %{DATA:src_interface}:%{IPORHOST:src_ip}(?:/%{INT:src_port})?(?:\(%{DATA:src_fwuser}\))? dst %{DATA:dst_interface}:%{IPORHOST:dst_ip}(?:/%{INT:dst_port})?(?:\(%{DATA:dst_fwuser}\))?(?: \(type %{INT:icmp_type}, code %{INT:icmp_code}\))? by access-group "?%{DATA:policy_id}"? \[%{DATA:hashcode1}, %{DATA:hashcode2}\]"#,
        // 106100/106102/106103 with a user: `access-list ACL denied tcp for user 'bob' inside/10.1.1.1(1234) -> outside/10.2.2.2(80) hit-cnt 1 first hit [0x…, 0x0]`.
        "CISCOFW106100_2_3": #"access-list %{NOTSPACE:policy_id} %{CISCO_ACTION:action} %{WORD:protocol} for user '%{DATA:src_fwuser}' %{DATA:src_interface}/%{IP:src_ip}\(%{INT:src_port}\) -> %{DATA:dst_interface}/%{IP:dst_ip}\(%{INT:dst_port}\) hit-cnt %{INT:hit_count} %{CISCO_INTERVAL:interval} \[%{DATA:hashcode1}, %{DATA:hashcode2}\]"#,
        // 106100: `access-list inside permitted tcp inside/10.1.1.1(51763) -> outside/10.2.2.2(80) hit-cnt 1 first hit [0x62c4905, 0x0]`.
        "CISCOFW106100": #"access-list %{NOTSPACE:policy_id} %{CISCO_ACTION:action} %{WORD:protocol} %{DATA:src_interface}/%{IP:src_ip}\(%{INT:src_port}\)(?:\(%{DATA:src_fwuser}\))? -> %{DATA:dst_interface}/%{IP:dst_ip}\(%{INT:dst_port}\)(?:\(%{DATA:src_fwuser}\))? hit-cnt %{INT:hit_count} %{CISCO_INTERVAL:interval} \[%{DATA:hashcode1}, %{DATA:hashcode2}\]"#,
        // 304001: `10.1.1.1(DOMAIN\user) Accessed URL 10.2.2.2:http://example.org/`.
        "CISCOFW304001": #"%{IP:src_ip}(?:\(%{DATA:src_fwuser}\))? Accessed URL %{IP:dst_ip}:%{GREEDYDATA:dst_url}"#,
        // 110002: `Failed to locate egress interface for TCP from inside:10.1.1.1/5542 to 10.2.2.2/443`.
        "CISCOFW110002": #"%{CISCO_REASON:reason} for %{WORD:protocol} from %{DATA:src_interface}:%{IP:src_ip}/%{INT:src_port} to %{IP:dst_ip}/%{INT:dst_port}"#,
        // 302010: `12 in use, 305 most used`.
        "CISCOFW302010": #"%{INT:connection_count} in use, %{INT:connection_count_max} most used"#,
        // 302013-302016: `Built inbound TCP connection 8395547 for outside:10.1.1.1/54321 (10.1.1.1/54321) to inside:…`, `Teardown UDP connection … duration 0:02:01 bytes 54`.
        "CISCOFW302013_302014_302015_302016": #"%{CISCO_ACTION:action}(?: %{CISCO_DIRECTION:direction})? %{WORD:protocol} connection %{INT:connection_id} for %{DATA:src_interface}:%{IP:src_ip}/%{INT:src_port}(?: \(%{IP:src_mapped_ip}/%{INT:src_mapped_port}\))?(?:\(%{DATA:src_fwuser}\))? to %{DATA:dst_interface}:%{IP:dst_ip}/%{INT:dst_port}(?: \(%{IP:dst_mapped_ip}/%{INT:dst_mapped_port}\))?(?:\(%{DATA:dst_fwuser}\))?(?: duration %{TIME:duration} bytes %{INT:bytes})?(?: %{CISCO_REASON:reason})?(?: \(%{DATA:user}\))?"#,
        // 302020/302021: `Built inbound ICMP connection for faddr 10.1.1.1/0 gaddr 10.2.2.2/0 laddr 10.2.2.2/0`.
        "CISCOFW302020_302021": #"%{CISCO_ACTION:action}(?: %{CISCO_DIRECTION:direction})? %{WORD:protocol} connection for faddr %{IP:dst_ip}/%{INT:icmp_seq_num}(?:\(%{DATA:fwuser}\))? gaddr %{IP:src_xlated_ip}/%{INT:icmp_code_xlated} laddr %{IP:src_ip}/%{INT:icmp_code}(?: \(%{DATA:user}\))?(?: type %{INT} code %{INT})?"#,
        // 305011: `Built dynamic TCP translation from inside:10.1.1.1/51234 to outside:203.0.113.5/51234`.
        "CISCOFW305011": #"%{CISCO_ACTION:action} %{CISCO_XLATE_TYPE:xlate_type} %{WORD:protocol} translation from %{DATA:src_interface}:%{IP:src_ip}(?:/%{INT:src_port})?(?:\(%{DATA:src_fwuser}\))? to %{DATA:src_xlated_interface}:%{IP:src_xlated_ip}/%{INT:src_xlated_port}"#,
        // 313001/313004/313008: `Denied ICMP type=8, code=0 from 10.1.1.1 on interface outside`.
        "CISCOFW313001_313004_313008": #"%{CISCO_ACTION:action} %{WORD:protocol} type=%{INT:icmp_type}, code=%{INT:icmp_code} from %{IP:src_ip} on interface %{NOTSPACE:interface}(?: to %{IP:dst_ip})?"#,
        // 313005: `No matching connection for ICMP error message: icmp src outside:… dst inside:… (type 3, code 3) on outside interface.  Original IP payload: udp src …/53 dst …/1025`.
        "CISCOFW313005": #"%{CISCO_REASON:reason} for %{WORD:protocol} error message: %{WORD:err_protocol} src %{DATA:err_src_interface}:%{IP:err_src_ip}(?:\(%{DATA:err_src_fwuser}\))? dst %{DATA:err_dst_interface}:%{IP:err_dst_ip}(?:\(%{DATA:err_dst_fwuser}\))? \(type %{INT:err_icmp_type}, code %{INT:err_icmp_code}\) on %{NOTSPACE:interface} interface\.\s+Original IP payload: %{WORD:protocol} src %{IP:orig_src_ip}/%{INT:orig_src_port}(?:\(%{DATA:orig_src_fwuser}\))? dst %{IP:orig_dst_ip}/%{INT:orig_dst_port}(?:\(%{DATA:orig_dst_fwuser}\))?"#,
        // 321001: `Resource 'conns' limit of 10000 reached for system`.
        "CISCOFW321001": #"Resource '%{WORD:resource_name}' limit of %{POSINT:resource_limit} reached for system"#,
        // 402117: `IPSEC: Received a non-IPSec packet (protocol= UDP) from 10.1.1.1 to 10.2.2.2`.
        "CISCOFW402117": #"%{WORD:protocol}: Received a non-IPSec packet \(protocol=\s?%{WORD:orig_protocol}\) from %{IP:src_ip} to %{IP:dst_ip}\.?"#,
        // 402119: `IPSEC: Received an ESP packet (SPI= 0x1234, sequence number= 0x1A) from 10.1.1.1 (user= peer) to 10.2.2.2 that failed anti-replay checking`.
        "CISCOFW402119": #"%{WORD:protocol}: Received an %{WORD:orig_protocol} packet \(SPI=\s?%{DATA:spi}, sequence number=\s?%{DATA:seq_num}\) from %{IP:src_ip} \(user=\s?%{DATA:user}\) to %{IP:dst_ip} that failed anti-replay checking\.?"#,
        // 419001: `Dropping TCP packet from outside:10.1.1.1/1234 to inside:10.2.2.2/80, reason: MSS exceeded, MSS 1380, data 1460`.
        "CISCOFW419001": #"%{CISCO_ACTION:action} %{WORD:protocol} packet from %{DATA:src_interface}:%{IP:src_ip}/%{INT:src_port} to %{DATA:dst_interface}:%{IP:dst_ip}/%{INT:dst_port}, reason: %{GREEDYDATA:reason}"#,
        // 419002: `Duplicate TCP SYN from outside:10.1.1.1/1234 to inside:10.2.2.2/80 with different initial sequence number`.
        "CISCOFW419002": #"%{CISCO_REASON:reason} from %{DATA:src_interface}:%{IP:src_ip}/%{INT:src_port} to %{DATA:dst_interface}:%{IP:dst_ip}/%{INT:dst_port} with different initial sequence number"#,
        // 500004: `Invalid transport field for protocol=UDP, from 10.1.1.1/0 to 10.2.2.2/0`.
        "CISCOFW500004": #"%{CISCO_REASON:reason} for protocol=%{WORD:protocol}, from %{IP:src_ip}/%{INT:src_port} to %{IP:dst_ip}/%{INT:dst_port}"#,
        // 602303/602304: `IPSEC: An outbound LAN-to-LAN SA (SPI= 0x1234ABCD) between 10.1.1.1 and 10.2.2.2 (user= 10.2.2.2) has been created.`
        "CISCOFW602303_602304": #"%{WORD:protocol}: An %{CISCO_DIRECTION:direction} %{DATA:tunnel_type} SA \(SPI=\s?%{DATA:spi}\) between %{IP:src_ip} and %{IP:dst_ip} \(user=\s?%{DATA:user}\) has been %{CISCO_ACTION:action}\.?"#,
        // 710001-710006: `TCP access requested from 10.1.1.1/51234 to outside:10.2.2.2/443`, `TCP access denied by ACL from …`.
        "CISCOFW710001_710002_710003_710005_710006": #"%{WORD:protocol} (?:request|access) %{CISCO_ACTION:action} from %{IP:src_ip}/%{INT:src_port} to %{DATA:dst_interface}:%{IP:dst_ip}/%{INT:dst_port}"#,
        // 713172: `Group = peer, IP = 10.1.1.1, Automatic NAT Detection Status:     Remote end is NOT behind a NAT device     This   end IS behind a NAT device`.
        "CISCOFW713172": #"Group = %{DATA:group}, IP = %{IP:src_ip}, Automatic NAT Detection Status:\s+Remote end\s*%{DATA:is_remote_natted}\s*behind a NAT device\s+This\s+end\s*%{DATA:is_local_natted}\s*behind a NAT device"#,
        // 733100: `[ Scanning] drop rate-1 exceeded. Current burst rate is 10 per second, max configured rate is 10; Current average rate is 5 per second, …; Cumulative total count is 3010`.
        "CISCOFW733100": #"\[\s*%{DATA:drop_type}\s*\] drop %{DATA:drop_rate_id} exceeded\. Current burst rate is %{INT:drop_rate_current_burst} per second, max configured rate is %{INT:drop_rate_max_burst}; Current average rate is %{INT:drop_rate_current_avg} per second, max configured rate is %{INT:drop_rate_max_avg}; Cumulative total count is %{INT:drop_total_count}"#,

        // ---- netfilter ----
        // Shorewall: `May 28 17:23:25 host kernel: [3124658.79] Shorewall:FORWARD:REJECT:IN=eth2 OUT=eth2 SRC=… DST=… LEN=141 TOS=0x00 PREC=0x00 TTL=63 ID=55251 PROTO=UDP SPT=5353 DPT=5353 …`.
        "SHOREWALL": #"%{SYSLOGTIMESTAMP:timestamp} %{WORD:nf_host} .*?Shorewall:%{WORD:nf_action1}?:%{WORD:nf_action2}?:.*?IN=%{USERNAME:nf_in_interface}? OUT=(?:%{USERNAME:nf_out_interface}(?= ))?(?: MAC=(?:%{COMMONMAC:nf_dst_mac}:%{COMMONMAC:nf_src_mac}(?::[A-Fa-f0-9]{2})*)?)?.*? SRC=%{IPV4:nf_src_ip} DST=%{IPV4:nf_dst_ip} LEN=%{WORD:nf_len} TOS=%{WORD:nf_tos} PREC=%{WORD:nf_prec} TTL=%{INT:nf_ttl} ID=%{INT:nf_id}.*? PROTO=%{WORD:nf_protocol}(?: .*?SPT=%{INT:nf_src_port} DPT=%{INT:nf_dst_port})?.*"#,
        // SuSE Firewall 2: `Jan 29 00:00:28 myth kernel: SFW2-INext-DROP-DEFLT IN=ppp0 OUT= MAC= SRC=… DST=… LEN=512 … PROTO=UDP SPT=24128 DPT=1026 LEN=492`.
        "SFW2": #"(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp})\s+%{HOSTNAME}\s+kernel\S*\s+(?:%{NAGIOSTIME}\s*)?SFW2-INext-%{NOTSPACE:nf_action}\s+IN=%{USERNAME:nf_in_interface}?\s+OUT=%{USERNAME:nf_out_interface}?\s+(?:MAC=(?:%{COMMONMAC:nf_dst_mac}:%{COMMONMAC:nf_src_mac}(?::[A-Fa-f0-9]{2})*)?\s+)?.*?SRC=%{IP:nf_src_ip}\s+DST=%{IP:nf_dst_ip}\s.*?PROTO=%{WORD:nf_protocol}(?:\s.*?SPT=%{INT:nf_src_port}\s+DPT=%{INT:nf_dst_port})?.*"#,
    ]
}
