/// Bytes from outside (a stored line, a field) as valid UTF-8, for writers whose output must be
/// UTF-8 (JSON, and the text columns the fleet service reads back as JSON).
public enum UTF8Text {
    /// `body` with `bytes` when they are valid UTF-8 (ASCII is checked eight bytes at a time),
    /// else with their decoding, each invalid sequence replaced by U+FFFD (as `String(decoding:)`
    /// does, so the result is what a record's `String` holds).
    @inlinable
    public static func withValid<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil { return body(bytes) }
        var text = String(decoding: bytes, as: UTF8.self)
        return text.withUTF8(body)
    }

    @inlinable
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            high |= UInt64(bytes[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
