import Foundation
import Rules
import Testing

/// `intake.allowed_origins`: the web pages whose requests the intake accepts (docs/intake.md,
/// "Who may send"). Each entry is an origin exactly as a browser sends it in `Origin`.
@Suite("intake.allowed_origins")
struct AllowedOriginsTests {
    @Test func noneByDefault() throws {
        let dir = try TempConfig(yaml: "intake: { socket: run/intake.sock }\n")
        #expect(try DaemonConfig.load(directory: dir.path).intake.allowedOrigins == [])
    }

    @Test func originsAreKeptAsBrowsersSendThem() throws {
        let dir = try TempConfig(yaml: """
            intake:
              allowed_origins:
                - http://good.example
                - HTTPS://App.Example:8443
                - http://localhost:80
                - https://[::1]:443
                - http://127.0.0.1:3000
            """)
        let origins = try DaemonConfig.load(directory: dir.path).intake.allowedOrigins
        // Lowercase, and the scheme's default port left out, as in the header.
        #expect(origins == ["http://good.example", "https://app.example:8443", "http://localhost", "https://[::1]", "http://127.0.0.1:3000"])
    }

    @Test func anEmptyListIsAllowed() throws {
        let dir = try TempConfig(yaml: "intake: { allowed_origins: [] }\n")
        #expect(try DaemonConfig.load(directory: dir.path).intake.allowedOrigins == [])
    }

    @Test(arguments: [
        ("http://good.example/", "is not an origin"),
        ("http://good.example/app", "is not an origin"),
        ("good.example", "is not an origin"),
        ("ftp://good.example", "is not an origin"),
        ("http://user@good.example", "is not an origin"),
        ("http://good.example:0", "is not an origin"),
        ("http://good.example:65536", "is not an origin"),
        ("http://good.example:+80", "is not an origin"),
        ("http://", "is not an origin"),
        ("*", "would let any web page write spans"),
        ("null", "would let any web page write spans"),
    ])
    func refused(_ origin: String, _ words: String) throws {
        let dir = try TempConfig(yaml: "state_dir: state\nintake:\n  allowed_origins: [\"\(origin)\"]\n")
        #expect {
            try DaemonConfig.load(directory: dir.path)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            // file:line of the setting, naming it and the entry.
            let ok = error.line == 3 && error.message.contains("intake.allowed_origins: '\(origin)'") && error.message.contains(words)
            if !ok { Issue.record("got \(error)") }
            return ok
        }
    }

    @Test func onlyTheIntakeHasIt() throws {
        let dir = try TempConfig(yaml: "query: { allowed_origins: [\"http://good.example\"] }\n")
        #expect(throws: ConfigError.self) { try DaemonConfig.load(directory: dir.path) }
    }
}
