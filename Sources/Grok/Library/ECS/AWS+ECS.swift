extension LogstashLibrary {
    /// Logstash's `aws` patterns, ECS field names (`[aws][s3access]`, `[aws][elb]`,
    /// `[aws][cloudfront]`, `[http]`, `[url]`, …).
    static let ecsAWS: [String: String] = [
        // The quoted request of an S3 access log: `GET /bucket/key?x=1 HTTP/1.1`.
        "S3_REQUEST_LINE": #"(?:%{WORD:[http][request][method]} %{NOTSPACE:[url][original]}(?: HTTP/%{NUMBER:[http][version]})?)"#,
        // S3 server access log, with the optional host ID … TLS version fields; fields added
        // after those (access point ARN, ACL required) are accepted but not captured.
        "S3_ACCESS_LOG": #"%{WORD:[aws][s3access][bucket_owner]} %{NOTSPACE:[aws][s3access][bucket]} \[%{HTTPDATE:timestamp}\] (?:-|%{IP:[client][ip]}) (?:-|%{NOTSPACE:[client][user][id]}) %{NOTSPACE:[aws][s3access][request_id]} %{NOTSPACE:[aws][s3access][operation]} (?:-|%{NOTSPACE:[aws][s3access][key]}) (?:-|"%{S3_REQUEST_LINE:[aws][s3access][request_uri]}") (?:-|%{INT:[http][response][status_code]:int}) (?:-|%{NOTSPACE:[aws][s3access][error_code]}) (?:-|%{INT:[aws][s3access][bytes_sent]:int}) (?:-|%{INT:[aws][s3access][object_size]:int}) (?:-|%{INT:[aws][s3access][total_time]:int}) (?:-|%{INT:[aws][s3access][turn_around_time]:int}) "(?:-|%{DATA:[http][request][referrer]})" "(?:-|%{DATA:[user_agent][original]})" (?:-|%{NOTSPACE:[aws][s3access][version_id]})(?: (?:-|%{NOTSPACE:[aws][s3access][host_id]}) (?:-|%{NOTSPACE:[aws][s3access][signature_version]}) (?:-|%{NOTSPACE:[tls][cipher]}) (?:-|%{NOTSPACE:[aws][s3access][authentication_type]}) (?:-|%{NOTSPACE:[aws][s3access][host_header]}) (?:-|%{NOTSPACE:[aws][s3access][tls_version]}))?(?: %{GREEDYDATA})?"#,
        // Host and optional port of an ELB request URL.
        "ELB_URIHOST": #"%{IPORHOST:[url][domain]}(?::%{POSINT:[url][port]:int})?"#,
        // Path and optional query of an ELB request URL.
        "ELB_URIPATHQUERY": #"%{URIPATH:[url][path]}(?:\?%{URIQUERY:[url][query]})?"#,
        // Former name of ELB_URIPATHQUERY.
        "ELB_URIPATHPARAM": #"%{ELB_URIPATHQUERY}"#,
        // An ELB request URL: scheme://[user@]host[:port][/path[?query]].
        "ELB_URI": #"%{URIPROTO:[url][scheme]}://(?:%{USER:[url][username]}(?::[^@]*)?@)?(?:%{ELB_URIHOST})?(?:%{ELB_URIPATHQUERY})?"#,
        // The quoted request of an ELB access log: `GET http://host:80/path HTTP/1.1`.
        "ELB_REQUEST_LINE": #"(?:%{WORD:[http][request][method]} %{ELB_URI:[url][original]}(?: HTTP/%{NUMBER:[http][version]})?)"#,
        // Classic Load Balancer access log (HTTP listener), with the optional user agent, TLS
        // cipher and protocol; -1 processing times (no backend reached) are not captured.
        "ELB_V1_HTTP_LOG": #"%{TIMESTAMP_ISO8601:timestamp} %{NOTSPACE:[aws][elb][name]} %{IP:[source][ip]}:%{INT:[source][port]:int} (?:-|%{IP:[aws][elb][backend][ip]}:%{INT:[aws][elb][backend][port]:int}) (?:-1|%{NUMBER:[aws][elb][request_processing_time][sec]:float}) (?:-1|%{NUMBER:[aws][elb][backend_processing_time][sec]:float}) (?:-1|%{NUMBER:[aws][elb][response_processing_time][sec]:float}) %{INT:[http][response][status_code]:int} (?:-|%{INT:[aws][elb][backend][http][response][status_code]:int}) %{INT:[http][request][body][bytes]:int} %{INT:[http][response][body][bytes]:int} "%{ELB_REQUEST_LINE}"(?: "(?:-|%{DATA:[user_agent][original]})" (?:-|%{NOTSPACE:[tls][cipher]}) (?:-|%{NOTSPACE:[aws][elb][ssl_protocol]}))?"#,
        "ELB_ACCESS_LOG": #"%{ELB_V1_HTTP_LOG}"#,
        // A CloudFront edge location: airport code, number, optional suffix (`LHR62-C2`, `IAD89-P1`, `CPT50`).
        "CLOUDFRONT_EDGE_LOCATION": #"[A-Z]{3}[0-9]{1,3}(?:-[A-Z0-9]{2,3})?"#,
        // CloudFront standard log (tab-separated), the 23 classic fields and optionally the
        // newer ones (protocol version … range end).
        "CLOUDFRONT_ACCESS_LOG": #"(?=%{YEAR}-%{MONTHNUM}-%{MONTHDAY}\t%{TIME}\t)%{DATA:timestamp}(?<=\t[0-9]{2}:[0-9]{2}:[0-9]{2})\t%{CLOUDFRONT_EDGE_LOCATION:[aws][cloudfront][x_edge_location]}\t(?:-|%{INT:[destination][bytes]:int})\t%{IPORHOST:[source][ip]}\t%{WORD:[http][request][method]}\t%{HOSTNAME:[url][domain]}\t%{NOTSPACE:[url][path]}\t(?:000|%{INT:[http][response][status_code]:int})\t(?:-|%{NOTSPACE:[http][request][referrer]})\t%{NOTSPACE:[user_agent][original]}\t(?:-|%{NOTSPACE:[url][query]})\t(?:-|%{NOTSPACE:[aws][cloudfront][http][request][cookie]})\t%{WORD:[aws][cloudfront][x_edge_result_type]}\t%{NOTSPACE:[aws][cloudfront][x_edge_request_id]}\t%{HOSTNAME:[aws][cloudfront][http][request][host]}\t%{URIPROTO:[network][protocol]}\t(?:-|%{INT:[source][bytes]:int})\t%{NUMBER:[aws][cloudfront][time_taken]:float}\t(?:-|%{IP:[network][forwarded_ip]})\t(?:-|%{NOTSPACE:[aws][cloudfront][ssl_protocol]})\t(?:-|%{NOTSPACE:[tls][cipher]})\t%{WORD:[aws][cloudfront][x_edge_response_result_type]}(?:\t(?:-|HTTP/%{NUMBER:[http][version]})\t(?:-|%{NOTSPACE:[aws][cloudfront][fle_status]})\t(?:-|%{NOTSPACE:[aws][cloudfront][fle_encrypted_fields]})\t%{INT:[source][port]:int}\t%{NUMBER:[aws][cloudfront][time_to_first_byte]:float}\t(?:-|%{NOTSPACE:[aws][cloudfront][x_edge_detailed_result_type]})\t(?:-|%{NOTSPACE:[http][request][mime_type]})\t(?:-|%{INT:[aws][cloudfront][http][request][size]:int})\t(?:-|%{INT:[aws][cloudfront][http][request][range][start]:int})\t(?:-|%{INT:[aws][cloudfront][http][request][range][end]:int}))?"#,
    ]
}
