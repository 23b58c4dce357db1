extension LogstashLibrary {
    /// Logstash's `httpd` patterns (legacy field names): Apache httpd (and nginx's default)
    /// access logs in the NCSA common and combined formats, and Apache's error log.
    static let legacyHTTPD: [String: String] = [
        // The identity or user column: a mail address or a user name.
        "HTTPDUSER": #"(?:%{EMAILADDRESS}|%{USER})"#,
        // Wed Oct 11 14:32:52 2000 (error log time, with optional microseconds in 2.4)
        "HTTPDERROR_DATE": #"%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR}"#,

        // NCSA common log format: host ident authuser [date] "request" status bytes.
        "HTTPD_COMMONLOG": #"%{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \[%{HTTPDATE:timestamp}\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" (?:%{NUMBER:response}|-) (?:%{NUMBER:bytes}|-)"#,
        // Combined log format: common, then "referer" "user-agent".
        "HTTPD_COMBINEDLOG": #"%{HTTPD_COMMONLOG} %{QS:referrer} %{QS:agent}"#,

        // Apache 2.0/2.2 error log: [date] [level] [client ip] message
        "HTTPD20_ERRORLOG": #"\[%{HTTPDERROR_DATE:timestamp}\] \[%{LOGLEVEL:loglevel}\] (?:\[client %{IPORHOST:clientip}\] )?%{GREEDYDATA:message}"#,
        // Apache 2.4 error log: [date] [module:level] [pid N:tid N] (proxy error) [client ip:port] AHnnnnn: message
        "HTTPD24_ERRORLOG": #"\[%{HTTPDERROR_DATE:timestamp}\] \[%{WORD:module}:%{LOGLEVEL:loglevel}\] \[pid %{POSINT:pid}(?::tid %{NUMBER:tid})?\](?: \(%{POSINT:proxy_errorcode}\)%{DATA:proxy_message}:)?(?: \[client %{IPORHOST:clientip}:%{POSINT:clientport}\])?(?: %{DATA:errorcode}:)? %{GREEDYDATA:message}"#,
        "HTTPD_ERRORLOG": #"(?:%{HTTPD20_ERRORLOG}|%{HTTPD24_ERRORLOG})"#,

        // Older names of the access log formats (deprecated in Logstash, still common in rules).
        "COMMONAPACHELOG": #"%{HTTPD_COMMONLOG}"#,
        "COMBINEDAPACHELOG": #"%{HTTPD_COMBINEDLOG}"#,
    ]
}
