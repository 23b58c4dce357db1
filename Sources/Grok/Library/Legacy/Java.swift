extension LogstashLibrary {
    /// Logstash's `java` patterns (legacy field names): class names, stack-trace lines and the
    /// Tomcat / Catalina log formats.
    static let legacyJava: [String: String] = [
        // A (possibly qualified) Java class name: com.example.Foo, Foo$Bar.
        "JAVACLASS": #"(?:[a-zA-Z$_][a-zA-Z$_0-9]*\.)*[a-zA-Z$_][a-zA-Z$_0-9]*"#,
        // A source file as a stack trace names it; spaces allow 'Native Method', 'Unknown Source'.
        "JAVAFILE": #"[a-zA-Z$_0-9. -]+"#,
        // A method name, or the constructors <init> and <clinit>.
        "JAVAMETHOD": #"(?:<(?:cl)?init>|[a-zA-Z$_][a-zA-Z$_0-9]*)"#,
        // \tat com.example.Foo.bar(Foo.java:42)  (the line number is absent for native methods)
        "JAVASTACKTRACEPART": #"%{SPACE}at %{JAVACLASS:class}\.%{JAVAMETHOD:method}\(%{JAVAFILE:file}(?::%{NUMBER:line})?\)"#,
        // Tomcat connector threads: TP-Processor12
        "JAVATHREAD": #"[A-Z]{2}-Processor[0-9]+"#,
        "JAVALOGMESSAGE": #".*"#,
        // Jan 9, 2014 7:13:13 AM (catalina.out, Tomcat 5.5 to 7)
        "CATALINA_DATESTAMP": #"%{MONTH} %{MONTHDAY}, 20%{YEAR} %{HOUR}:?%{MINUTE}(?::?%{SECOND}) (?:AM|PM)"#,
        // 2014-01-09 17:32:25,527 -0800
        "TOMCAT_DATESTAMP": #"20%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:?%{MINUTE}(?::?%{SECOND}) %{ISO8601_TIMEZONE}"#,
        // Jan 9, 2014 7:13:13 AM org.apache.catalina.startup.Catalina start ...
        "CATALINALOG": #"%{CATALINA_DATESTAMP:timestamp} %{JAVACLASS:class} %{JAVALOGMESSAGE:logmessage}"#,
        // 2014-01-09 20:03:28,269 -0800 | ERROR | com.example.service.ExampleService - message
        "TOMCATLOG": #"%{TOMCAT_DATESTAMP:timestamp} \| %{LOGLEVEL:level} \| %{JAVACLASS:class} - %{JAVALOGMESSAGE:logmessage}"#,
    ]
}
