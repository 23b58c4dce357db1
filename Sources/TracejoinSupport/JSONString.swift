/// Reads one JSON string literal from bytes: the one unescaper behind every JSON the project
/// reads by hand (`json:` log lines, the index's stored columns).
public enum JSONString {
    public struct Failure: Error, Sendable {
        /// Byte offset of the problem.
        public var offset: Int
        public var message: String
    }

    /// The value of the string literal whose opening quote is at `quote`, and the index just
    /// after its closing quote. Escapes: `\n \t \r \b \f`, `\uXXXX` with surrogate pairs joined;
    /// any other escaped byte stands for itself.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, quoteAt quote: Int) throws(Failure) -> (value: String, end: Int) {
        var i = quote + 1
        var out: [UInt8] = []
        var plainFrom = i
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                if out.isEmpty { return (String(decoding: UnsafeBufferPointer(rebasing: bytes[plainFrom..<i]), as: UTF8.self), i + 1) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<i]))
                return (String(decoding: out, as: UTF8.self), i + 1)
            }
            guard b == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<i]))
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(bytes, &i)
                // A high surrogate joins the low surrogate that follows it. Anything else after it
                // (another high one, a BMP escape: `json.dumps` writes whatever a visitor sent)
                // leaves it alone, a U+FFFD, and that escape is read again on its own.
                if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    var j = i + 2
                    let low = try hex4(bytes, &j)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i = j
                    }
                }
                // Lone surrogates are not scalars: `Unicode.Scalar(_:)` answers nil for them.
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                UTF8.encode(character) { out.append($0) }
            default: out.append(e)
            }
            plainFrom = i
        }
        throw Failure(offset: quote, message: "unterminated string")
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(Failure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw Failure(offset: i, message: "short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw Failure(offset: i, message: "bad \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
