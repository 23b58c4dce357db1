import Testing
@testable import Grok

@Suite("Logstash library: java")
struct JavaLibraryTests {
    static let frame = "\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:233)"
    static let tomcatLegacy = #"2014-01-09 20:03:28,269 -0800 | ERROR | com.example.service.ExampleService - something completely unexpected happened..."#
    static let catalina7 = "Jan 9, 2014 7:13:13 AM org.apache.catalina.startup.Catalina start\nINFO: Server startup in 1234 ms"
    static let catalina8 = #"31-Jul-2020 16:40:38.578 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1,234] milliseconds"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "JAVASTACKTRACEPART", frame,
                    ["class": "org.apache.catalina.core.StandardWrapperValve", "method": "invoke", "file": "StandardWrapperValve.java", "line": "233"]),
        LibraryCase(.ecs, "JAVASTACKTRACEPART", frame,
                    ["java.log.origin.class.name": "org.apache.catalina.core.StandardWrapperValve", "log.origin.function": "invoke",
                     "log.origin.file.name": "StandardWrapperValve.java", "log.origin.file.line": "233", "class": nil]),
        LibraryCase(.legacy, "JAVASTACKTRACEPART", "\tat java.lang.Thread.sleep(Native Method)",
                    ["class": "java.lang.Thread", "method": "sleep", "file": "Native Method", "line": nil]),
        LibraryCase(.ecs, "JAVASTACKTRACEPART", "    at com.example.Cart.<init>(Cart.java:12)",
                    ["java.log.origin.class.name": "com.example.Cart", "log.origin.function": "<init>", "log.origin.file.line": "12"]),
        LibraryCase(.legacy, "JAVASTACKTRACEPART", "\tat com.example.Cart$Line.total(Unknown Source)", ["class": "com.example.Cart$Line", "file": "Unknown Source"]),
        LibraryCase(.legacy, "JAVACLASS", "com.example.service.ExampleService"),
        LibraryCase(.legacy, "JAVACLASS", "Outer$Inner"),
        LibraryCase(.legacy, "JAVAFILE", "Unknown Source"),
        LibraryCase(.legacy, "JAVAMETHOD", "<clinit>"),
        LibraryCase(.legacy, "JAVAMETHOD", "lambda$main$0"),
        LibraryCase(.legacy, "JAVATHREAD", "TP-Processor12"),
        LibraryCase(.legacy, "JAVALOGMESSAGE", "anything at all"),
        LibraryCase(.legacy, "CATALINA_DATESTAMP", "Jan 9, 2014 7:13:13 AM"),
        LibraryCase(.legacy, "TOMCAT_DATESTAMP", "2014-01-09 17:32:25,527 -0800"),
        LibraryCase(.legacy, "CATALINALOG", #"Jan 9, 2014 7:13:13 AM org.apache.catalina.startup.Catalina start"#,
                    ["timestamp": "Jan 9, 2014 7:13:13 AM", "class": "org.apache.catalina.startup.Catalina", "logmessage": "start"]),
        LibraryCase(.legacy, "TOMCATLOG", tomcatLegacy,
                    ["timestamp": "2014-01-09 20:03:28,269 -0800", "level": "ERROR", "class": "com.example.service.ExampleService",
                     "logmessage": "something completely unexpected happened..."]),
        LibraryCase(.ecs, "TOMCATLOG", tomcatLegacy,
                    ["timestamp": "2014-01-09 20:03:28,269 -0800", "log.level": "ERROR", "java.log.origin.class.name": "com.example.service.ExampleService",
                     "message": "something completely unexpected happened...", "level": nil]),
        LibraryCase(.ecs, "TOMCATLOG", catalina8, ["log.level": "INFO", "java.log.origin.thread.name": "main"]),
        LibraryCase(.ecs, "TOMCATLEGACY_LOG", tomcatLegacy, ["log.level": "ERROR"]),
        LibraryCase(.ecs, "TOMCATLEGACY_DATESTAMP", "2014-01-09 17:32:25,527"),
        LibraryCase(.ecs, "CATALINA8_LOG", catalina8,
                    ["timestamp": "31-Jul-2020 16:40:38.578", "log.level": "INFO", "java.log.origin.thread.name": "main",
                     "java.log.origin.class.name": "org.apache.catalina.startup.Catalina", "log.origin.function": "start",
                     "message": "Server startup in [1,234] milliseconds"]),
        LibraryCase(.ecs, "TOMCAT8_LOG", catalina8, ["log.origin.function": "start"]),
        LibraryCase(.ecs, "CATALINA7_LOG", catalina7,
                    ["timestamp": "Jan 9, 2014 7:13:13 AM", "java.log.origin.class.name": "org.apache.catalina.startup.Catalina",
                     "log.origin.function": "start", "log.level": "INFO", "message": "Server startup in 1234 ms"]),
        LibraryCase(.ecs, "TOMCAT7_LOG", catalina7, ["log.level": "INFO"]),
        LibraryCase(.ecs, "CATALINALOG", catalina8, ["log.level": "INFO", "log.origin.function": "start"]),
        LibraryCase(.ecs, "CATALINALOG", catalina7, ["log.level": "INFO", "log.origin.function": "start"]),
        LibraryCase(.ecs, "CATALINA7_DATESTAMP", "Jan 9, 2014 7:13:13 AM"),
        LibraryCase(.ecs, "CATALINA8_DATESTAMP", "31-Jul-2020 16:40:38.578"),
        LibraryCase(.ecs, "CATALINA_DATESTAMP", "31-Jul-2020 16:40:38.578"),
        LibraryCase(.ecs, "TOMCAT_DATESTAMP", "2014-01-09 17:32:25,527 -0800"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "JAVASTACKTRACEPART", "at com.example.Cart.total Cart.java:12"),
        LibraryReject(.ecs, "JAVASTACKTRACEPART", "Caused by: java.lang.IllegalStateException: boom"),
        LibraryReject(.legacy, "JAVACLASS", "com..example"),
        LibraryReject(.legacy, "JAVATHREAD", "main"),
        LibraryReject(.legacy, "TOMCATLOG", catalina8),
        LibraryReject(.ecs, "TOMCATLOG", "2014-01-09 20:03:28 ERROR something"),
        LibraryReject(.legacy, "CATALINALOG", tomcatLegacy),
        LibraryReject(.ecs, "CATALINALOG", tomcatLegacy),
        LibraryReject(.ecs, "CATALINA8_LOG", catalina7),
        LibraryReject(.legacy, "CATALINA_DATESTAMP", "2014-01-09 17:32:25"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
