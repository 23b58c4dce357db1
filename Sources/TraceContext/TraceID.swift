/// A trace ID: 128 bits, of which the high half may be unknown.
///
/// Datadog's 64-bit form carries only the low 64 bits (`dd.trace_id` in decimal, or a span's
/// `trace_id` field); the high half arrives separately (`_dd.p.tid`) or not at all. OpenTelemetry
/// and W3C carry all 128 bits. A `TraceID` with `high == nil` matches any trace with the same
/// low half — see ``matches(_:)``.
public struct TraceID: Hashable, Sendable {
    /// The high 64 bits, or `nil` when the source did not carry them.
    public var high: UInt64?
    /// The low 64 bits: what Datadog calls the trace ID.
    public var low: UInt64

    public init(high: UInt64?, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The full value when the high half is known.
    public var value128: UInt128? {
        high.map { UInt128($0) << 64 | UInt128(low) }
    }

    /// Whether a record carrying `self` belongs to the trace `other`.
    ///
    /// The low halves must be equal; the high halves must be equal where both are known. This is
    /// the one 64/128-bit rule: code that compares trace IDs calls it, and a store that selects
    /// rows in SQL writes its condition with ``sqlCondition(low:high:highUnknown:literal:)``.
    public func matches(_ other: TraceID) -> Bool {
        guard low == other.low else { return false }
        guard let h1 = high, let h2 = other.high else { return true }
        return h1 == h2
    }

    /// ``matches(_:)`` as an SQL condition: true for the rows of a table that keeps a trace ID
    /// as two columns whose ID matches `self`.
    ///
    /// The low column must equal `self.low`; when `self.high` is known, the row's high half must
    /// be unknown or equal to it. Values are written into the text, so `literal` must write a
    /// 64-bit half as the column holds it.
    /// - Parameters:
    ///   - low: the column of the low 64 bits (`trace_lo`).
    ///   - high: the column of the high 64 bits (`trace_hi`).
    ///   - highUnknown: a condition true where a row's high half is unknown (`trace_hi_known = 0`
    ///     in ClickHouse, `trace_hi IS NULL` in SQLite).
    ///   - literal: a half as an SQL literal: decimal by default (ClickHouse's `UInt64`); SQLite
    ///     keeps the signed 64-bit integer with the same bits (`String(Int64(bitPattern: $0))`).
    public func sqlCondition(low lowColumn: String, high highColumn: String, highUnknown: String,
                             literal: (UInt64) -> String = { String($0) }) -> String {
        let lowCondition = "\(lowColumn) = \(literal(low))"
        guard let high else { return lowCondition }
        return lowCondition + " AND (\(highUnknown) OR \(highColumn) = \(literal(high)))"
    }

    /// 32 lowercase hex digits when the high half is known, else 16.
    public var hex: String {
        if let high {
            return IDScanner.hexString(high, digits: 16) + IDScanner.hexString(low, digits: 16)
        }
        return IDScanner.hexString(low, digits: 16)
    }

    /// The low 64 bits in decimal: the form Datadog users search by.
    public var lowDecimal: String { String(low) }

    /// Parses a trace ID token.
    ///
    /// - Returns: `nil` for the "no trace" forms (`0`, all-zero hex, empty, `-`, `None`, `null`).
    /// - Throws: ``IDParseError`` for anything else that is not an ID in `encoding`.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, encoding: IDEncoding) throws(IDParseError) -> TraceID? {
        // The common forms in one pass over the bytes; anything else takes the careful path.
        if let scan = IDScanner.quickScan(bytes) {
            if scan.zero { return nil }
            let hex = encoding == .hex || (encoding == .auto && (bytes.count == 32 || scan.hexLetter))
            if hex && bytes.count == 32 {
                return TraceID(high: IDScanner.hex64(bytes, from: 0), low: IDScanner.hex64(bytes, from: 16))
            }
            if hex && bytes.count == 16 { return TraceID(high: nil, low: IDScanner.hex64(bytes, from: 0)) }
            if !hex && !scan.hexLetter && bytes.count <= 19 { return TraceID(high: nil, low: IDScanner.decimal64(bytes)) }
        }
        guard try IDScanner.shape(bytes) == .token else { return nil }
        let value: UInt128
        let highKnown: Bool
        switch resolvedBase(bytes, encoding) {
        case .decimal:
            value = try IDScanner.decimal(bytes, limit: .max, limitName: "2^128-1")
            // A decimal value that fits in 64 bits says nothing about the high half.
            highKnown = value > UInt128(UInt64.max)
        case .hex, .auto:
            guard bytes.count == 32 || bytes.count == 16 else {
                // Validate the digits first so the message names the real problem.
                _ = try IDScanner.hex(bytes)
                throw IDParseError(.badHexLength, "hex trace IDs have 16 or 32 digits, got \(bytes.count)")
            }
            value = try IDScanner.hex(bytes)
            highKnown = bytes.count == 32
        }
        if value == 0 { return nil }
        return TraceID(high: highKnown ? UInt64(truncatingIfNeeded: value >> 64) : nil,
                       low: UInt64(truncatingIfNeeded: value))
    }

    /// Parses a trace ID given as text. See ``parse(_:encoding:)-(UnsafeBufferPointer<UInt8>,_)``.
    public static func parse(_ text: some StringProtocol, encoding: IDEncoding) throws(IDParseError) -> TraceID? {
        try text.withUTF8Bytes { (b) throws(IDParseError) in try parse(b, encoding: encoding) }
    }

    /// `auto`: 32 characters → hex; any hex letter → hex; otherwise decimal.
    private static func resolvedBase(_ bytes: UnsafeBufferPointer<UInt8>, _ encoding: IDEncoding) -> IDEncoding {
        switch encoding {
        case .decimal, .hex: return encoding
        case .auto: return bytes.count == 32 || IDScanner.hasHexLetter(bytes) ? .hex : .decimal
        }
    }
}

extension TraceID: CustomStringConvertible {
    public var description: String { hex }
}
