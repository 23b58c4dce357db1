import Testing
import TraceContext

private func trace(_ low: UInt64, high: UInt64? = nil) -> TraceID { TraceID(high: high, low: low) }

/// The one rule for what a typed ID may mean (`lookupCandidates`), in the order lookups try it.
@Suite("ID lookup candidates")
struct IDLookupTests {
    static let tracejoin: [(String, [TraceID])] = [
        // 16 plain digits: Datadog's decimal first, then the same text as hex.
        ("1234567890123456", [trace(1_234_567_890_123_456), trace(0x1234_5678_9012_3456)]),
        ("0000000000000042", [trace(42), trace(0x42)]),
        // Both readings are the same ID: it is tried once.
        ("0000000000000009", [trace(9)]),
        // A hex letter, or 32 characters, decides: one reading.
        ("ce3a6d2cb615fac0", [trace(0xce3a_6d2c_b615_fac0)]),
        ("CE3A6D2CB615FAC0", [trace(0xce3a_6d2c_b615_fac0)]),
        ("6b060b9000000000638337cabfd009ff", [trace(0x6383_37ca_bfd0_09ff, high: 0x6b06_0b90_0000_0000)]),
        ("00000000000000000000000000000012", [trace(0x12, high: 0)]),
        // Other lengths of digits are decimal only.
        ("1295274668589741838", [trace(1_295_274_668_589_741_838)]),
        ("123456789012345", [trace(123_456_789_012_345)]),
        ("12345678901234567", [trace(12_345_678_901_234_567)]),
        // The "no trace" forms mean nothing to look up.
        ("0", []),
        ("", []),
        ("-", []),
        ("0000000000000000", []),
    ]

    @Test(arguments: tracejoin)
    func traceTracejoin(_ text: String, _ expected: [TraceID]) throws {
        #expect(try TraceID.lookupCandidates(text) == expected)
        #expect(try TraceID.lookupCandidates(text, convention: .tracejoin) == expected)
    }

    @Test(arguments: [
        ("ce3a6d2cb615fac", IDParseError.Code.badHexLength),
        ("-5", .sign),
        ("12 ", .whitespace),
        ("340282366920938463463374607431768211456", .tooLarge),  // 2^128
    ])
    func traceTracejoinRejects(_ text: String, _ code: IDParseError.Code) {
        #expect {
            _ = try TraceID.lookupCandidates(text)
        } throws: { error in
            (error as? IDParseError)?.code == code
        }
    }

    static let jaeger: [(String, [TraceID])] = [
        // Hex first, leading zeros dropped (Grafana's form), then decimal for digits only.
        ("12", [trace(0x12), trace(12)]),
        ("1234567890123456", [trace(0x1234_5678_9012_3456), trace(1_234_567_890_123_456)]),
        ("abc", [trace(0xabc)]),
        ("ABC", [trace(0xabc)]),
        ("ce3a6d2cb615fac", [trace(0x0ce3_a6d2_cb61_5fac)]),
        // 17 to 32 hex digits are padded to a 128-bit ID.
        ("b060b9000000000638337cabfd009ff", [trace(0x6383_37ca_bfd0_09ff, high: 0x0b06_0b90_0000_0000)]),
        ("10000000000000000", [trace(0, high: 1), trace(10_000_000_000_000_000)]),
        // Hex and decimal the same: once.
        ("1", [trace(1)]),
        // Nothing to look up.
        ("0", []),
        ("", []),
        ("xyz", []),
        ("-12", []),
        ("1234567890123456789012345678901234567890", []),  // 40 digits
    ]

    @Test(arguments: jaeger)
    func traceJaeger(_ text: String, _ expected: [TraceID]) throws {
        #expect(try TraceID.lookupCandidates(text, convention: .jaeger) == expected)
    }

    @Test func jaegerReadsLongDecimalAsA128BitValue() throws {
        // 33 digits: too long for hex, a decimal wider than 64 bits.
        let value: UInt128 = 100_000_000_000_000_000_000_000_000_000_000
        let expected = TraceID(high: UInt64(truncatingIfNeeded: value >> 64), low: UInt64(truncatingIfNeeded: value))
        #expect(try TraceID.lookupCandidates(String(value), convention: .jaeger) == [expected])
        #expect(expected.high != nil)
    }

    static let spans: [(String, [SpanID])] = [
        ("1234567890123456", [SpanID(1_234_567_890_123_456), SpanID(0x1234_5678_9012_3456)]),
        ("0000000000000042", [SpanID(42), SpanID(0x42)]),
        ("0000000000000009", [SpanID(9)]),
        ("ce3a6d2cb615fac0", [SpanID(0xce3a_6d2c_b615_fac0)]),
        ("1295274668589741838", [SpanID(1_295_274_668_589_741_838)]),
        ("18446744073709551615", [SpanID(.max)]),
        ("0", []),
        ("", []),
        ("0000000000000000", []),
    ]

    @Test(arguments: spans)
    func span(_ text: String, _ expected: [SpanID]) throws {
        #expect(try SpanID.lookupCandidates(text) == expected)
    }

    @Test(arguments: [
        ("ce3a6d2cb615fac", IDParseError.Code.badHexLength),
        ("18446744073709551616", .tooLarge),  // 2^64
        ("-1", .sign),
    ])
    func spanRejects(_ text: String, _ code: IDParseError.Code) {
        #expect {
            _ = try SpanID.lookupCandidates(text)
        } throws: { error in
            (error as? IDParseError)?.code == code
        }
    }
}
