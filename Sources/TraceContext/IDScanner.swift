/// The digit-level parsing that `TraceID` and `SpanID` share. Works on UTF-8 bytes; no
/// `Double`, no signed arithmetic: decimal accumulates in `UInt128` with overflow checks.
enum IDScanner {
    /// Result of looking at a token before choosing a base.
    enum Shape {
        /// One of the "no ID" spellings: empty, `-`, `None`, `null`.
        case absent
        case token
    }

    static func shape(_ bytes: UnsafeBufferPointer<UInt8>) throws(IDParseError) -> Shape {
        if bytes.isEmpty { return .absent }
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "-") { return .absent }
        if equals(bytes, "None") || equals(bytes, "null") { return .absent }
        // `0`, `0000000000000000`, 32 zeros: the zero ID in any base and length means "no ID".
        if bytes.allSatisfy({ $0 == UInt8(ascii: "0") }) { return .absent }
        for (i, b) in bytes.enumerated() {
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw IDParseError(.whitespace, "whitespace at offset \(i); IDs are a bare run of digits")
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                throw IDParseError(.sign, "sign '\(Character(Unicode.Scalar(b)))' at offset \(i); IDs are unsigned")
            default:
                continue
            }
        }
        return .token
    }

    /// The common case in one pass: a token of hex digits only. Returns whether it is all
    /// zeros and whether it has a hex letter; `nil` for anything else (empty, a sign, a space,
    /// `None`…), which the careful path then parses and names.
    @inline(__always)
    static func quickScan(_ bytes: UnsafeBufferPointer<UInt8>) -> (zero: Bool, hexLetter: Bool)? {
        guard !bytes.isEmpty else { return nil }
        var nonZero: UInt8 = 0
        var letter = false
        for b in bytes {
            if b &- UInt8(ascii: "0") <= 9 {
                nonZero |= b ^ UInt8(ascii: "0")
            } else if (b | 0x20) &- UInt8(ascii: "a") <= 5 {
                letter = true
                nonZero = 1
            } else {
                return nil
            }
        }
        return (nonZero == 0, letter)
    }

    /// Up to 19 decimal digits (checked by `quickScan`, no letter): cannot overflow 64 bits.
    @inline(__always)
    static func decimal64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for b in bytes { value = value &* 10 &+ UInt64(b &- UInt8(ascii: "0")) }
        return value
    }

    /// 16 hex digits (checked by `quickScan`) starting at `start`.
    @inline(__always)
    static func hex64(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in start..<(start + 16) {
            let b = bytes[i]
            let digit = b &- UInt8(ascii: "0") <= 9 ? b &- UInt8(ascii: "0") : (b | 0x20) &- UInt8(ascii: "a") &+ 10
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    static func hasHexLetter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains { (b: UInt8) in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "F"))
        }
    }

    /// Parses decimal digits into a value no larger than `limit`.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, limit: UInt128, limitName: String) throws(IDParseError) -> UInt128 {
        var value: UInt128 = 0
        for (i, b) in bytes.enumerated() {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else {
                throw IDParseError(.notADigit, "\(describe(b)) at offset \(i) is not a decimal digit")
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(UInt128(b &- UInt8(ascii: "0")))
            if o1 || o2 || next > limit {
                throw IDParseError(.tooLarge, "decimal value exceeds \(limitName)")
            }
            value = next
        }
        return value
    }

    /// Parses exactly `bytes.count` hex digits (the caller checks the length).
    static func hex(_ bytes: UnsafeBufferPointer<UInt8>) throws(IDParseError) -> UInt128 {
        var value: UInt128 = 0
        for (i, b) in bytes.enumerated() {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default:
                throw IDParseError(.notADigit, "\(describe(b)) at offset \(i) is not a hex digit")
            }
            value = value << 4 | UInt128(digit)
        }
        return value
    }

    static func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7f { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard bytes.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<bytes.count where bytes[i] != p[i] { return false }
        return true
    }

    /// Lowercase hex of `value`, left-padded with zeros to `digits`.
    static func hexString(_ value: UInt64, digits: Int) -> String {
        let n = max(digits, (64 - value.leadingZeroBitCount + 3) / 4, 1)
        return String(unsafeUninitializedCapacity: n) { out in
            var v = value
            for i in stride(from: n - 1, through: 0, by: -1) {
                let d = UInt8(truncatingIfNeeded: v & 15)
                out[i] = d < 10 ? 0x30 + d : 0x57 + d
                v >>= 4
            }
            return n
        }
    }
}

extension StringProtocol {
    /// Runs `body` over the string's UTF-8 bytes without copying when the storage is contiguous.
    func withUTF8Bytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        var copy = String(self)
        let result: Result<R, E> = copy.withUTF8 { buffer in
            do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
