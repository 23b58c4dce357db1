/// The built-in grok patterns, written for Tracejoin. They keep the names operators know from
/// Logstash so that existing rules carry over; definitions use only non-capturing groups,
/// except the few composite patterns whose fields are part of their meaning (SYSLOGPROG and the
/// Apache log formats), as in Logstash.
enum BuiltinPatterns {
    static let all: [String: String] = [
        // Users and mail.
        "USERNAME": #"[a-zA-Z0-9._-]+"#,
        "USER": #"%{USERNAME}"#,
        "EMAILLOCALPART": #"[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*"#,
        "EMAILADDRESS": #"%{EMAILLOCALPART}@%{HOSTNAME}"#,

        // Numbers.
        "INT": #"(?:[+-]?[0-9]+)"#,
        "BASE10NUM": #"(?<![0-9.+-])(?>[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))"#,
        "NUMBER": #"%{BASE10NUM}"#,
        "BASE16NUM": #"(?<![0-9A-Fa-f])(?:[+-]?(?:0x)?[0-9A-Fa-f]+)"#,
        "BASE16FLOAT": #"\b(?<![0-9A-Fa-f.])(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+))\b"#,
        "POSINT": #"\b(?:[1-9][0-9]*)\b"#,
        "NONNEGINT": #"\b[0-9]+\b"#,

        // Words and text.
        "WORD": #"\b\w+\b"#,
        "NOTSPACE": #"\S+"#,
        "SPACE": #"\s*"#,
        "DATA": #".*?"#,
        "GREEDYDATA": #".*"#,
        "QUOTEDSTRING": #"(?>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)"#,
        "QS": #"%{QUOTEDSTRING}"#,
        "UUID": #"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}"#,

        // Networking.
        "MAC": #"(?:(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}|(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}|(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2})"#,
        "IPV4": #"(?<![0-9])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9])"#,
        // Full, compressed and IPv4-embedded forms, with an optional zone; the longest forms
        // come first and the look-ahead keeps a prefix of a longer address from matching.
        "IPV6": #"(?:(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}|::(?:[Ff]{4}(?::0{1,4})?:)?%{IPV4}|(?:[0-9A-Fa-f]{1,4}:){1,4}:%{IPV4}|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|:(?::[0-9A-Fa-f]{1,4}){1,7}|::)(?:%[0-9A-Za-z]+)?(?![0-9A-Fa-f:])"#,
        "IP": #"(?:%{IPV6}|%{IPV4})"#,
        "HOSTNAME": #"\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*\.?(?![0-9A-Za-z-])"#,
        "IPORHOST": #"(?:%{IP}|%{HOSTNAME})"#,
        "HOSTPORT": #"%{IPORHOST}:%{POSINT}"#,

        // Paths and URIs.
        "UNIXPATH": #"(?:/[\w%!$@:.,+~-]*)+"#,
        "WINPATH": #"(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+"#,
        "PATH": #"(?:%{UNIXPATH}|%{WINPATH})"#,
        "URIPROTO": #"[A-Za-z][A-Za-z0-9+.-]*"#,
        "URIHOST": #"%{IPORHOST}(?::%{POSINT})?"#,
        "URIPATH": #"(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+"#,
        "URIPARAM": #"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\[\]<>-]*"#,
        "URIPATHPARAM": #"%{URIPATH}(?:%{URIPARAM})?"#,
        "URI": #"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?"#,

        // Dates and times.
        "MONTH": #"\b(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"#,
        "MONTHNUM": #"(?:1[0-2]|0?[1-9])"#,
        "MONTHDAY": #"(?:3[01]|[12][0-9]|0?[1-9])"#,
        "DAY": #"\b(?i:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b"#,
        "YEAR": #"(?>[0-9]{4}|[0-9]{2})"#,
        "HOUR": #"(?:2[0-3]|[01]?[0-9])"#,
        "MINUTE": #"(?:[0-5][0-9])"#,
        "SECOND": #"(?:(?:[0-5]?[0-9]|60)(?:[.,][0-9]+)?)"#,
        "TIME": #"(?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})?(?![0-9])"#,
        "DATE_US": #"%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}"#,
        "DATE_EU": #"%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}"#,
        "DATE": #"(?:%{DATE_US}|%{DATE_EU})"#,
        "DATESTAMP": #"%{DATE}[- ]%{TIME}"#,
        "TZ": #"(?:[APMCE][SD]T|UTC|GMT)"#,
        "ISO8601_TIMEZONE": #"(?:Z|[+-]%{HOUR}(?::?%{MINUTE})?)"#,
        // 2026-11-24T22:11:28.925Z, 2026-11-24 22:11:28,925 (Python's default asctime), ...
        "TIMESTAMP_ISO8601": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?"#,
        // 24/Nov/2026:22:11:28 +0000 (Apache, nginx)
        "HTTPDATE": #"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}"#,
        // Nov 24 22:11:28 (syslog, BSD format)
        "SYSLOGTIMESTAMP": #"%{MONTH} +%{MONTHDAY} %{TIME}"#,

        // Syslog.
        "PROG": #"[\x21-\x5a\x5c\x5e-\x7e]+"#,
        "SYSLOGPROG": #"%{PROG:program}(?:\[%{POSINT:pid}\])?"#,
        "SYSLOGHOST": #"%{IPORHOST}"#,

        // Severity, as the common logging libraries spell it (any case).
        "LOGLEVEL": #"\b(?i:trace|debug|info(?:rmation)?|notice|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal|severe|alert|emerg(?:ency)?)\b"#,

        // Web server logs (NCSA common and combined formats).
        "HTTPDUSER": #"(?:%{EMAILADDRESS}|%{USER})"#,
        "COMMONAPACHELOG": #"%{IPORHOST:clientip} %{HTTPDUSER:ident} %{USER:auth} \[%{HTTPDATE:timestamp}\] "(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})" %{NUMBER:response} (?:%{NUMBER:bytes}|-)"#,
        "COMBINEDAPACHELOG": #"%{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}"#,

        // Trace context (see docs/ids.md): any accepted form, or a "no ID" spelling.
        // Longest forms first; the look-ahead keeps a 16-hex prefix of a longer token from matching.
        "TRACEID": #"(?:(?:[0-9A-Fa-f]{32}|[0-9]{1,39}|[0-9A-Fa-f]{16})(?![0-9A-Za-z])|None|null|-)?"#,
        "TRACEID_DEC": #"[0-9]{1,39}(?![0-9])"#,
        "TRACEID_HEX": #"(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{16})(?![0-9A-Fa-f])"#,
        "SPANID": #"(?:(?:[0-9]{1,20}|[0-9A-Fa-f]{16})(?![0-9A-Za-z])|None|null|-)?"#,
        "SPANID_DEC": #"[0-9]{1,20}(?![0-9])"#,
        "SPANID_HEX": #"[0-9A-Fa-f]{16}(?![0-9A-Fa-f])"#,
    ]
}
