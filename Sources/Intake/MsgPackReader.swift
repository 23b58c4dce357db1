/// A forward-only msgpack reader over bytes, for the Datadog trace payloads.
///
/// Written by hand: no msgpack package is available here. It reads values in place (no tree is
/// built), accepts every integer encoding for every integer field (tracers send uint64, int64,
/// uint32 or fixint for the same field), and bounds what hostile input can cost: container
/// lengths are checked against the bytes left, and nesting against `maxDepth`. Every error
/// names the byte offset.
struct MsgPackReader {
    struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    let maxDepth: Int

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 32) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    var isAtEnd: Bool { offset >= bytes.count }

    // MARK: Primitives

    private func fail(_ message: String, at position: Int? = nil) -> Failure {
        Failure(offset: position ?? offset, message: message)
    }

    private mutating func byte() throws(Failure) -> UInt8 {
        guard offset < bytes.count else { throw fail("unexpected end of payload") }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func bigEndian<T: FixedWidthInteger>(_: T.Type) throws(Failure) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw fail("unexpected end of payload") }
        var value: T = 0
        for i in 0..<size { value = value << 8 | T(bytes[offset + i]) }
        offset += size
        return value
    }

    /// A length that must fit in what is left, `unit` bytes per element at least.
    private func checkedLength(_ n: Int, unit: Int, what: String, at start: Int) throws(Failure) -> Int {
        guard n <= (bytes.count - offset) / max(unit, 1) else {
            throw fail("\(what) of \(n) \(what == "string" ? "bytes" : "elements") is longer than the payload", at: start)
        }
        return n
    }

    // MARK: Typed reads

    /// The type byte ahead, without consuming it.
    var peekByte: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func readNil() throws(Failure) -> Bool {
        if peekByte == 0xc0 {
            offset += 1
            return true
        }
        return false
    }

    mutating func readArrayHeader() throws(Failure) -> Int {
        let start = offset
        let b = try byte()
        let n: Int
        switch b {
        case 0x90...0x9f: n = Int(b & 0x0f)
        case 0xdc: n = Int(try bigEndian(UInt16.self))
        case 0xdd: n = Int(try bigEndian(UInt32.self))
        default: throw fail("expected an array, found \(Self.describe(b))", at: start)
        }
        return try checkedLength(n, unit: 1, what: "array", at: start)
    }

    mutating func readMapHeader() throws(Failure) -> Int {
        let start = offset
        let b = try byte()
        let n: Int
        switch b {
        case 0x80...0x8f: n = Int(b & 0x0f)
        case 0xde: n = Int(try bigEndian(UInt16.self))
        case 0xdf: n = Int(try bigEndian(UInt32.self))
        case 0xc0: n = 0  // nil where a map may be absent
        default: throw fail("expected a map, found \(Self.describe(b))", at: start)
        }
        return try checkedLength(n, unit: 2, what: "map", at: start)
    }

    /// A string's bytes, in place.
    mutating func readStringBytes() throws(Failure) -> UnsafeRawBufferPointer {
        let start = offset
        let b = try byte()
        let n: Int
        switch b {
        case 0xa0...0xbf: n = Int(b & 0x1f)
        case 0xd9: n = Int(try byte())
        case 0xda: n = Int(try bigEndian(UInt16.self))
        case 0xdb: n = Int(try bigEndian(UInt32.self))
        // Some tracers send bin for strings.
        case 0xc4: n = Int(try byte())
        case 0xc5: n = Int(try bigEndian(UInt16.self))
        case 0xc6: n = Int(try bigEndian(UInt32.self))
        case 0xc0:
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset])
        default: throw fail("expected a string, found \(Self.describe(b))", at: start)
        }
        _ = try checkedLength(n, unit: 1, what: "string", at: start)
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
    }

    mutating func readString() throws(Failure) -> String {
        String(decoding: try readStringBytes(), as: UTF8.self)
    }

    /// Any integer encoding, as a signed 64-bit value (a uint64 above 2^63−1 is an error).
    mutating func readInt64() throws(Failure) -> Int64 {
        let start = offset
        let (value, negative) = try readInteger()
        if negative { return Int64(bitPattern: value) }
        guard value <= UInt64(Int64.max) else { throw fail("integer \(value) does not fit a signed 64-bit field", at: start) }
        return Int64(value)
    }

    /// Any integer encoding, as an unsigned 64-bit value (a negative value is an error).
    mutating func readUInt64() throws(Failure) -> UInt64 {
        let start = offset
        let (value, negative) = try readInteger()
        guard !negative else { throw fail("negative integer where an unsigned one is required", at: start) }
        return value
    }

    /// (bit pattern, is negative).
    private mutating func readInteger() throws(Failure) -> (UInt64, Bool) {
        let start = offset
        let b = try byte()
        switch b {
        case 0x00...0x7f: return (UInt64(b), false)
        case 0xe0...0xff: return (UInt64(bitPattern: Int64(Int8(bitPattern: b))), true)
        case 0xcc: return (UInt64(try byte()), false)
        case 0xcd: return (UInt64(try bigEndian(UInt16.self)), false)
        case 0xce: return (UInt64(try bigEndian(UInt32.self)), false)
        case 0xcf: return (try bigEndian(UInt64.self), false)
        case 0xd0: let v = Int64(Int8(bitPattern: try byte())); return (UInt64(bitPattern: v), v < 0)
        case 0xd1: let v = Int64(Int16(bitPattern: try bigEndian(UInt16.self))); return (UInt64(bitPattern: v), v < 0)
        case 0xd2: let v = Int64(Int32(bitPattern: try bigEndian(UInt32.self))); return (UInt64(bitPattern: v), v < 0)
        case 0xd3: let v = Int64(bitPattern: try bigEndian(UInt64.self)); return (UInt64(bitPattern: v), v < 0)
        default: throw fail("expected an integer, found \(Self.describe(b))", at: start)
        }
    }

    /// A float64, float32 or any integer, as a Double.
    mutating func readDouble() throws(Failure) -> Double {
        switch peekByte {
        case 0xcb:
            offset += 1
            return Double(bitPattern: try bigEndian(UInt64.self))
        case 0xca:
            offset += 1
            return Double(Float(bitPattern: try bigEndian(UInt32.self)))
        default:
            let (value, negative) = try readInteger()
            return negative ? Double(Int64(bitPattern: value)) : Double(value)
        }
    }

    /// Skips one value of any type.
    mutating func skip(depth: Int = 0) throws(Failure) {
        guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth)") }
        let start = offset
        let b = try byte()
        func advance(_ n: Int) throws(Failure) {
            guard n <= bytes.count - offset else { throw fail("value is longer than the payload", at: start) }
            offset += n
        }
        switch b {
        case 0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3: return
        case 0x80...0x8f: for _ in 0..<(2 * Int(b & 0x0f)) { try skip(depth: depth + 1) }
        case 0x90...0x9f: for _ in 0..<Int(b & 0x0f) { try skip(depth: depth + 1) }
        case 0xa0...0xbf: try advance(Int(b & 0x1f))
        case 0xc4, 0xd9: try advance(Int(try byte()))
        case 0xc5, 0xda: try advance(Int(try bigEndian(UInt16.self)))
        case 0xc6, 0xdb: try advance(Int(try bigEndian(UInt32.self)))
        case 0xc7: let n = Int(try byte()); try advance(1 + n)
        case 0xc8: let n = Int(try bigEndian(UInt16.self)); try advance(1 + n)
        case 0xc9: let n = Int(try bigEndian(UInt32.self)); try advance(1 + n)
        case 0xca: try advance(4)
        case 0xcb: try advance(8)
        case 0xcc, 0xd0: try advance(1)
        case 0xcd, 0xd1: try advance(2)
        case 0xce, 0xd2: try advance(4)
        case 0xcf, 0xd3: try advance(8)
        case 0xd4: try advance(2)
        case 0xd5: try advance(3)
        case 0xd6: try advance(5)
        case 0xd7: try advance(9)
        case 0xd8: try advance(17)
        case 0xdc, 0xdd:
            let n = b == 0xdc ? Int(try bigEndian(UInt16.self)) : Int(try bigEndian(UInt32.self))
            for _ in 0..<(try checkedLength(n, unit: 1, what: "array", at: start)) { try skip(depth: depth + 1) }
        case 0xde, 0xdf:
            let n = b == 0xde ? Int(try bigEndian(UInt16.self)) : Int(try bigEndian(UInt32.self))
            for _ in 0..<(2 * (try checkedLength(n, unit: 2, what: "map", at: start))) { try skip(depth: depth + 1) }
        default: throw fail("invalid type byte 0x\(String(b, radix: 16))", at: start)
        }
    }

    static func describe(_ b: UInt8) -> String {
        switch b {
        case 0x00...0x7f, 0xe0...0xff, 0xcc...0xd3: return "an integer"
        case 0x80...0x8f, 0xde, 0xdf: return "a map"
        case 0x90...0x9f, 0xdc, 0xdd: return "an array"
        case 0xa0...0xbf, 0xd9...0xdb: return "a string"
        case 0xc0: return "nil"
        case 0xc2, 0xc3: return "a boolean"
        case 0xc4...0xc6: return "binary data"
        case 0xca, 0xcb: return "a float"
        default: return "type byte 0x\(String(b, radix: 16))"
        }
    }
}
