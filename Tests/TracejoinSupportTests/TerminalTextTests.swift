import Foundation
import HostileText
import Testing
import TracejoinSupport

@Suite("Terminal text: control characters shown, never acted on")
struct TerminalTextTests {
    @Test(arguments: hostileTexts)
    func nothingActiveSurvives(_ text: String) {
        let escaped = TerminalText.escape(text)
        #expect(activeScalars(escaped).isEmpty, "\(escaped.debugDescription)")
        #expect(!escaped.utf8.contains(0x1B) && !escaped.utf8.contains(0x0D) && !escaped.utf8.contains(0x07))
        // Escaping twice changes nothing: escaped text holds nothing to escape.
        #expect(TerminalText.escape(escaped) == escaped)
    }

    @Test(arguments: [
        ("\u{1B}]0;pwned\u{07}", "\\x1b]0;pwned\\x07"),
        ("\u{1B}[2J", "\\x1b[2J"),
        ("a\rb", "a\\rb"),
        ("a\nb", "a\\nb"),
        ("a\tb", "a\tb"),
        ("\u{0}\u{1F}\u{7F}", "\\x00\\x1f\\x7f"),
        ("\u{80}\u{85}\u{9B}\u{9F}", "\\u0080\\u0085\\u009b\\u009f"),
        ("\u{2028}\u{2029}", "\\u2028\\u2029"),
        ("\u{202A}\u{202E}\u{2066}\u{2069}\u{200E}\u{200F}\u{061C}", "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c"),
        // A backslash stays: paths and regexes read as written.
        ("C:\\logs\\x1b", "C:\\logs\\x1b"),
        // Printable text past ASCII, the neighbours of escaped characters included, stays.
        ("é 🙂 日本 \u{A0}\u{2027}\u{202F}\u{2065}\u{0600}", "é 🙂 日本 \u{A0}\u{2027}\u{202F}\u{2065}\u{0600}"),
    ])
    func writtenForms(_ text: String, _ shown: String) {
        #expect(TerminalText.escape(text) == shown)
    }

    @Test func newlinesKeptOnlyWhenAsked() {
        #expect(TerminalText.escape("first\nsecond\r\u{1B}[2J", keepingNewlines: true) == "first\nsecond\\r\\x1b[2J")
        #expect(TerminalText.escape("first\nsecond") == "first\\nsecond")
    }

    /// JSON made safe is the same JSON: it decodes to the original strings.
    @Test(arguments: hostileTexts)
    func jsonTextStaysTheSameJSON(_ text: String) throws {
        let json = String(decoding: try JSONEncoder().encode(["key \(text)": text]), as: UTF8.self)
        let safe = TerminalText.escapeJSON(json)
        #expect(activeScalars(safe).isEmpty, "\(safe.debugDescription)")
        #expect(try JSONDecoder().decode([String: String].self, from: Data(safe.utf8)) == ["key \(text)": text])
        // An NDJSON stream keeps its line breaks.
        #expect(TerminalText.escapeJSON(json + "\n" + json) == safe + "\n" + safe)
    }

    /// The project's JSON writer escapes the same characters, and reads back exactly.
    @Test(arguments: hostileTexts)
    func jsonWriterEscapesEveryActiveCharacter(_ text: String) throws {
        let quoted = JSONText.quote(text)
        #expect(activeScalars(quoted).isEmpty, "\(quoted.debugDescription)")
        #expect(try JSONDecoder().decode([String].self, from: Data("[\(quoted)]".utf8)) == [text])
        let bytes = Array(quoted.utf8)
        let read = try bytes.withUnsafeBufferPointer { try JSONString.read($0, quoteAt: 0) }
        #expect(read.value == text && read.end == bytes.count)
    }

    @Test func jsonWriterForms() {
        #expect(JSONText.quote("\u{1B}\u{7F}\u{9B}\u{2028}\u{202E}\u{061C}\"\\\n") == #""\u001b\u007f\u009b\u2028\u202e\u061c\"\\\n""#)
        // Neighbours of the escaped characters are written as they are.
        let neighbours = "\u{A0}\u{2027}\u{202F}\u{2065}\u{206A}\u{0600}é🙂"
        #expect(JSONText.quote(neighbours) == "\"" + neighbours + "\"")
    }
}
