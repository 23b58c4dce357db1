import TracejoinModel
import TracejoinSupport

/// Reads one JSON object from bytes into flat `path → value` pairs, nested objects joined with
/// dots (`{"dd":{"trace_id":"1"}}` and `{"dd.trace_id":"1"}` both give `dd.trace_id`).
///
/// Numbers are kept as their token text, so an ID written as a JSON number reaches the ID
/// parser digit for digit and never passes through a `Double`. Arrays are kept as their JSON
/// text. Written by hand because Foundation's parser turns numbers into doubles.
package struct JSONFlattener {
    package enum Scalar: Equatable {
        case string(String)
        /// The number's text exactly as written.
        case number(String)
        case bool(Bool)
        case null
        /// An array, as its JSON text.
        case raw(String)

        /// The value for a record: integers when they fit, text when they would lose digits.
        var fieldValue: FieldValue {
            switch self {
            case .string(let s), .raw(let s): return .string(s)
            case .number(let text):
                if let i = Int64(text) { return .integer(i) }
                if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let d = Double(text) { return .float(d) }
                return .string(text)
            case .bool(let b): return .bool(b)
            case .null: return .null
            }
        }

        /// The text an ID parser should see: the string's contents or the number's digits.
        var idText: String? {
            switch self {
            case .string(let s), .number(let s): return s
            case .null: return ""
            case .bool, .raw: return nil
            }
        }
    }

    package struct Failure: Error {
        var offset: Int
        var message: String
    }

    static let maxDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private(set) var pairs: [(path: String, value: Scalar)] = []

    /// Flattens `bytes`, which must hold one JSON object (surrounding whitespace allowed).
    package static func flatten(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [(path: String, value: Scalar)] {
        var parser = JSONFlattener(bytes: bytes)
        parser.skipSpace()
        guard parser.peek == UInt8(ascii: "{") else { throw Failure(offset: parser.i, message: "not a JSON object") }
        try parser.object(prefix: "", depth: 0)
        parser.skipSpace()
        guard parser.i == bytes.count else { throw Failure(offset: parser.i, message: "text after the JSON object") }
        return parser.pairs
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    private mutating func expect(_ b: UInt8) throws(Failure) {
        skipSpace()
        guard peek == b else { throw Failure(offset: i, message: "expected '\(Character(Unicode.Scalar(b)))'") }
        i += 1
    }

    private mutating func object(prefix: String, depth: Int) throws(Failure) {
        guard depth < Self.maxDepth else { throw Failure(offset: i, message: "nested deeper than \(Self.maxDepth)") }
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw Failure(offset: i, message: "expected a key") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            let path = prefix.isEmpty ? key : prefix + "." + key
            try value(path: path, depth: depth)
            skipSpace()
            guard let b = peek else { throw Failure(offset: i, message: "unterminated object") }
            i += 1
            if b == UInt8(ascii: "}") { return }
            guard b == UInt8(ascii: ",") else { throw Failure(offset: i - 1, message: "expected ',' or '}'") }
        }
    }

    private mutating func value(path: String, depth: Int) throws(Failure) {
        guard let b = peek else { throw Failure(offset: i, message: "missing value") }
        switch b {
        case UInt8(ascii: "{"):
            try object(prefix: path, depth: depth + 1)
        case UInt8(ascii: "["):
            let start = i
            try skipValue(depth: depth + 1)
            pairs.append((path, .raw(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))))
        case UInt8(ascii: "\""):
            pairs.append((path, .string(try string())))
        default:
            pairs.append((path, try literal()))
        }
    }

    /// Skips any value (used inside arrays), checking its syntax.
    private mutating func skipValue(depth: Int) throws(Failure) {
        guard depth < Self.maxDepth else { throw Failure(offset: i, message: "nested deeper than \(Self.maxDepth)") }
        skipSpace()
        guard let b = peek else { throw Failure(offset: i, message: "missing value") }
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipSpace()
            if peek == close {
                i += 1
                return
            }
            while true {
                if close == UInt8(ascii: "}") {
                    skipSpace()
                    _ = try string()
                    try expect(UInt8(ascii: ":"))
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                guard let c = peek else { throw Failure(offset: i, message: "unterminated value") }
                i += 1
                if c == close { return }
                guard c == UInt8(ascii: ",") else { throw Failure(offset: i - 1, message: "expected ','") }
            }
        case UInt8(ascii: "\""):
            _ = try string()
        default:
            _ = try literal()
        }
    }

    private mutating func literal() throws(Failure) -> Scalar {
        let start = i
        while i < bytes.count, !(bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}") || bytes[i] == UInt8(ascii: "]")
            || bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D)
        {
            i += 1
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            guard Self.isNumber(text) else { throw Failure(offset: start, message: "invalid value '\(text.prefix(20))'") }
            return .number(text)
        }
    }

    /// JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    static func isNumber(_ text: String) -> Bool {
        var s = Substring(text)
        if s.hasPrefix("-") { s = s.dropFirst() }
        let intPart = s.prefix { $0.isASCII && $0.isNumber }
        guard !intPart.isEmpty, intPart == "0" || !intPart.hasPrefix("0") else { return false }
        s = s.dropFirst(intPart.count)
        if s.hasPrefix(".") {
            let frac = s.dropFirst().prefix { $0.isASCII && $0.isNumber }
            guard !frac.isEmpty else { return false }
            s = s.dropFirst(1 + frac.count)
        }
        if s.hasPrefix("e") || s.hasPrefix("E") {
            s = s.dropFirst()
            if s.hasPrefix("+") || s.hasPrefix("-") { s = s.dropFirst() }
            let exp = s.prefix { $0.isASCII && $0.isNumber }
            guard !exp.isEmpty else { return false }
            s = s.dropFirst(exp.count)
        }
        return s.isEmpty
    }

    private mutating func string() throws(Failure) -> String {
        do {
            let (value, end) = try JSONString.read(bytes, quoteAt: i)
            i = end
            return value
        } catch {
            throw Failure(offset: error.offset, message: error.message)
        }
    }
}
