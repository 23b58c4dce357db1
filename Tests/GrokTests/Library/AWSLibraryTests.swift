import Testing
@testable import Grok

@Suite("Logstash library: aws")
struct AWSLibraryTests {
    // S3 server access log lines: the current layout (with host ID … ACL required) and an
    // older one ending at the version ID.
    static let s3Versioning = #"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes"#
    static let s3Put = #"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:01:57 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DD6CC733AEXAMPLE REST.PUT.OBJECT photos/2019/08/puppy.jpg "PUT /awsexamplebucket1/photos/2019/08/puppy.jpg?x-foo=bar HTTP/1.1" 200 - - 5368 50 12 "-" "aws-cli/1.16.156 Python/3.7.3 Darwin/18.7.0 botocore/1.12.146" -"#
    // Classic Load Balancer access log lines (HTTP, HTTPS, no backend reached).
    static let elbHTTP = #"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/index.html?lang=en HTTP/1.1" "curl/7.38.0" - -"#
    static let elbHTTPS = #"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2"#
    static let elbNoBackend = #"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 - -1 -1 -1 504 0 0 0 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#
    // CloudFront standard log lines: all 33 fields, and the classic 23.
    static let cloudfront = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-"
    static let cloudfrontError = "2019-12-13\t22:36:27\tSEA19-C1\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/favicon.ico\t502\thttp://www.example.com/\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)\t-\t-\tError\t1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==\twww.example.com\thttp\t675\t0.102\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t25260\t0.102\tOriginDnsError\ttext/html\t507\t-\t-"
    static let cloudfrontShort = "2014-05-23\t01:13:11\tFRA2\t182\t192.0.2.10\tGET\td111111abcdef8.cloudfront.net\t/view/my/file.html\t200\twww.displaymyfiles.com\tMozilla/4.0%20(compatible;%20MSIE%205.0b1;%20Mac_PowerPC)\tzip=98101\t-\tRefreshHit\tMRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==\td111111abcdef8.cloudfront.net\thttp\t231\t0.001\t-\t-\t-\tRefreshHit"

