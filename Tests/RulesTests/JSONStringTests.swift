import Rules
import Testing
import TraceContext
import TracejoinModel
import TracejoinSupport

/// `JSONString` reads what visitors of a logged app typed: every `\u` escape sequence, paired or
/// not, is read without trapping (issue 21: `"\udbee\udbee"` stopped the daemon).
@Suite("JSON string literals")
struct JSONStringTests {
    static func read(_ literal: String) throws -> String {
        let bytes = Array(literal.utf8)
        return try bytes.withUnsafeBufferPointer { try JSONString.read($0, quoteAt: 0).value }
    }

    @Test(arguments: [
        (#""\ud83d\ude00""#, "😀"),                      // a pair
        (#""\udbee\udbee""#, "\u{FFFD}\u{FFFD}"),        // two high surrogates (the trap)
        (#""\ud83d\u00e9""#, "\u{FFFD}é"),               // high, then a BMP escape (json.dumps of a visitor's text)
        (#""\ude00x""#, "\u{FFFD}x"),                    // a lone low surrogate
        (#""\ud83dx""#, "\u{FFFD}x"),                    // a lone high surrogate
        (#""\ud83d\n""#, "\u{FFFD}\n"),                  // high, then another kind of escape
        (#""\ud83d""#, "\u{FFFD}"),                      // high at the end
        (#""\u0000\uffff""#, "\u{0}\u{FFFF}"),
    ])
    func escapesAreReadWithoutTrapping(literal: String, expected: String) throws {
        #expect(try Self.read(literal) == expected)
    }

    @Test(arguments: [#""\ud83d\u12""#, #""\ud83d\uzzzz""#, #""\u12"#, #""abc"#])
    func brokenEscapesAreErrors(literal: String) {
        #expect(throws: JSONString.Failure.self) { try Self.read(literal) }
    }

    /// The line from the issue, through a structlog rule: stored with its IDs and the field.
    @Test func theIssueLineParsesWithItsIDs() throws {
        let source = try loadSource("""
            source: py
            paths: [x]
            rules:
              - name: structlog
                json: { trace_id: dd.trace_id, span_id: dd.span_id, message: event }
                ids: { trace: auto, span: decimal }
            """)
        let r = record(parse(source.parser.makeSession(), #"{"event":"hi","x":"\udbee\udbee","dd.trace_id":"1","dd.span_id":"2"}"#))
        #expect(r?.traceID == TraceID(high: nil, low: 1))
        #expect(r?.spanID == SpanID(2))
        #expect(r?.message == "hi")
        #expect(field(r, "x") == .string("\u{FFFD}\u{FFFD}"))
    }
}
