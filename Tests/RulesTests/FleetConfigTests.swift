import Foundation
import Rules
import Testing

/// `fleet:` in tracejoin.yaml: the ClickHouse servers the fleet service reads.
@Suite("Fleet configuration")
struct FleetConfigTests {
    @Test func shardsDatabaseAndTimeoutAreRead() throws {
        let dir = try TempConfig(yaml: "fleet: { shards: [\"http://a:8123\", \"http://b:8123\"], database: fleet, user: reader, timeout: 2500ms }\n")
        let fleet = try #require(try DaemonConfig.load(directory: dir.path).fleet)
        #expect(fleet.urls == ["http://a:8123", "http://b:8123"])
        #expect(fleet.database == "fleet" && fleet.user == "reader")
        #expect(fleet.timeout == .milliseconds(2500))
        let oneDir = try TempConfig(yaml: "fleet: { url: \"http://a:8123\" }\n")
        let one = try #require(try DaemonConfig.load(directory: oneDir.path).fleet)
        #expect(one.urls == ["http://a:8123"] && one.database == "tracejoin" && one.timeout == .seconds(10))
    }

    @Test(arguments: [
        ("fleet: { database: x }\n", "fleet needs url"),
        ("fleet: { url: \"http://a:1\", shards: [\"http://b:1\"] }\n", "not both"),
        ("fleet: { shards: [\"ftp://a\"] }\n", "not an http:// or https:// URL"),
        ("fleet: { shards: [\"http://a:1\", \"http://a:1\"] }\n", "names a server twice"),
        ("fleet: { url: \"http://a:1\", password: x }\n", "fleet.password is not read"),
        ("fleet: { url: \"http://a:1\", timeout: 1h }\n", "fleet.timeout"),
        ("fleet: { url: \"http://a:1\", database: \"a-b\" }\n", "fleet.database"),
        ("fleet: { url: \"http://a:1\" }\nexport: { clickhouse: { url: \"http://a:1\" } }\n", "exports nothing"),
    ])
    func mistakesAreNamed(_ yaml: String, _ expected: String) throws {
        let dir = try TempConfig(yaml: yaml)
        #expect {
            try DaemonConfig.load(directory: dir.path)
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            if !message.contains(expected) { Issue.record("got \(error)") }
            return message.contains(expected)
        }
    }
}
