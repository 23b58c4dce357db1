import Testing
import TraceContext

@Suite("SpanID parsing")
struct SpanIDTests {
    @Test(arguments: [
        ("1", IDEncoding.decimal, UInt64(1)),
        ("9007199254740993", .decimal, 9_007_199_254_740_993),
        ("9223372036854775808", .auto, 9_223_372_036_854_775_808),
        ("1295274668589741838", .auto, 1_295_274_668_589_741_838),
        ("18446744073709551615", .decimal, .max),
        ("ce3a6d2cb615fac0", .auto, 0xce3a_6d2c_b615_fac0),
        ("CE3A6D2CB615FAC0", .hex, 0xce3a_6d2c_b615_fac0),
        ("1234567890123456", .hex, 0x1234_5678_9012_3456),
        ("1234567890123456", .auto, 1_234_567_890_123_456),
    ])
    func parsesExactly(_ text: String, _ encoding: IDEncoding, _ expected: UInt64) throws {
        #expect(try SpanID.parse(text, encoding: encoding) == SpanID(expected))
    }

    @Test(arguments: ["", "0", "-", "None", "null", "0000000000000000"])
    func zeroFormsMeanNoSpan(_ text: String) throws {
        #expect(try SpanID.parse(text, encoding: .auto) == nil)
        #expect(try SpanID.parse(text, encoding: .hex) == nil)
    }

    @Test(arguments: [
        ("18446744073709551616", IDEncoding.decimal, IDParseError.Code.tooLarge),  // 2^64
        ("6b060b9000000000638337cabfd009ff", .hex, .badHexLength),
        ("ce3a6d2cb615fac", .auto, .badHexLength),
        ("ce3a6d2cb615fac0", .decimal, .notADigit),
        ("-5", .auto, .sign),
        ("5 ", .auto, .whitespace),
    ])
    func rejectsInvalid(_ text: String, _ encoding: IDEncoding, _ code: IDParseError.Code) {
        #expect {
            _ = try SpanID.parse(text, encoding: encoding)
        } throws: { error in
            (error as? IDParseError)?.code == code
        }
    }

    @Test func formats() {
        let id = SpanID(1_295_274_668_589_741_838)
        #expect(id.decimal == "1295274668589741838")
        #expect(id.hex == "11f9bd72cbda770e")
        #expect(SpanID(1).hex == "0000000000000001")
    }
}
