extension LogstashLibrary {
    /// Logstash's `java` patterns, ECS field names (`java.log.origin.*`, `log.origin.*`,
    /// `log.level`), with the Tomcat 7 and Tomcat 8/9 formats as separate patterns.
    static let ecsJava: [String: String] = [
        "JAVASTACKTRACEPART": #"%{SPACE}at %{JAVACLASS:[java][log][origin][class][name]}\.%{JAVAMETHOD:[log][origin][function]}\(%{JAVAFILE:[log][origin][file][name]}(?::%{INT:[log][origin][file][line]:int})?\)"#,
        // Jan 9, 2014 7:13:13 AM (Tomcat 4.1 to 7 default java.util.logging format)
        "CATALINA7_DATESTAMP": #"%{MONTH} %{MONTHDAY}, %{YEAR} %{HOUR}:%{MINUTE}:%{SECOND} (?:AM|PM)"#,
        // Jan 9, 2014 7:13:13 AM org.apache.catalina.startup.Catalina start\nINFO: Server startup (one line or two)
        "CATALINA7_LOG": #"%{CATALINA7_DATESTAMP:timestamp} %{JAVACLASS:[java][log][origin][class][name]}(?: %{JAVAMETHOD:[log][origin][function]})?\s*(?:%{LOGLEVEL:[log][level]}:)? %{JAVALOGMESSAGE:message}"#,
        // 31-Jul-2020 16:40:38.578 (Tomcat 8.5, 9)
        "CATALINA8_DATESTAMP": #"%{MONTHDAY}-%{MONTH}-%{YEAR} %{HOUR}:%{MINUTE}:%{SECOND}"#,
        // 31-Jul-2020 16:40:38.578 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in 1234 ms
        "CATALINA8_LOG": #"%{CATALINA8_DATESTAMP:timestamp} %{LOGLEVEL:[log][level]} \[%{DATA:[java][log][origin][thread][name]}\] %{JAVACLASS:[java][log][origin][class][name]}\.(?:%{JAVAMETHOD:[log][origin][function]})? %{JAVALOGMESSAGE:message}"#,
        "CATALINA_DATESTAMP": #"(?:%{CATALINA8_DATESTAMP}|%{CATALINA7_DATESTAMP})"#,
        "CATALINALOG": #"(?:%{CATALINA8_LOG}|%{CATALINA7_LOG})"#,
        "TOMCAT7_LOG": #"%{CATALINA7_LOG}"#,
        "TOMCAT8_LOG": #"%{CATALINA8_LOG}"#,
        // 2014-01-09 17:32:25,527 -0800 (zone optional)
        "TOMCATLEGACY_DATESTAMP": #"%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND}(?: %{ISO8601_TIMEZONE})?"#,
        // 2014-01-09 20:03:28,269 -0800 | ERROR | com.example.service.ExampleService - message
        "TOMCATLEGACY_LOG": #"%{TOMCATLEGACY_DATESTAMP:timestamp} \| %{LOGLEVEL:[log][level]} \| %{JAVACLASS:[java][log][origin][class][name]} - %{JAVALOGMESSAGE:message}"#,
        "TOMCAT_DATESTAMP": #"(?:%{CATALINA8_DATESTAMP}|%{CATALINA7_DATESTAMP}|%{TOMCATLEGACY_DATESTAMP})"#,
        "TOMCATLOG": #"(?:%{TOMCAT8_LOG}|%{TOMCAT7_LOG}|%{TOMCATLEGACY_LOG})"#,
    ]
}
