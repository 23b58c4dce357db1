import Testing
@testable import Grok

@Suite("Logstash library: redis")
struct RedisLibraryTests {
    static let monitor = #"1339518083.107412 [0 127.0.0.1:60866] "keys" "*""#

    static let cases: [LibraryCase] = [
        // REDISLOG is the prefix of a Redis 2.x log line (pid, time, '*').
        LibraryCase(.legacy, "REDISLOG", "[4018] 14 Nov 07:01:22.119 * ", ["pid": "4018", "timestamp": "14 Nov 07:01:22.119"]),
        LibraryCase(.ecs, "REDISLOG", "[4018] 14 Nov 07:01:22.119 *", ["process.pid": "4018", "timestamp": "14 Nov 07:01:22.119", "pid": nil]),
        LibraryCase(.legacy, "REDISMONLOG", monitor,
                    ["timestamp": "1339518083.107412", "database": "0", "client": "127.0.0.1", "port": "60866", "command": "keys", "params": #""*""#]),
        LibraryCase(.ecs, "REDISMONLOG", monitor,
                    ["timestamp": "1339518083.107412", "redis.database.id": "0", "client.ip": "127.0.0.1", "client.port": "60866",
                     "redis.command.name": "keys", "redis.command.args": #""*""#, "client": nil]),
        LibraryCase(.legacy, "REDISMONLOG", #"1700000000.000001 [3 10.0.0.5:51000] "PING""#, ["command": "PING", "params": ""]),
        LibraryCase(.legacy, "REDISTIMESTAMP", "14 Nov 07:01:22.119"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "REDISLOG", "4018:M 14 Nov 2026 07:01:22.119 * Ready to accept connections"),
        LibraryReject(.ecs, "REDISMONLOG", #"1339518083.107412 [0 127.0.0.1:60866] keys *"#),
        LibraryReject(.legacy, "REDISTIMESTAMP", "Nov 14 07:01:22"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
