extension LogstashLibrary {
    /// Logstash's `junos` patterns (legacy field names): Juniper SRX `RT_FLOW` session logs
    /// (JUNOS 11.4 and later, plain-text form), for the message after `RT_FLOW: `.
    static let legacyJunos: [String: String] = [
        // The session event tag.
        "RT_FLOW_EVENT": #"RT_FLOW_SESSION_(?:CREATE|CLOSE|DENY)"#,
        // Session closed: `RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.2/53836->10.0.0.1/22 junos-ssh 10.0.0.2/53836->10.0.0.1/22 None None 6 policy untrust trust 5 78(6657) 122(13305) 45 …`.
        "RT_FLOW1": #"%{RT_FLOW_EVENT:event}: %{DATA:close-reason}: %{IP:src-ip}/%{INT:src-port}->%{IP:dst-ip}/%{INT:dst-port} %{NOTSPACE:service} %{IP:nat-src-ip}/%{INT:nat-src-port}->%{IP:nat-dst-ip}/%{INT:nat-dst-port} %{NOTSPACE:src-nat-rule-name} %{NOTSPACE:dst-nat-rule-name} %{INT:protocol-id} %{NOTSPACE:policy-name} %{NOTSPACE:from-zone} %{NOTSPACE:to-zone} %{INT:session-id} \d+\(%{INT:sent}\) \d+\(%{INT:received}\) %{INT:elapsed-time}(?: .*)?"#,
        // Session created: `RT_FLOW_SESSION_CREATE: session created 10.0.0.2/53836->10.0.0.1/22 junos-ssh 10.0.0.2/53836->10.0.0.1/22 None None 6 policy untrust trust 5 …`.
        "RT_FLOW2": #"%{RT_FLOW_EVENT:event}: session created %{IP:src-ip}/%{INT:src-port}->%{IP:dst-ip}/%{INT:dst-port} %{NOTSPACE:service} %{IP:nat-src-ip}/%{INT:nat-src-port}->%{IP:nat-dst-ip}/%{INT:nat-dst-port} %{NOTSPACE:src-nat-rule-name} %{NOTSPACE:dst-nat-rule-name} %{INT:protocol-id} %{NOTSPACE:policy-name} %{NOTSPACE:from-zone} %{NOTSPACE:to-zone} %{INT:session-id}(?: .*)?"#,
        // Session denied: `RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0) default-deny(global) trust trust …`.
        "RT_FLOW3": #"%{RT_FLOW_EVENT:event}: session denied %{IP:src-ip}/%{INT:src-port}->%{IP:dst-ip}/%{INT:dst-port} %{NOTSPACE:service} %{INT:protocol-id}\(\d+\) %{NOTSPACE:policy-name} %{NOTSPACE:from-zone} %{NOTSPACE:to-zone}(?: .*)?"#,
    ]
}
