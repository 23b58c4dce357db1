extension LogstashLibrary {
    /// Logstash's `bro` patterns (legacy field names): Bro 2.x TSV logs (http, dns, conn, files),
    /// one pattern per log with a group per tab-separated column. Logstash takes each text column
    /// with GREEDYDATA; here a column never spans a tab, which matches the same lines (a column
    /// holding only `-` included) without backtracking across columns.
    static let legacyBro: [String: String] = [
        // A Bro boolean column. BRO_BOOL and BRO_DATA are ECS-only in Logstash; here both sets have them.
        "BRO_BOOL": #"[TF]"#,
        // One column's text: anything but a tab.
        "BRO_DATA": #"[^\t]+"#,
        // http.log (Bro 2.x: 27 columns, ts … resp_mime_types).
        "BRO_HTTP": #"%{NUMBER:ts}\t%{NOTSPACE:uid}\t%{IP:orig_h}\t%{INT:orig_p}\t%{IP:resp_h}\t%{INT:resp_p}\t%{INT:trans_depth}\t(?:%{BRO_DATA:method})?\t(?:%{BRO_DATA:domain})?\t(?:%{BRO_DATA:uri})?\t(?:%{BRO_DATA:referrer})?\t(?:%{BRO_DATA:user_agent})?\t(?:-|%{NUMBER:request_body_len})\t(?:-|%{NUMBER:response_body_len})\t(?:%{BRO_DATA:status_code})?\t(?:%{BRO_DATA:status_msg})?\t(?:%{BRO_DATA:info_code})?\t(?:%{BRO_DATA:info_msg})?\t(?:%{BRO_DATA:filename})?\t(?:%{BRO_DATA:bro_tags})?\t(?:%{BRO_DATA:username})?\t(?:%{BRO_DATA:password})?\t(?:%{BRO_DATA:proxied})?\t(?:%{BRO_DATA:orig_fuids})?\t(?:%{BRO_DATA:orig_mime_types})?\t(?:%{BRO_DATA:resp_fuids})?\t%{GREEDYDATA:resp_mime_types}"#,
        // dns.log (ts … rejected).
        "BRO_DNS": #"%{NUMBER:ts}\t%{NOTSPACE:uid}\t%{IP:orig_h}\t%{INT:orig_p}\t%{IP:resp_h}\t%{INT:resp_p}\t%{WORD:proto}\t%{INT:trans_id}\t(?:%{BRO_DATA:query})?\t(?:%{BRO_DATA:qclass})?\t(?:%{BRO_DATA:qclass_name})?\t(?:%{BRO_DATA:qtype})?\t(?:%{BRO_DATA:qtype_name})?\t(?:%{BRO_DATA:rcode})?\t(?:%{BRO_DATA:rcode_name})?\t(?:%{BRO_DATA:AA})?\t(?:%{BRO_DATA:TC})?\t(?:%{BRO_DATA:RD})?\t(?:%{BRO_DATA:RA})?\t(?:%{BRO_DATA:Z})?\t(?:%{BRO_DATA:answers})?\t(?:%{BRO_DATA:TTLs})?\t%{GREEDYDATA:rejected}"#,
        // conn.log (ts … tunnel_parents), with or without local_resp; a `-` duration or byte count is accepted.
        "BRO_CONN": #"%{NUMBER:ts}\t%{NOTSPACE:uid}\t%{IP:orig_h}\t%{INT:orig_p}\t%{IP:resp_h}\t%{INT:resp_p}\t%{WORD:proto}\t(?:%{BRO_DATA:service})?\t(?:-|%{NUMBER:duration})\t(?:-|%{NUMBER:orig_bytes})\t(?:-|%{NUMBER:resp_bytes})\t(?:%{BRO_DATA:conn_state})?\t(?:%{BRO_DATA:local_orig})?\t(?:(?:%{BRO_DATA:local_resp})?\t)?(?:%{BRO_DATA:missed_bytes})?\t(?:%{BRO_DATA:history})?\t(?:%{BRO_DATA:orig_pkts})?\t(?:%{BRO_DATA:orig_ip_bytes})?\t(?:%{BRO_DATA:resp_pkts})?\t(?:%{BRO_DATA:resp_ip_bytes})?\t%{GREEDYDATA:tunnel_parents}"#,
        // files.log (ts, fuid, one tx host, one rx host, conn uids … extracted).
        "BRO_FILES": #"%{NUMBER:ts}\t%{NOTSPACE:fuid}\t%{IP:tx_hosts}\t%{IP:rx_hosts}\t%{NOTSPACE:conn_uids}\t(?:%{BRO_DATA:source})?\t(?:%{BRO_DATA:depth})?\t(?:%{BRO_DATA:analyzers})?\t(?:%{BRO_DATA:mime_type})?\t(?:%{BRO_DATA:filename})?\t(?:%{BRO_DATA:duration})?\t(?:%{BRO_DATA:local_orig})?\t(?:%{BRO_DATA:is_orig})?\t(?:%{BRO_DATA:seen_bytes})?\t(?:%{BRO_DATA:total_bytes})?\t(?:%{BRO_DATA:missing_bytes})?\t(?:%{BRO_DATA:overflow_bytes})?\t(?:%{BRO_DATA:timedout})?\t(?:%{BRO_DATA:parent_fuid})?\t(?:%{BRO_DATA:md5})?\t(?:%{BRO_DATA:sha1})?\t(?:%{BRO_DATA:sha256})?\t%{GREEDYDATA:extracted}"#,
    ]
}
