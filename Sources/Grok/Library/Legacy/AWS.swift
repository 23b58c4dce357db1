extension LogstashLibrary {
    /// Logstash's `aws` patterns (legacy field names): S3 server access logs, Classic Load
    /// Balancer access logs and CloudFront standard (web distribution) logs.
    static let legacyAWS: [String: String] = [
        // The quoted request of an S3 access log: `GET /bucket/key?x=1 HTTP/1.1`, or anything else.
        "S3_REQUEST_LINE": #"(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})"#,
        // S3 server access log, up to the version ID; later fields (host ID, signature version,
        // cipher, …) are accepted but not captured.
        "S3_ACCESS_LOG": #"%{WORD:owner} %{NOTSPACE:bucket} \[%{HTTPDATE:timestamp}\] (?:-|%{IP:clientip}) %{NOTSPACE:requester} %{NOTSPACE:request_id} %{NOTSPACE:operation} %{NOTSPACE:key} (?:-|"-"|"%{S3_REQUEST_LINE}") (?:-|%{INT:response:int}) (?:-|%{NOTSPACE:error_code}) (?:-|%{INT:bytes:int}) (?:-|%{INT:object_size:int}) (?:-|%{INT:request_time_ms:int}) (?:-|%{INT:turnaround_time_ms:int}) (?:-|%{QS:referrer}) (?:-|"?%{QS:agent}"?) (?:-|%{NOTSPACE:version_id})(?: %{GREEDYDATA})?"#,
        // The path and query of an ELB request URL.
        "ELB_URIPATHPARAM": #"%{URIPATH:path}(?:%{URIPARAM:params})?"#,
        // An ELB request URL: scheme://[user@]host[:port][/path[?query]].
        "ELB_URI": #"%{URIPROTO:proto}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST:urihost})?(?:%{ELB_URIPATHPARAM})?"#,
        // The quoted request of an ELB access log: `GET http://host:80/path HTTP/1.1`.
        "ELB_REQUEST_LINE": #"(?:%{WORD:verb} %{ELB_URI:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})"#,
        // Classic Load Balancer access log (HTTP listener); the trailing user agent and TLS
        // fields of newer lines are accepted but not captured.
        "ELB_ACCESS_LOG": #"%{TIMESTAMP_ISO8601:timestamp} %{NOTSPACE:elb} %{IP:clientip}:%{INT:clientport:int} (?:-|%{IP:backendip}:%{INT:backendport:int}) %{NUMBER:request_processing_time:float} %{NUMBER:backend_processing_time:float} %{NUMBER:response_processing_time:float} %{INT:response:int} (?:-|%{INT:backend_response:int}) %{INT:received_bytes:int} %{INT:bytes:int} "%{ELB_REQUEST_LINE}"(?: %{GREEDYDATA})?"#,
        // CloudFront standard log (tab-separated, W3C fields date … x-edge-response-result-type);
        // the last field takes the rest of the line, as in Logstash.
        "CLOUDFRONT_ACCESS_LOG": #"(?=%{YEAR}-%{MONTHNUM}-%{MONTHDAY}\t%{TIME}\t)%{DATA:timestamp}(?<=\t[0-9]{2}:[0-9]{2}:[0-9]{2})\t%{NOTSPACE:x_edge_location}\t(?:-|%{NUMBER:sc_bytes:int})\t%{IPORHOST:clientip}\t%{WORD:cs_method}\t%{HOSTNAME:cs_host}\t%{NOTSPACE:cs_uri_stem}\t%{NUMBER:sc_status:int}\t%{NOTSPACE:referrer}\t%{NOTSPACE:agent}\t%{NOTSPACE:cs_uri_query}\t%{NOTSPACE:cookies}\t%{WORD:x_edge_result_type}\t%{NOTSPACE:x_edge_request_id}\t%{HOSTNAME:x_host_header}\t%{URIPROTO:cs_protocol}\t%{INT:cs_bytes:int}\t%{NUMBER:time_taken:float}\t%{NOTSPACE:x_forwarded_for}\t%{NOTSPACE:ssl_protocol}\t%{NOTSPACE:ssl_cipher}\t%{GREEDYDATA:x_edge_response_result_type}"#,
    ]
}
