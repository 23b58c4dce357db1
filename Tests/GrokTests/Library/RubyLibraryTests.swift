import Testing
@testable import Grok

@Suite("Logstash library: ruby")
struct RubyLibraryTests {
    // Ruby's Logger default format: "%s, [%s #%d] %5s -- %s: %s\n".
    static let line = #"I, [2014-01-09T12:34:56.123456 #1234]  INFO -- checkout: order 17 placed"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "RUBY_LOGGER", line,
                    ["timestamp": "2014-01-09T12:34:56.123456", "pid": "1234", "loglevel": "INFO", "progname": "checkout", "message": "order 17 placed"]),
        LibraryCase(.ecs, "RUBY_LOGGER", line,
                    ["timestamp": "2014-01-09T12:34:56.123456", "process.pid": "1234", "log.level": "INFO", "process.name": "checkout",
                     "message": "order 17 placed", "loglevel": nil]),
        LibraryCase(.legacy, "RUBY_LOGGER", #"E, [2014-01-09T12:34:56.123456 #1234] ERROR -- : boom"#,
                    ["loglevel": "ERROR", "progname": "", "message": "boom"]),
        LibraryCase(.legacy, "RUBY_LOGLEVEL", "WARN"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "RUBY_LOGGER", #"2014-01-09 12:34:56 INFO checkout: order 17 placed"#),
        LibraryReject(.ecs, "RUBY_LOGGER", #"X, [2014-01-09T12:34:56.123456 #1234]  INFO -- checkout: x"#),
        LibraryReject(.legacy, "RUBY_LOGLEVEL", "NOTICE"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
