/// A span ID: 64 bits, never zero.
public struct SpanID: Hashable, Sendable {
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// 16 lowercase hex digits (the W3C / OpenTelemetry form).
    public var hex: String { IDScanner.hexString(value, digits: 16) }

    /// Decimal (the Datadog form).
    public var decimal: String { String(value) }

    /// Parses a span ID token.
    ///
    /// `auto` reads hex when the token has a hex letter, else decimal: ddtrace logs span IDs in
    /// decimal. Hex span IDs have exactly 16 digits.
    /// - Returns: `nil` for the "no span" forms (`0`, all-zero hex, empty, `-`, `None`, `null`).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, encoding: IDEncoding) throws(IDParseError) -> SpanID? {
        // The common forms in one pass over the bytes; anything else takes the careful path.
        if let scan = IDScanner.quickScan(bytes) {
            if scan.zero { return nil }
            let hex = encoding == .hex || (encoding == .auto && scan.hexLetter)
            if hex && bytes.count == 16 { return SpanID(IDScanner.hex64(bytes, from: 0)) }
            if !hex && !scan.hexLetter && bytes.count <= 19 { return SpanID(IDScanner.decimal64(bytes)) }
        }
        guard try IDScanner.shape(bytes) == .token else { return nil }
        let useHex = encoding == .hex || (encoding == .auto && IDScanner.hasHexLetter(bytes))
        let value: UInt128
        if useHex {
            guard bytes.count == 16 else {
                _ = try IDScanner.hex(bytes)
                throw IDParseError(.badHexLength, "hex span IDs have 16 digits, got \(bytes.count)")
            }
            value = try IDScanner.hex(bytes)
        } else {
            value = try IDScanner.decimal(bytes, limit: UInt128(UInt64.max), limitName: "2^64-1")
        }
        return value == 0 ? nil : SpanID(UInt64(value))
    }

    /// Parses a span ID given as text.
    public static func parse(_ text: some StringProtocol, encoding: IDEncoding) throws(IDParseError) -> SpanID? {
        try text.withUTF8Bytes { (b) throws(IDParseError) in try parse(b, encoding: encoding) }
    }
}

extension SpanID: CustomStringConvertible {
    public var description: String { hex }
}
