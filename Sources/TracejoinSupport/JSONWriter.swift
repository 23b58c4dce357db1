/// Writes JSON straight into bytes, for documents built per request or per record on hot
/// paths (a trace of hundreds of lines), where `JSONEncoder` costs more than the query.
///
/// Commas are placed by the writer: call `key` before each member's value in an object.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// For each open container: whether the next element needs a comma before it.
    private var needsComma: [Bool] = [false]
    private var afterKey = false

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// A writer that continues after `bytes` (take them back from ``bytes``): a value written
    /// into a buffer already holding others, without a copy if the caller gives its buffer up.
    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Empties the writer for another document, keeping its storage.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = [false]
        afterKey = false
    }

    public mutating func objectStart() {
        element()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func objectEnd() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Ends a top-level value with a newline (NDJSON): the next value starts a new line.
    public mutating func lineEnd() {
        bytes.append(UInt8(ascii: "\n"))
        needsComma[0] = false
    }

    public mutating func arrayStart() {
        element()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func arrayEnd() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func key(_ name: String) {
        element()
        Self.append(string: name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A key from valid UTF-8 bytes.
    public mutating func key(utf8 name: UnsafeBufferPointer<UInt8>) {
        element()
        Self.append(utf8: name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A string from valid UTF-8 bytes.
    public mutating func string(utf8 s: UnsafeBufferPointer<UInt8>) {
        element()
        Self.append(utf8: s, to: &bytes)
    }

    public mutating func string(_ s: String?) {
        element()
        if let s { Self.append(string: s, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func int(_ i: Int64) {
        element()
        bytes.append(contentsOf: String(i).utf8)
    }

    public mutating func uint(_ u: UInt64) {
        element()
        bytes.append(contentsOf: String(u).utf8)
    }

    public mutating func member(_ name: String, _ u: UInt64) {
        key(name)
        uint(u)
    }

    public mutating func bool(_ b: Bool) {
        element()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
    }

    /// A number; one that is not finite (JSON has no such number) as its text.
    public mutating func double(_ d: Double) {
        element()
        Self.append(double: d, to: &bytes)
    }

    /// `key: value` shorthands.
    public mutating func member(_ name: String, _ s: String?) {
        key(name)
        string(s)
    }

    public mutating func member(_ name: String, _ i: Int64) {
        key(name)
        int(i)
    }

    public mutating func member(_ name: String, _ b: Bool) {
        key(name)
        bool(b)
    }

    private mutating func element() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma[needsComma.count - 1] {
            bytes.append(UInt8(ascii: ","))
        } else {
            needsComma[needsComma.count - 1] = true
        }
    }

    // MARK: Scalars into any byte array

    /// `s` as a JSON string literal: quotes, backslashes and control bytes escaped, and every
    /// other character ``TerminalText`` escapes (DEL, C1 controls, U+2028 and U+2029, bidi
    /// controls) as `\uXXXX`, so that JSON printed on a terminal, or put in a `<script>`, holds
    /// none of them raw. Other bytes (UTF-8 included) as they are.
    public static func append(string s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { append(utf8: $0, to: &out) }
    }

    /// Valid UTF-8 (``UTF8Text/withValid(_:_:)`` makes any bytes so) as a JSON string literal,
    /// escaped as ``append(string:to:)`` escapes.
    public static func append(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        do {
            var start = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                let escape: UInt32
                let length: Int
                if b == 0x22 || b == 0x5C || b < 0x20 || b == 0x7F {
                    escape = UInt32(b)
                    length = 1
                } else if b >= 0xC2, let found = escapedScalar(bytes, at: i) {
                    escape = found.scalar
                    length = found.length
                } else {
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                i += length
                start = i
                out.append(UInt8(ascii: "\\"))
                switch escape {
                case 0x22, 0x5C: out.append(UInt8(escape))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.append(UInt8(ascii: "u"))
                    for shift in [12, 8, 4, 0] { out.append(hex.utf8Start[Int((escape >> shift) & 15)]) }
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The scalar starting at `i` and its length in bytes, when it is one past ASCII that
    /// ``TerminalText/isEscaped(_:)`` names. All of those are two bytes led by 0xC2 (C1) or 0xD8
    /// (U+061C), or three led by 0xE2 (U+200E–U+2069). `bytes` is a `String`'s: valid UTF-8.
    private static func escapedScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (scalar: UInt32, length: Int)? {
        let b = bytes[i]
        let scalar: UInt32
        let length: Int
        switch b {
        case 0xC2, 0xD8:
            guard i + 1 < bytes.count else { return nil }
            scalar = UInt32(b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
            length = 2
        case 0xE2:
            guard i + 2 < bytes.count else { return nil }
            scalar = UInt32(b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            length = 3
        default:
            return nil
        }
        return TerminalText.isEscaped(scalar) ? (scalar, length) : nil
    }

    /// A number; one that is not finite (JSON has no such number) as its text. (A record's
    /// field value: `append(value:to:)`, in TracejoinModel.)
    public static func append(double d: Double, to out: inout [UInt8]) {
        if d.isFinite { out.append(contentsOf: String(d).utf8) } else { append(string: String(d), to: &out) }
    }
}
