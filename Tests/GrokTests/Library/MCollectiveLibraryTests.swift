import Testing
@testable import Grok

@Suite("Logstash library: mcollective")
struct MCollectiveLibraryTests {
    // The prefix of an MCollective log event (Ruby Logger format) and of an audit line.
    static let prefix = "I, [2013-12-05T15:30:01.123456 #1234]  INFO"

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "MCOLLECTIVE", prefix, ["timestamp": "2013-12-05T15:30:01.123456", "pid": "1234", "event_level": "INFO"]),
        LibraryCase(.ecs, "MCOLLECTIVE", prefix,
                    ["timestamp": "2013-12-05T15:30:01.123456", "process.pid": "1234", "log.level": "INFO", "event_level": nil]),
        LibraryCase(.legacy, "MCOLLECTIVEAUDIT", "2013-12-05T15:30:01.123456+0000:", ["timestamp": "2013-12-05T15:30:01.123456+0000"]),
        LibraryCase(.ecs, "MCOLLECTIVEAUDIT", "2013-12-05T15:30:01.123456+0000:", ["timestamp": "2013-12-05T15:30:01.123456+0000"]),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "MCOLLECTIVE", "[2013-12-05T15:30:01.123456 #1234] INFO"),
        LibraryReject(.ecs, "MCOLLECTIVE", "I, [2013-12-05T15:30:01.123456 #1234]  CHATTY"),
        LibraryReject(.legacy, "MCOLLECTIVEAUDIT", "2013-12-05T15:30:01.123456+0000"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
