import Foundation
import TraceContext
import TracejoinModel
import TracejoinSupport

/// The JSON the index stores in its `fields`, `meta` and `metrics` columns, written and read
/// byte by byte: this runs for every record stored and every record a query returns, where
/// building strings or going through `JSONDecoder` costs more than the SQLite work itself.
/// The columns stay plain JSON, so `sqlite3` and `json_extract` read them too.
package enum StoredJSON {
    // MARK: Writing

    /// `[[name, value], …]` — fields keep their capture order. Empty for no fields (stored NULL).
    package static func fields(_ fields: [LogRecord.Field], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        guard !fields.isEmpty else { return }
        pairs(fields.lazy.map { ($0.name, $0.value) }, to: &out)
    }

    /// `[[name, value], …]` appended: the shape of fields and of span attributes.
    static func pairs(_ pairs: some Sequence<(String, FieldValue)>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, (name, value)) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONWriter.append(string: name, to: &out)
            out.append(UInt8(ascii: ","))
            JSONWriter.append(value: value, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `{key: string, …}`. Empty for an empty map (stored NULL).
    package static func meta(_ meta: [String: String], into out: inout [UInt8]) {
        object(meta, into: &out) { JSONWriter.append(string: $0, to: &$1) }
    }

    /// `{key: number, …}`. Empty for an empty map (stored NULL).
    package static func metrics(_ metrics: [String: Double], into out: inout [UInt8]) {
        object(metrics, into: &out) { JSONWriter.append(value: .float($0), to: &$1) }
    }

    private static func object<V>(_ map: [String: V], into out: inout [UInt8], _ write: (V, inout [UInt8]) -> Void) {
        out.removeAll(keepingCapacity: true)
        guard !map.isEmpty else { return }
        out.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in map {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.append(string: k, to: &out)
            out.append(UInt8(ascii: ":"))
            write(v, &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    // MARK: Reading

    /// Reads what ``fields(_:into:)`` wrote. Anything else (a hand-edited row) goes through
    /// Foundation's parser.
    static func decodeFields(_ bytes: UnsafeBufferPointer<UInt8>) -> [LogRecord.Field] {
        var r = Reader(bytes: bytes)
        if let fields = r.fields() { return fields }
        guard let pairs = try? JSONDecoder().decode([[FieldValue]].self, from: Data(bytes)) else { return [] }
        return pairs.compactMap { pair in
            guard pair.count == 2, case .string(let name) = pair[0] else { return nil }
            return LogRecord.Field(name: name, value: pair[1])
        }
    }

    static func decodeMeta(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: String] {
        var r = Reader(bytes: bytes)
        if let pairs = r.object(), let meta = try? Dictionary(pairs.map { (k, v) in
            guard case .string(let s) = v else { throw Reader.Unexpected() }
            return (k, s)
        }, uniquingKeysWith: { _, b in b }) {
            return meta
        }
        return (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]) ?? [:]
    }

    static func decodeMetrics(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Double] {
        var r = Reader(bytes: bytes)
        guard let pairs = r.object() else { return [:] }
        var metrics: [String: Double] = [:]
        for (k, v) in pairs {
            switch v {
            case .float(let d): metrics[k] = d
            case .integer(let i): metrics[k] = Double(i)
            case .string(let s): if let d = Double(s) { metrics[k] = d }  // non-finite, kept as text
            default: break
            }
        }
        return metrics
    }

    /// A strict reader for the shapes above; `nil` from any method means "not what we write".
    struct Reader {
        struct Unexpected: Error {}
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func fields() -> [LogRecord.Field]? {
            guard take("[") else { return nil }
            var out: [LogRecord.Field] = []
            if take("]") { return i == bytes.count ? out : nil }
            repeat {
                guard take("["), let name = string(), take(","), let v = value(), take("]") else { return nil }
                out.append(LogRecord.Field(name: name, value: v))
            } while take(",")
            return take("]") && i == bytes.count ? out : nil
        }

        mutating func object() -> [(String, FieldValue)]? {
            guard take("{") else { return nil }
            var out: [(String, FieldValue)] = []
            if take("}") { return i == bytes.count ? out : nil }
            repeat {
                guard let k = string(), take(":"), let v = value() else { return nil }
                out.append((k, v))
            } while take(",")
            return take("}") && i == bytes.count ? out : nil
        }

        private mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard i < bytes.count, bytes[i] == UInt8(ascii: c) else { return false }
            i += 1
            return true
        }

        private mutating func word(_ w: StaticString) -> Bool {
            let n = w.utf8CodeUnitCount
            guard i + n <= bytes.count, memcmp(bytes.baseAddress! + i, w.utf8Start, n) == 0 else { return false }
            i += n
            return true
        }

        mutating func value() -> FieldValue? {
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "\""): return string().map(FieldValue.string)
            case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return word("null") ? .null : nil
            default:
                let start = i
                var integral = true
                while i < bytes.count, let c = Optional(bytes[i]), c != UInt8(ascii: ","), c != UInt8(ascii: "]"), c != UInt8(ascii: "}") {
                    if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { integral = false }
                    i += 1
                }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                if integral, let n = Int64(text) { return .integer(n) }
                return Double(text).map(FieldValue.float)
            }
        }

        mutating func string() -> String? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let read = try? JSONString.read(bytes, quoteAt: i) else { return nil }
            i = read.end
            return read.value
        }
    }
}