    static let cases: [LibraryCase] = [
        // S3
        LibraryCase(.legacy, "S3_ACCESS_LOG", s3Versioning, [
            "owner": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "bucket": "awsexamplebucket1",
            "timestamp": "06/Feb/2019:00:00:38 +0000", "clientip": "192.0.2.3", "request_id": "3E57427F3EXAMPLE",
            "operation": "REST.GET.VERSIONING", "key": "-", "verb": "GET", "request": "/awsexamplebucket1?versioning",
            "httpversion": "1.1", "response": "200", "error_code": nil, "bytes": "113", "object_size": nil,
            "request_time_ms": "7", "referrer": #""-""#, "agent": #""S3Console/0.4""#, "version_id": nil,
        ]),
        LibraryCase(.legacy, "S3_ACCESS_LOG", s3Put, [
            "key": "photos/2019/08/puppy.jpg", "verb": "PUT", "request": "/awsexamplebucket1/photos/2019/08/puppy.jpg?x-foo=bar",
            "bytes": nil, "object_size": "5368", "request_time_ms": "50", "turnaround_time_ms": "12",
            "agent": #""aws-cli/1.16.156 Python/3.7.3 Darwin/18.7.0 botocore/1.12.146""#,
        ]),
        LibraryCase(.ecs, "S3_ACCESS_LOG", s3Versioning, [
            "aws.s3access.bucket_owner": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            "aws.s3access.bucket": "awsexamplebucket1", "timestamp": "06/Feb/2019:00:00:38 +0000", "client.ip": "192.0.2.3",
            "client.user.id": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            "aws.s3access.request_id": "3E57427F3EXAMPLE", "aws.s3access.operation": "REST.GET.VERSIONING", "aws.s3access.key": nil,
            "aws.s3access.request_uri": "GET /awsexamplebucket1?versioning HTTP/1.1", "http.request.method": "GET",
            "url.original": "/awsexamplebucket1?versioning", "http.version": "1.1", "http.response.status_code": "200",
            "aws.s3access.error_code": nil, "aws.s3access.bytes_sent": "113", "aws.s3access.total_time": "7",
            "http.request.referrer": nil, "user_agent.original": "S3Console/0.4", "aws.s3access.version_id": nil,
            "aws.s3access.host_id": "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=",
            "aws.s3access.signature_version": "SigV4", "tls.cipher": "ECDHE-RSA-AES128-GCM-SHA256",
            "aws.s3access.authentication_type": "AuthHeader", "aws.s3access.host_header": "awsexamplebucket1.s3.us-west-1.amazonaws.com",
            "aws.s3access.tls_version": "TLSV1.2",
        ]),
        LibraryCase(.ecs, "S3_ACCESS_LOG", s3Put, [
            "aws.s3access.key": "photos/2019/08/puppy.jpg", "http.request.method": "PUT", "aws.s3access.object_size": "5368",
            "aws.s3access.total_time": "50", "aws.s3access.turn_around_time": "12", "aws.s3access.bytes_sent": nil,
            "user_agent.original": "aws-cli/1.16.156 Python/3.7.3 Darwin/18.7.0 botocore/1.12.146", "aws.s3access.host_id": nil,
        ]),
        LibraryCase(.legacy, "S3_REQUEST_LINE", "GET /awsexamplebucket1?versioning HTTP/1.1", ["verb": "GET", "request": "/awsexamplebucket1?versioning", "httpversion": "1.1"]),
        LibraryCase(.legacy, "S3_REQUEST_LINE", "BAD REQUEST LINE", ["rawrequest": "BAD REQUEST LINE", "verb": nil]),
        LibraryCase(.ecs, "S3_REQUEST_LINE", "PUT /bucket/key.txt HTTP/1.1", ["http.request.method": "PUT", "url.original": "/bucket/key.txt", "http.version": "1.1"]),

        // ELB
        LibraryCase(.legacy, "ELB_ACCESS_LOG", elbHTTP, [
            "timestamp": "2015-05-13T23:39:43.945958Z", "elb": "my-loadbalancer", "clientip": "192.168.131.39", "clientport": "2817",
            "backendip": "10.0.0.1", "backendport": "80", "request_processing_time": "0.000073", "backend_processing_time": "0.001048",
            "response_processing_time": "0.000057", "response": "200", "backend_response": "200", "received_bytes": "0", "bytes": "29",
            "verb": "GET", "request": "http://www.example.com:80/index.html?lang=en", "proto": "http", "urihost": "www.example.com:80",
            "path": "/index.html", "params": "?lang=en", "httpversion": "1.1",
        ]),
        LibraryCase(.legacy, "ELB_ACCESS_LOG", elbNoBackend, ["backendip": nil, "request_processing_time": "-1", "response": "504", "backend_response": "0"]),
        LibraryCase(.ecs, "ELB_ACCESS_LOG", elbHTTP, [
            "timestamp": "2015-05-13T23:39:43.945958Z", "aws.elb.name": "my-loadbalancer", "source.ip": "192.168.131.39", "source.port": "2817",
            "aws.elb.backend.ip": "10.0.0.1", "aws.elb.backend.port": "80", "aws.elb.request_processing_time.sec": "0.000073",
            "aws.elb.backend_processing_time.sec": "0.001048", "aws.elb.response_processing_time.sec": "0.000057",
            "http.response.status_code": "200", "aws.elb.backend.http.response.status_code": "200", "http.request.body.bytes": "0",
            "http.response.body.bytes": "29", "http.request.method": "GET", "url.original": "http://www.example.com:80/index.html?lang=en",
            "url.scheme": "http", "url.domain": "www.example.com", "url.port": "80", "url.path": "/index.html", "url.query": "lang=en",
            "http.version": "1.1", "user_agent.original": "curl/7.38.0", "tls.cipher": nil, "aws.elb.ssl_protocol": nil,
        ]),
        LibraryCase(.ecs, "ELB_V1_HTTP_LOG", elbHTTPS, ["url.scheme": "https", "url.port": "443", "tls.cipher": "DHE-RSA-AES128-SHA", "aws.elb.ssl_protocol": "TLSv1.2"]),
        LibraryCase(.ecs, "ELB_ACCESS_LOG", elbNoBackend, [
            "aws.elb.backend.ip": nil, "aws.elb.request_processing_time.sec": nil, "aws.elb.backend_processing_time.sec": nil,
            "http.response.status_code": "504", "aws.elb.backend.http.response.status_code": "0",
        ]),
        LibraryCase(.legacy, "ELB_REQUEST_LINE", "POST https://api.example.com/v1/items HTTP/1.1", ["verb": "POST", "proto": "https", "urihost": "api.example.com", "path": "/v1/items", "httpversion": "1.1"]),
        LibraryCase(.legacy, "ELB_URI", "http://www.example.com:80/a/b?c=d", ["proto": "http", "urihost": "www.example.com:80", "path": "/a/b", "params": "?c=d"]),
        LibraryCase(.legacy, "ELB_URIPATHPARAM", "/a/b?c=d", ["path": "/a/b", "params": "?c=d"]),
        LibraryCase(.ecs, "ELB_URI", "https://user@www.example.com:8443/a/b?c=d", ["url.scheme": "https", "url.username": "user", "url.domain": "www.example.com", "url.port": "8443", "url.path": "/a/b", "url.query": "c=d"]),
        LibraryCase(.ecs, "ELB_URIHOST", "10.1.2.3:8080", ["url.domain": "10.1.2.3", "url.port": "8080"]),
        LibraryCase(.ecs, "ELB_URIPATHQUERY", "/a/b?c=d", ["url.path": "/a/b", "url.query": "c=d"]),
        LibraryCase(.ecs, "ELB_URIPATHPARAM", "/a/b", ["url.path": "/a/b", "url.query": nil]),
        LibraryCase(.ecs, "ELB_REQUEST_LINE", "GET http://www.example.com:80/ HTTP/1.1", ["http.request.method": "GET", "url.original": "http://www.example.com:80/", "http.version": "1.1"]),

        // CloudFront
        LibraryCase(.legacy, "CLOUDFRONT_ACCESS_LOG", cloudfront, [
            "timestamp": "2019-12-04\t21:02:31", "x_edge_location": "LAX1", "sc_bytes": "392", "clientip": "192.0.2.100", "cs_method": "GET",
            "cs_host": "d111111abcdef8.cloudfront.net", "cs_uri_stem": "/index.html", "sc_status": "200", "referrer": "-",
            "agent": "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36",
            "cs_uri_query": "-", "cookies": "-", "x_edge_result_type": "Hit", "x_edge_request_id": "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
            "x_host_header": "d111111abcdef8.cloudfront.net", "cs_protocol": "https", "cs_bytes": "23", "time_taken": "0.001",
            "x_forwarded_for": "-", "ssl_protocol": "TLSv1.2", "ssl_cipher": "ECDHE-RSA-AES128-GCM-SHA256",
            "x_edge_response_result_type": "Hit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
        ]),
        LibraryCase(.legacy, "CLOUDFRONT_ACCESS_LOG", cloudfrontError, ["x_edge_location": "SEA19-C1", "sc_status": "502", "referrer": "http://www.example.com/", "x_edge_result_type": "Error"]),
        LibraryCase(.legacy, "CLOUDFRONT_ACCESS_LOG", cloudfrontShort, ["x_edge_location": "FRA2", "cs_uri_query": "zip=98101", "x_edge_response_result_type": "RefreshHit"]),
        LibraryCase(.ecs, "CLOUDFRONT_ACCESS_LOG", cloudfront, [
            "timestamp": "2019-12-04\t21:02:31", "aws.cloudfront.x_edge_location": "LAX1", "destination.bytes": "392", "source.ip": "192.0.2.100",
            "http.request.method": "GET", "url.domain": "d111111abcdef8.cloudfront.net", "url.path": "/index.html",
            "http.response.status_code": "200", "http.request.referrer": nil,
            "user_agent.original": "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36",
            "url.query": nil, "aws.cloudfront.http.request.cookie": nil, "aws.cloudfront.x_edge_result_type": "Hit",
            "aws.cloudfront.x_edge_request_id": "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
            "aws.cloudfront.http.request.host": "d111111abcdef8.cloudfront.net", "network.protocol": "https", "source.bytes": "23",
            "aws.cloudfront.time_taken": "0.001", "network.forwarded_ip": nil, "aws.cloudfront.ssl_protocol": "TLSv1.2",
            "tls.cipher": "ECDHE-RSA-AES128-GCM-SHA256", "aws.cloudfront.x_edge_response_result_type": "Hit", "http.version": "2.0",
            "source.port": "11040", "aws.cloudfront.time_to_first_byte": "0.001", "aws.cloudfront.x_edge_detailed_result_type": "Hit",
            "http.request.mime_type": "text/html", "aws.cloudfront.http.request.size": "78",
            "aws.cloudfront.http.request.range.start": nil, "aws.cloudfront.http.request.range.end": nil,
        ]),
        LibraryCase(.ecs, "CLOUDFRONT_ACCESS_LOG", cloudfrontError, [
            "aws.cloudfront.x_edge_location": "SEA19-C1", "http.response.status_code": "502", "http.request.referrer": "http://www.example.com/",
            "aws.cloudfront.ssl_protocol": nil, "tls.cipher": nil, "aws.cloudfront.x_edge_detailed_result_type": "OriginDnsError",
        ]),
        LibraryCase(.ecs, "CLOUDFRONT_ACCESS_LOG", cloudfrontShort, ["aws.cloudfront.x_edge_location": "FRA2", "url.query": "zip=98101", "source.bytes": "231", "http.version": nil, "source.port": nil]),
        LibraryCase(.ecs, "CLOUDFRONT_EDGE_LOCATION", "LHR62-C2"),
        LibraryCase(.ecs, "CLOUDFRONT_EDGE_LOCATION", "CPT50"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "S3_ACCESS_LOG", elbHTTP),
        LibraryReject(.ecs, "S3_ACCESS_LOG", elbHTTP),
        LibraryReject(.legacy, "ELB_ACCESS_LOG", s3Put),
        LibraryReject(.ecs, "ELB_ACCESS_LOG", s3Put),
        LibraryReject(.ecs, "ELB_V1_HTTP_LOG", #"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 GET http://www.example.com:80/ HTTP/1.1"#),
        // Space-separated instead of tab-separated.
        LibraryReject(.legacy, "CLOUDFRONT_ACCESS_LOG", "2019-12-04 21:02:31 LAX1 392 192.0.2.100 GET d111111abcdef8.cloudfront.net /index.html 200 - Mozilla/5.0 - - Hit SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ== d111111abcdef8.cloudfront.net https 23 0.001 - TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 Hit"),
        LibraryReject(.ecs, "CLOUDFRONT_ACCESS_LOG", "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-"),
        LibraryReject(.ecs, "CLOUDFRONT_EDGE_LOCATION", "lax1"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
