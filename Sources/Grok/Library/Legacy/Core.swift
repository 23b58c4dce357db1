extension LogstashLibrary {
    /// Logstash's `grok-patterns` (legacy field names): the basic building blocks (numbers, words,
    /// network addresses, paths, URIs, dates and times) and the syslog header.
    static let legacyCore: [String: String] = [
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
        // A double-, single- or back-quoted string with backslash escapes, quotes included.
        "QUOTEDSTRING": #"(?>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)"#,
        "QS": #"%{QUOTEDSTRING}"#,
        "UUID": #"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}"#,
        // RFC 2141 URN: urn:<NID>:<NSS>, the NSS with percent escapes and the reserved characters.
        "URN": #"urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+"#,

        // Networking.
        "MAC": #"(?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})"#,
        // 001a.2b3c.4d5e
        "CISCOMAC": #"(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}"#,
        // 00-1a-2b-3c-4d-5e
        "WINDOWSMAC": #"(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}"#,
        // 00:1a:2b:3c:4d:5e
        "COMMONMAC": #"(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}"#,
        "IPV4": #"(?<![0-9])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9])"#,
        // Full, compressed and IPv4-embedded forms, with an optional zone; the longest forms
        // come first and the look-ahead keeps a prefix of a longer address from matching.
        "IPV6": #"(?:(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}|::(?:[Ff]{4}(?::0{1,4})?:)?%{IPV4}|(?:[0-9A-Fa-f]{1,4}:){1,4}:%{IPV4}|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|:(?::[0-9A-Fa-f]{1,4}){1,7}|::)(?:%[0-9A-Za-z]+)?(?![0-9A-Fa-f:])"#,
        "IP": #"(?:%{IPV6}|%{IPV4})"#,
        "HOSTNAME": #"\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*\.?(?![0-9A-Za-z-])"#,
        "IPORHOST": #"(?:%{IP}|%{HOSTNAME})"#,
        "HOSTPORT": #"%{IPORHOST}:%{POSINT}"#,

        // Paths (absolute only) and terminals.
        "PATH": #"(?:%{UNIXPATH}|%{WINPATH})"#,
        "UNIXPATH": #"(?:/[\w%!$@:.,+~-]*)+"#,
        // /dev/pts/3, /dev/tty1, /dev/ttyS0, /dev/ttyp0
        "TTY": #"/dev/(?:pts|tty[pq]?)(?:\w+)?/?[0-9]+"#,
        "WINPATH": #"(?>[A-Za-z]+:|\\)(?:\\[^\\?*]*)+"#,

        // URIs (RFC 3986, loosely: what browsers leave unescaped).
        "URIPROTO": #"[A-Za-z][A-Za-z0-9+.-]*"#,
        "URIHOST": #"%{IPORHOST}(?::%{POSINT:port})?"#,
        "URIPATH": #"(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+"#,
        "URIPARAM": #"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\[\]<>-]*"#,
        "URIPATHPARAM": #"%{URIPATH}(?:%{URIPARAM})?"#,
        "URI": #"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?"#,

        // Dates and times.
        "MONTH": #"\b(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"#,
        "MONTHNUM": #"(?:1[0-2]|0?[1-9])"#,
        // Two-digit month: 01 to 12.
        "MONTHNUM2": #"(?:0[1-9]|1[0-2])"#,
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
        "ISO8601_SECOND": #"%{SECOND}"#,
        // 2026-11-24T22:11:28.925Z, 2026-11-24 22:11:28,925 (Python's default asctime), ...
        "TIMESTAMP_ISO8601": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?"#,
        // 2026-11-24 22:11:28.925 (milliseconds always present)
        "TIMESTAMP_CN": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND}\.[0-9]{3}"#,
        // Tue Nov 24 2026 22:11:28 UTC
        "DATESTAMP_RFC822": #"%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}"#,
        // Tue, 24 Nov 2026 22:11:28 +0000 (mail Date: header)
        "DATESTAMP_RFC2822": #"%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}"#,
        // Tue Nov 24 22:11:28 UTC 2026 (date(1))
        "DATESTAMP_OTHER": #"%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}"#,
        // 20261124221128 (Windows event log: yyyyMMddHHmmss, optional fraction)
        "DATESTAMP_EVENTLOG": #"%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}"#,
        // 24/Nov/2026:22:11:28 +0000 (Apache, nginx)
        "HTTPDATE": #"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}"#,

        // Syslog (BSD, RFC 3164).
        // Nov 24 22:11:28
        "SYSLOGTIMESTAMP": #"%{MONTH} +%{MONTHDAY} %{TIME}"#,
        // A tag: printable ASCII without '[' or ']'.
        "PROG": #"[\x21-\x5a\x5c\x5e-\x7e]+"#,
        "SYSLOGPROG": #"%{PROG:program}(?:\[%{POSINT:pid}\])?"#,
        "SYSLOGHOST": #"%{IPORHOST}"#,
        // <facility.priority>, as some syslog daemons print it
        "SYSLOGFACILITY": #"<%{NONNEGINT:facility}\.%{NONNEGINT:priority}>"#,
        // Nov 24 22:11:28 web-1 sshd[4711]:
        "SYSLOGBASE": #"%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:"#,

        // Severity, as the common logging libraries spell it (any case).
        "LOGLEVEL": #"\b(?i:trace|debug|info(?:rmation)?|notice|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal|severe|alert|emerg(?:ency)?)\b"#,
    ]
}
