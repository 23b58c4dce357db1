extension LogstashLibrary {
    /// Logstash's `junos` patterns, ECS set: captures under `juniper.srx`, `source`,
    /// `destination`, `observer`, `rule`, `network`. `RT_FLOW_EVENT` (the same tags) stays as
    /// the deprecated name of `RT_FLOW_TAG`.
    static let ecsJunos: [String: String] = [
        "RT_FLOW_TAG": #"RT_FLOW_SESSION_(?:CREATE|CLOSE|DENY)"#,
        // Session closed, with the NAT'd addresses, bytes each way and elapsed seconds.
        "RT_FLOW1": #"%{RT_FLOW_TAG:[juniper][srx][tag]}: %{DATA:[juniper][srx][reason]}: %{IP:[source][ip]}/%{INT:[source][port]:int}->%{IP:[destination][ip]}/%{INT:[destination][port]:int} %{NOTSPACE:[juniper][srx][service_name]} %{IP:[source][nat][ip]}/%{INT:[source][nat][port]:int}->%{IP:[destination][nat][ip]}/%{INT:[destination][nat][port]:int} (?:None|%{NOTSPACE:[juniper][srx][src_nat_rule_name]}) (?:None|%{NOTSPACE:[juniper][srx][dst_nat_rule_name]}) %{INT:[network][iana_number]} %{NOTSPACE:[rule][name]} %{NOTSPACE:[observer][ingress][zone]} %{NOTSPACE:[observer][egress][zone]} %{INT:[juniper][srx][session_id]} \d+\(%{INT:[source][bytes]:int}\) \d+\(%{INT:[destination][bytes]:int}\) %{INT:[juniper][srx][elapsed_time]:int}(?: .*)?"#,
        // Session created.
        "RT_FLOW2": #"%{RT_FLOW_TAG:[juniper][srx][tag]}: session created %{IP:[source][ip]}/%{INT:[source][port]:int}->%{IP:[destination][ip]}/%{INT:[destination][port]:int} %{NOTSPACE:[juniper][srx][service_name]} %{IP:[source][nat][ip]}/%{INT:[source][nat][port]:int}->%{IP:[destination][nat][ip]}/%{INT:[destination][nat][port]:int} (?:None|%{NOTSPACE:[juniper][srx][src_nat_rule_name]}) (?:None|%{NOTSPACE:[juniper][srx][dst_nat_rule_name]}) %{INT:[network][iana_number]} %{NOTSPACE:[rule][name]} %{NOTSPACE:[observer][ingress][zone]} %{NOTSPACE:[observer][egress][zone]} %{INT:[juniper][srx][session_id]}(?: .*)?"#,
        // Session denied.
        "RT_FLOW3": #"%{RT_FLOW_TAG:[juniper][srx][tag]}: session denied %{IP:[source][ip]}/%{INT:[source][port]:int}->%{IP:[destination][ip]}/%{INT:[destination][port]:int} %{NOTSPACE:[juniper][srx][service_name]} %{INT:[network][iana_number]}\(\d+\) %{NOTSPACE:[rule][name]} %{NOTSPACE:[observer][ingress][zone]} %{NOTSPACE:[observer][egress][zone]}(?: .*)?"#,
    ]
}
