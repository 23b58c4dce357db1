import Testing
@testable import Grok

@Suite("Logstash library: postgresql")
struct PostgreSQLLibraryTests {
    // The prefix written by log_line_prefix = '%t %u %c %p'.
    static let prefix = "2014-01-28 10:10:10 UTC postgres 52e7ce0e.1a2b 4711"

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "POSTGRESQL", prefix,
                    ["timestamp": "2014-01-28 10:10:10", "user_id": "postgres", "connection_id": "52e7ce0e.1a2b", "pid": "4711"]),
        LibraryCase(.ecs, "POSTGRESQL", prefix,
                    ["timestamp": "2014-01-28 10:10:10", "event.timezone": "UTC", "user.name": "postgres",
                     "postgresql.log.connection_id": "52e7ce0e.1a2b", "process.pid": "4711", "user_id": nil]),
        LibraryCase(.legacy, "POSTGRESQL", "28-01-2014 10:10:10 EST app_user 52e7ce0e.1a2b 4711", ["timestamp": "28-01-2014 10:10:10", "user_id": "app_user"]),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "POSTGRESQL", "2014-01-28 10:10:10 UTC LOG:  database system is ready to accept connections"),
        LibraryReject(.ecs, "POSTGRESQL", "LOG:  connection received: host=10.0.0.5 port=5432"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
