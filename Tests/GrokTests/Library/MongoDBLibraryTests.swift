import Testing
@testable import Grok

@Suite("Logstash library: mongodb")
struct MongoDBLibraryTests {
    static let mongo2 = #"Mar 29 10:39:01 [conn12] end connection 127.0.0.1:51862 (3 connections now open)"#
    static let slow = #"query test.users query: { name: "alice" } ntoreturn:0 ntoskip:0 nscanned:1043 keyUpdates:0 locks(micros) r:1377 nreturned:1 reslen:86 110ms"#
    static let mongo3 = #"2015-09-29T12:31:35.455+0200 I NETWORK  [initandlisten] waiting for connections on port 27017"#

    static let cases: [LibraryCase] = [
        LibraryCase(.legacy, "MONGO_LOG", mongo2,
                    ["timestamp": "Mar 29 10:39:01", "component": "conn12", "message": "end connection 127.0.0.1:51862 (3 connections now open)"]),
        LibraryCase(.ecs, "MONGO_LOG", mongo2, ["timestamp": "Mar 29 10:39:01", "mongodb.component": "conn12", "component": nil]),
        LibraryCase(.legacy, "MONGO_SLOWQUERY", slow,
                    ["database": "test", "collection": "users", "query": #"{ name: "alice" }"#, "ntoreturn": "0", "ntoskip": "0",
                     "nscanned": "1043", "nreturned": "1", "duration": "110"]),
        LibraryCase(.ecs, "MONGO_SLOWQUERY", slow,
                    ["mongodb.profile.op": "query", "mongodb.database": "test", "mongodb.collection": "users",
                     "mongodb.query.original": #"{ name: "alice" }"#, "mongodb.profile.ntoreturn": "0", "mongodb.profile.ntoskip": "0",
                     "mongodb.profile.nscanned": "1043", "mongodb.profile.nreturned": "1", "mongodb.profile.duration": "110"]),
        // MONGO_QUERY ends where ' ntoreturn:' follows, so it is checked inside MONGO_SLOWQUERY (query).
        LibraryCase(.legacy, "MONGO_WORDDASH", "user-events"),
        LibraryCase(.legacy, "MONGO3_LOG", mongo3,
                    ["timestamp": "2015-09-29T12:31:35.455+0200", "severity": "I", "component": "NETWORK", "context": "initandlisten",
                     "message": "waiting for connections on port 27017"]),
        LibraryCase(.ecs, "MONGO3_LOG", mongo3,
                    ["timestamp": "2015-09-29T12:31:35.455+0200", "log.level": "I", "mongodb.component": "NETWORK",
                     "mongodb.context": "initandlisten", "message": "waiting for connections on port 27017", "severity": nil]),
        LibraryCase(.legacy, "MONGO3_LOG", #"2015-09-29T12:31:35.455+0200 W -        [main] warning: something odd"#,
                    ["severity": "W", "component": "-", "context": "main"]),
        LibraryCase(.ecs, "MONGO3_LOG", #"2015-09-29T12:31:35.455+0200 W -        [main] warning: something odd"#,
                    ["log.level": "W", "mongodb.component": nil, "mongodb.context": "main"]),
        LibraryCase(.legacy, "MONGO3_SEVERITY", "E"),
        LibraryCase(.legacy, "MONGO3_COMPONENT", "STORAGE"),
    ]

    static let rejects: [LibraryReject] = [
        LibraryReject(.legacy, "MONGO_LOG", mongo3),
        LibraryReject(.ecs, "MONGO3_LOG", mongo2),
        LibraryReject(.legacy, "MONGO_SLOWQUERY", "query test.users query: { name: \"alice\" } nreturned:1 110ms"),
        LibraryReject(.legacy, "MONGO3_SEVERITY", "INFO"),
    ]

    @Test(arguments: cases) func matchesItsFormat(_ c: LibraryCase) throws { try check(c) }
    @Test(arguments: rejects) func refuses(_ r: LibraryReject) throws { try check(r) }
}
