import Foundation
import Testing
import TracejoinSupport

/// What ``JSONWriter`` writes for text from outside, and what ``JSONString`` reads back.
@Suite("JSON strings written and read")
struct JSONTests {
    static func written(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.append(string: s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func read(_ literal: String) throws -> (value: String, end: Int) {
        let bytes = Array(literal.utf8)
        return try bytes.withUnsafeBufferPointer { b in try JSONString.read(b, quoteAt: 0) }
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("quote \" and \\", #""quote \" and \\""#),
        ("a\nb\rc\td", #""a\nb\rc\td""#),
        ("\u{0}\u{1B}[31m\u{7F}", #""\u0000\u001b[31m\u007f""#),
        ("C1 \u{9B} and \u{85}", #""C1 \u009b and \u0085""#),
        ("\u{2028}\u{2029}\u{202E}\u{061C}", #""\u2028\u2029\u202e\u061c""#),
        // Characters past ASCII that a terminal only shows stay as they are.
        ("é 日本 😀 \u{A0}", "\"é 日本 😀 \u{A0}\""),
    ])
    func escapes(_ value: String, _ literal: String) {
        #expect(Self.written(value) == literal)
    }

    /// Whatever is written reads back the same, with our reader and with Foundation's.
    @Test(arguments: ["", "plain", "quote \" back\\slash", "\u{0}\u{1}\u{1F}\u{7F}\u{80}\u{9F}", "\u{1B}]0;title\u{07}",
                      "line\u{2028}sep\u{2029}", "bidi \u{202A}\u{202E}\u{2066}\u{2069}\u{200E}\u{200F}", "😀 é \u{FFFD}"])
    func roundTrips(_ value: String) throws {
        let literal = Self.written(value)
        let (back, end) = try Self.read(literal)
        #expect(back == value)
        #expect(end == literal.utf8.count)
        let decoded = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == value)
    }

    @Test func readsALiteralInsideALine() throws {
        let line = Array(#"x="a\tb" y"#.utf8)
        let (value, end) = try line.withUnsafeBufferPointer { try JSONString.read($0, quoteAt: 2) }
        #expect(value == "a\tb")
        #expect(end == 8)
        #expect(line[end] == UInt8(ascii: " "))
    }

    @Test(arguments: [
        (#""\ud83d\ude00""#, "😀"),
        // A high surrogate without its low one is U+FFFD; what follows is read on its own.
        (#""\ud83d\u0041""#, "\u{FFFD}A"),
        (#""\ude00x""#, "\u{FFFD}x"),
        (#""\u00e9\u00C9""#, "éÉ"),
        (#""\/\q""#, "/q"),
    ])
    func unescapes(_ literal: String, _ value: String) throws {
        #expect(try Self.read(literal).value == value)
    }

    @Test func anUnterminatedStringIsRefusedAtItsQuote() {
        let line = Array(#"key: "no end"#.utf8)
        #expect {
            _ = try line.withUnsafeBufferPointer { try JSONString.read($0, quoteAt: 5) }
        } throws: { error in
            (error as? JSONString.Failure)?.offset == 5
        }
    }

    @Test func aWriterPlacesCommasAndNesting() {
        var w = JSONWriter()
        w.objectStart()
        w.member("a", Int64(-1))
        w.key("list")
        w.arrayStart()
        w.int(1)
        w.string(nil)
        w.bool(true)
        w.arrayEnd()
        w.member("u", UInt64.max)
        w.member("s", "x\u{1B}")
        w.objectEnd()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"a":-1,"list":[1,null,true],"u":18446744073709551615,"s":"x\u001b"}"#)
    }

    /// JSON has no number that is not finite: such a double is written as its text.
    @Test func aDoubleThatIsNotFiniteIsWrittenAsText() {
        var w = JSONWriter()
        w.arrayStart()
        w.double(2.5)
        w.double(-.infinity)
        w.double(.nan)
        w.arrayEnd()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"[2.5,"-inf","nan"]"#)
    }
}
