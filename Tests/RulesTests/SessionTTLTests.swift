import Foundation
import Rules
import Testing

/// `query.session_ttl`: how long a browser session lasts (docs/configuration.md).
@Suite("query.session_ttl")
struct SessionTTLTests {
    @Test func twelveHoursByDefault() throws {
        let dir = try TempConfig(yaml: "query: { tcp: [\"127.0.0.1:16686\"] }\n")
        #expect(try DaemonConfig.load(directory: dir.path).query.sessionTTL == .seconds(12 * 3600))
    }

    @Test(arguments: [("2s", 2), ("30m", 1800), ("7d", 7 * 86400), ("400d", 400 * 86400)])
    func takes(_ text: String, _ seconds: Int) throws {
        let dir = try TempConfig(yaml: "query: { session_ttl: \(text) }\n")
        #expect(try DaemonConfig.load(directory: dir.path).query.sessionTTL == .seconds(seconds))
    }

    @Test(arguments: ["0s", "401d", "1500ms", "12", "soon"])
    func refuses(_ text: String) throws {
        let dir = try TempConfig(yaml: "query: { session_ttl: \(text) }\n")
        let error = #expect(throws: ConfigError.self) { try DaemonConfig.load(directory: dir.path) }
        #expect(error?.message.contains("query.session_ttl") == true)
    }
}
