import Foundation
import HostileText
import Testing
@testable import TracejoinCLI

@Suite("The daemon's own log escapes what it quotes")
struct DaemonLogEscapingTests {
    func line(_ format: DaemonLogHandler.Format, message: String = "refused Zipkin spans", reason: String) -> String {
        DaemonLogHandler.line(format: format, label: "tracejoin", time: "2026-12-06T10:00:00Z", level: "info", message: message,
                              metadata: [("reason", reason)], source: "Intake")
    }

    @Test(arguments: hostileTexts)
    func noFormatWritesAnActiveCharacter(_ text: String) {
        for format in DaemonLogHandler.Format.allCases {
            let written = line(format, message: "refused \(text)", reason: "span 0: traceId: '\(text)' is not hex")
            #expect(activeScalars(written).isEmpty, "\(format): \(written.debugDescription)")
        }
    }

    @Test func logfmtQuotesAndEscapes() {
        let written = line(.logfmt, reason: "span 0: traceId: '\u{1B}]0;pwned\u{07}' has 12 characters")
        #expect(written == #"ts=2026-12-06T10:00:00Z level=info msg="refused Zipkin spans" reason="span 0: traceId: '\x1b]0;pwned\x07' has 12 characters" module=Intake"#)
        // A backslash is doubled inside quotes, so `\x1b` written by a sender stays apart from ESC.
        #expect(DaemonLogHandler.logfmtValue("a\\x1b") == #""a\\x1b""#)
        #expect(DaemonLogHandler.logfmtValue("a\u{1B}") == #""a\x1b""#)
        #expect(DaemonLogHandler.logfmtValue("a\u{202E}b") == #""a\u202eb""#)
        #expect(DaemonLogHandler.logfmtValue("a\rb\nc") == #""a\rb\nc""#)
        #expect(DaemonLogHandler.logfmtValue("plain") == "plain")
    }

    @Test func jsonReadsBackExactly() throws {
        let reason = "\u{1B}[2J\r\u{9B}\u{2028}\u{202E}"
        let written = line(.json, reason: reason)
        #expect(activeScalars(written).isEmpty)
        let object = try JSONDecoder().decode([String: String].self, from: Data(written.utf8))
        #expect(object["reason"] == reason && object["module"] == "Intake")
    }
}
