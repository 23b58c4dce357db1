import Testing
import TraceContext

@Suite("TraceID parsing")
struct TraceIDTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let encoding: IDEncoding
        let high: UInt64?
        let low: UInt64
        var testDescription: String { "\(encoding):\(text)" }
    }

    static let valid: [Case] = [
        Case(text: "1", encoding: .auto, high: nil, low: 1),
        Case(text: "1", encoding: .decimal, high: nil, low: 1),
        Case(text: "9007199254740993", encoding: .decimal, high: nil, low: 9_007_199_254_740_993),  // 2^53+1
        Case(text: "9223372036854775807", encoding: .auto, high: nil, low: 9_223_372_036_854_775_807),  // 2^63-1
        Case(text: "9223372036854775808", encoding: .auto, high: nil, low: 9_223_372_036_854_775_808),  // 2^63
        Case(text: "9982398928418628468", encoding: .auto, high: nil, low: 9_982_398_928_418_628_468),
        Case(text: "18446744073709551615", encoding: .decimal, high: nil, low: .max),  // 2^64-1
        Case(text: "18446744073709551616", encoding: .decimal, high: 1, low: 0),  // 2^64
        Case(text: "340282366920938463463374607431768211455", encoding: .auto, high: .max, low: .max),  // 2^128-1
        Case(text: "6b060b9000000000638337cabfd009ff", encoding: .auto, high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff),
        Case(text: "6B060B9000000000638337CABFD009FF", encoding: .hex, high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff),
        Case(text: "457dcf6aef3b9e387c5151ce8d6c2902", encoding: .hex, high: 0x457d_cf6a_ef3b_9e38, low: 0x7c51_51ce_8d6c_2902),
        // 32 digits that are all decimal are still hex under auto: the length decides.
        Case(text: "00000000000000000000000000000012", encoding: .auto, high: 0, low: 0x12),
        Case(text: "ce3a6d2cb615fac0", encoding: .auto, high: nil, low: 0xce3a_6d2c_b615_fac0),
        Case(text: "1234567890123456", encoding: .hex, high: nil, low: 0x1234_5678_9012_3456),
        // ...and 16 decimal digits under auto are decimal.
        Case(text: "1234567890123456", encoding: .auto, high: nil, low: 1_234_567_890_123_456),
        Case(text: "ffffffffffffffff", encoding: .hex, high: nil, low: .max),
    ]

    @Test(arguments: valid)
    func parsesExactly(_ c: Case) throws {
        let id = try #require(try TraceID.parse(c.text, encoding: c.encoding))
        #expect(id.high == c.high)
        #expect(id.low == c.low)
    }

    @Test(arguments: ["", "0", "-", "None", "null", "0000000000000000", "00000000000000000000000000000000", "000"])
    func zeroFormsMeanNoTrace(_ text: String) throws {
        for encoding in IDEncoding.allCases {
            #expect(try TraceID.parse(text, encoding: encoding) == nil, "\(encoding)")
        }
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        let text: String
        let encoding: IDEncoding
        let code: IDParseError.Code
        var testDescription: String { "\(encoding):\(text)" }
    }

    static let invalid: [Invalid] = [
        Invalid(text: "12x4", encoding: .decimal, code: .notADigit),
        Invalid(text: "hello", encoding: .auto, code: .notADigit),
        Invalid(text: "340282366920938463463374607431768211456", encoding: .decimal, code: .tooLarge),  // 2^128
        Invalid(text: String(repeating: "a", count: 31), encoding: .auto, code: .badHexLength),
        Invalid(text: String(repeating: "a", count: 33), encoding: .auto, code: .badHexLength),
        Invalid(text: String(repeating: "1", count: 31), encoding: .hex, code: .badHexLength),
        Invalid(text: " ", encoding: .auto, code: .whitespace),
        Invalid(text: "   ", encoding: .decimal, code: .whitespace),
        Invalid(text: " 123", encoding: .auto, code: .whitespace),
        Invalid(text: "12 3", encoding: .decimal, code: .whitespace),
        Invalid(text: "+123", encoding: .auto, code: .sign),
        Invalid(text: "-123", encoding: .decimal, code: .sign),
        Invalid(text: "0x1234567890abcdef", encoding: .hex, code: .notADigit),
        Invalid(text: "1.5e18", encoding: .decimal, code: .notADigit),
        Invalid(text: "abcdef", encoding: .decimal, code: .notADigit),
    ]

    @Test(arguments: invalid)
    func rejectsInvalid(_ c: Invalid) {
        #expect {
            _ = try TraceID.parse(c.text, encoding: c.encoding)
        } throws: { error in
            (error as? IDParseError)?.code == c.code
        }
    }

    @Test func formatsHexAndDecimal() throws {
        let full = try #require(try TraceID.parse("6b060b9000000000638337cabfd009ff", encoding: .auto))
        #expect(full.hex == "6b060b9000000000638337cabfd009ff")
        #expect(full.lowDecimal == "7170636375644965375")
        let low = try #require(try TraceID.parse("18446744073709551615", encoding: .auto))
        #expect(low.hex == "ffffffffffffffff")
        #expect(low.lowDecimal == "18446744073709551615")
        let small = TraceID(high: 0, low: 1)
        #expect(small.hex == "00000000000000000000000000000001")
        #expect(TraceID(high: nil, low: 0xab).hex == "00000000000000ab")
    }

    @Test func matchingBetween64And128Bits() {
        let low = TraceID(high: nil, low: 42)
        let full = TraceID(high: 7, low: 42)
        let otherFull = TraceID(high: 8, low: 42)
        #expect(low.matches(full))
        #expect(full.matches(low))
        #expect(full.matches(full))
        #expect(!full.matches(otherFull))
        #expect(!low.matches(TraceID(high: nil, low: 43)))
        #expect(!full.matches(TraceID(high: 7, low: 43)))
    }

    /// The one-pass parse of common forms agrees with digit-by-digit arithmetic in `UInt128`
    /// on random IDs of every length and case, decimal and hex.
    @Test func theQuickPathAgreesWithArithmetic() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        for _ in 0..<20_000 {
            let digits = 1 + Int(next() % 20)
            var text = String(next()) + String(next())
            text = String(text.prefix(digits))
            var expected: UInt128 = 0
            for c in text.utf8 { expected = expected * 10 + UInt128(c - 48) }
            let parsed = try TraceID.parse(text, encoding: .decimal)
            if expected == 0 {
                #expect(parsed == nil, "\(text)")
            } else {
                #expect(parsed?.low == UInt64(truncatingIfNeeded: expected), "\(text)")
                #expect(parsed?.high == (expected > UInt128(UInt64.max) ? UInt64(truncatingIfNeeded: expected >> 64) : nil), "\(text)")
            }
            let span = try? SpanID.parse(text, encoding: .decimal)
            #expect(span?.value == (expected == 0 || expected > UInt128(UInt64.max) ? nil : UInt64(expected)), "\(text)")

            let high = next(), low = next()
            var hex = String(repeating: "0", count: 16 - String(high, radix: 16).count) + String(high, radix: 16)
                + String(repeating: "0", count: 16 - String(low, radix: 16).count) + String(low, radix: 16)
            if next() % 2 == 0 { hex = hex.uppercased() }
            #expect(try TraceID.parse(hex, encoding: .auto) == TraceID(high: high, low: low), "\(hex)")
            #expect(try TraceID.parse(String(hex.suffix(16)), encoding: .hex) == TraceID(high: nil, low: low), "\(hex)")
            #expect(try SpanID.parse(String(hex.suffix(16)), encoding: .hex) == SpanID(low), "\(hex)")
        }
    }
}


/// The match rule as SQL says what `matches` says.
@Suite("TraceID SQL condition")
struct TraceIDSQLConditionTests {
    @Test func lowOnlyWhenTheHighHalfIsUnknown() {
        let id = TraceID(high: nil, low: 42)
        #expect(id.sqlCondition(low: "trace_lo", high: "trace_hi", highUnknown: "trace_hi_known = 0") == "trace_lo = 42")
    }

    @Test func aKnownHighHalfMatchesUnknownOrEqual() {
        let id = TraceID(high: 0x6b06_0b90_0000_0000, low: .max)
        #expect(id.sqlCondition(low: "trace_lo", high: "trace_hi", highUnknown: "trace_hi_known = 0")
            == "trace_lo = 18446744073709551615 AND (trace_hi_known = 0 OR trace_hi = 7711864125021749248)")
    }

    @Test func literalsAsTheColumnHoldsThem() {
        // SQLite keeps the signed integer with the same bits.
        let id = TraceID(high: .max, low: 1 << 63)
        let sql = id.sqlCondition(low: "lo", high: "hi", highUnknown: "hi IS NULL") { String(Int64(bitPattern: $0)) }
        #expect(sql == "lo = -9223372036854775808 AND (hi IS NULL OR hi = -1)")
    }
}
