import Foundation
import Grok
import TracejoinModel

/// Applies a field's conversion to its captured text.
///
/// As in Datadog, a value that does not convert (`abc` through `integer`) is dropped, and null
/// or empty values of the filters that give objects are not kept.
package enum FieldConverter {
    /// The fields `text` becomes under `name` with `conversion`: usually one, none for a
    /// `nullIf` hit or a value that does not convert, several for the filters that give an
    /// object (`json`, `keyvalue`, `xml`, `csv`, …), at the top level when `name` is empty.
    package static func apply(_ conversion: FieldConversion, name: String, text: String, into fields: inout [LogRecord.Field]) {
        func append(_ value: FieldValue) {
            if !name.isEmpty { fields.append(.init(name: name, value: value)) }
        }
        switch conversion {
        case .none:
            append(.string(text))
        case .integer:
            if let v = integerValue(text) { append(.integer(v)) }
        case .float:
            if let d = floatValue(text) { append(.float(d)) }
        case .boolean(let trueWord, let falseWord):
            if trueWord == nil && falseWord == nil {
                // Datadog's filter: `true` in any case is true, anything else false.
                append(.bool(text.lowercased() == "true"))
            } else {
                let lower = text.lowercased()
                if lower == (trueWord ?? "true").lowercased() {
                    append(.bool(true))
                } else if lower == (falseWord ?? "false").lowercased() {
                    append(.bool(false))
                }
            }
        case .lowercase:
            append(.string(text.lowercased()))
        case .uppercase:
            append(.string(text.uppercased()))
        case .nullIf(let value):
            if text != value { append(.string(text)) }
        case .decodeURIComponent:
            append(.string(URIText.decode(text, plusIsSpace: false)))
        case .scale(let factor):
            if let v = scaled(text, by: factor) { append(v) }
        case .date(let format):
            if let ms = JavaDatePattern.epochMillis(text, pattern: format.pattern, zone: format.zone) { append(.integer(ms)) }
        case .array(let options):
            if let node = ArrayFilter.parse(text, options: options) { append(.string(node.jsonText)) }
        case .json(.json):
            var bytes = Array(text.utf8)
            let pairs = bytes.withUnsafeMutableBufferPointer { try? JSONFlattener.flatten(UnsafeBufferPointer($0)) }
            guard let pairs else {
                // Not JSON after all: a named field keeps the text rather than lose it.
                append(.string(text))
                return
            }
            for (path, value) in pairs {
                fields.append(.init(name: name.isEmpty ? path : name + "." + path, value: value.fieldValue))
            }
        case .json(let format):
            let node: FilterValue?
            switch format {
            case .json: node = nil
            case .rubyHash: node = RubyHashParser.parse(text)
            case .xml: node = XMLFilter.parse(text)
            case .csv(let options): node = CSVParser.parse(text, options: options)
            case .queryString: node = URIText.queryString(text)
            case .url: node = URIText.url(text)
            case .userAgent(let decode): node = UserAgent.parse(decode ? URIText.decode(text, plusIsSpace: false) : text)
            }
            node?.flatten(prefix: name, into: &fields)
        case .keyValue(let options):
            for (key, value) in KeyValueParser.parse(text, options: options) {
                fields.append(.init(name: name.isEmpty ? key : name + "." + key, value: .string(value)))
            }
        }
    }

    /// A whole number: `42`, `-7`, `+3`, or with an exponent (`12e3`, `1.5E2`) when the result
    /// is whole. `nil` when it is not one or does not fit 64 bits.
    static func integerValue(_ raw: String) -> Int64? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let v = Int64(text) { return v }
        let bytes = Array(text.utf8)
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var digits: [UInt8] = []
        var fraction = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { digits.append(bytes[i] - 0x30); i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { digits.append(bytes[i] - 0x30); fraction += 1; i += 1 }
        }
        guard !digits.isEmpty else { return nil }
        var exponent = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let from = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, i - from < 4 {
                exponent = exponent * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            guard i > from else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == bytes.count else { return nil }
        var shift = exponent - fraction
        while shift < 0 {
            guard let last = digits.last, last == 0 else { return nil }
            digits.removeLast()
            shift += 1
        }
        guard shift <= 19 else { return digits.allSatisfy { $0 == 0 } ? 0 : nil }
        digits += [UInt8](repeating: 0, count: shift)
        var value: Int64 = 0
        for d in digits {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(Int64(d)) : times.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    /// A finite number, or `nil`.
    static func floatValue(_ raw: String) -> Double? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard let first = text.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".")
            || (first >= 0x30 && first <= 0x39), !text.contains("x"), !text.contains("X"),
            let d = Double(text), d.isFinite
        else { return nil }
        return d
    }

    /// `scale(factor)`: a whole number times a whole factor stays whole when it fits.
    static func scaled(_ text: String, by factor: Double) -> FieldValue? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let i = Int64(trimmed), factor.rounded() == factor, abs(factor) < 9.0e15 {
            let (product, overflow) = i.multipliedReportingOverflow(by: Int64(factor))
            if !overflow { return .integer(product) }
        }
        guard let d = floatValue(trimmed) else { return nil }
        let product = d * factor
        return product.isFinite ? .float(product) : nil
    }

    /// An `array` element through its filter; `nil` drops it from the list.
    static func element(_ text: String, _ conversion: FieldConversion.ElementConversion) -> FilterValue? {
        switch conversion {
        case .none: return .value(.string(text))
        case .integer: return integerValue(text).map { .value(.integer($0)) }
        case .float: return floatValue(text).map { .value(.float($0)) }
        case .boolean: return .value(.bool(text.lowercased() == "true"))
        case .lowercase: return .value(.string(text.lowercased()))
        case .uppercase: return .value(.string(text.uppercased()))
        case .decodeURIComponent: return .value(.string(URIText.decode(text, plusIsSpace: false)))
        case .nullIf(let v): return text == v ? .value(.null) : .value(.string(text))
        case .scale(let f): return scaled(text, by: f).map { .value($0) }
        }
    }
}

/// A parsed value of the filters that give objects or lists; flattened into dotted fields,
/// lists kept as their JSON text (as the JSON rules keep arrays).
indirect enum FilterValue {
    case value(FieldValue)
    case array([FilterValue])
    case object([(String, FilterValue)])

    func flatten(prefix: String, into fields: inout [LogRecord.Field]) {
        switch self {
        case .value(let v):
            if !prefix.isEmpty { fields.append(.init(name: prefix, value: v)) }
        case .array:
            if !prefix.isEmpty { fields.append(.init(name: prefix, value: .string(jsonText))) }
        case .object(let members):
            for (key, value) in members {
                value.flatten(prefix: prefix.isEmpty ? key : prefix + "." + key, into: &fields)
            }
        }
    }

    var jsonText: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .value(let v):
            switch v {
            case .string(let s): FilterValue.quote(s, into: &out)
            case .integer(let i): out += String(i)
            case .float(let d): out += d.isFinite ? String(d) : "null"
            case .bool(let b): out += b ? "true" : "false"
            case .null: out += "null"
            }
        case .array(let items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (k, (key, value)) in members.enumerated() {
                if k > 0 { out += "," }
                FilterValue.quote(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Members with the same key become one list, in the order keys first appear.
    static func grouped(_ members: [(String, FilterValue)]) -> FilterValue {
        var order: [String] = []
        var values: [String: [FilterValue]] = [:]
        for (key, value) in members {
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(value)
        }
        return .object(order.map { key in
            let list = values[key] ?? []
            return (key, list.count == 1 ? list[0] : .array(list))
        })
    }
}

/// Datadog's `keyvalue([separatorStr[, characterAllowList[, quotingStr[, delimiter]]]])`.
enum KeyValueParser {
    /// Pairs in order; empty and `null` values are left out, as Datadog does.
    static func parse(_ text: String, options: FieldConversion.KeyValueOptions) -> [(String, String)] {
        let bytes = Array(text.utf8)
        let separator = Array(options.separator.utf8)
        guard !separator.isEmpty else { return [] }
        // Letters, digits, `_`, `.`, `-`, `@` (and any non-ASCII byte), plus the allow list.
        var allowed = [Bool](repeating: false, count: 256)
        for b in 0..<256 {
            let c = UInt8(b)
            allowed[b] = c >= 0x80 || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "@")
        }
        for c in options.allowed.utf8 { allowed[Int(c)] = true }
        var quotes: [(open: UInt8, close: UInt8)] = []
        let q = Array(options.quotes.utf8)
        if q.isEmpty {
            quotes = [(open: UInt8(ascii: "<"), close: UInt8(ascii: ">")), (open: UInt8(ascii: "\""), close: UInt8(ascii: "\"")),
                      (open: UInt8(ascii: "'"), close: UInt8(ascii: "'"))]
        } else if q.count % 2 == 0 {
            quotes = stride(from: 0, to: q.count, by: 2).map { (open: q[$0], close: q[$0 + 1]) }
        } else {
            quotes = q.map { (open: $0, close: $0) }
        }
        let delimiters: [[UInt8]] = options.delimiter.isEmpty ? [[0x20], [UInt8(ascii: ",")], [UInt8(ascii: ";")]] : [Array(options.delimiter.utf8)]

        func starts(_ needle: [UInt8], at i: Int) -> Bool {
            guard i + needle.count <= bytes.count else { return false }
            for k in 0..<needle.count where bytes[i + k] != needle[k] { return false }
            return true
        }
        func closing(_ b: UInt8) -> UInt8? { quotes.first { $0.open == b }?.close }
        func isKey(_ i: Int) -> Bool { allowed[Int(bytes[i])] && !starts(separator, at: i) }
        /// From where, for each closing quote, none is left (so that a line of unclosed
        /// quotes is read in linear time, not quadratic).
        var unclosedFrom = [Int](repeating: Int.max, count: 256)
        /// The end of a quoted run opening at `i` (the index of its closing quote), if closed.
        func quotedEnd(_ i: Int, close: UInt8) -> Int? {
            guard i < unclosedFrom[Int(close)] else { return nil }
            var j = i + 1
            while j < bytes.count, bytes[j] != close {
                if bytes[j] == UInt8(ascii: "\\"), bytes[i] == close, j + 1 < bytes.count { j += 1 }
                j += 1
            }
            if j < bytes.count { return j }
            unclosedFrom[Int(close)] = i
            return nil
        }
        func unescaped(_ from: Int, _ to: Int, close: UInt8) -> String {
            var out: [UInt8] = []
            var j = from
            while j < to {
                if bytes[j] == UInt8(ascii: "\\"), j + 1 < to, bytes[j + 1] == close || bytes[j + 1] == UInt8(ascii: "\\") { j += 1 }
                out.append(bytes[j])
                j += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
        /// A key (bare or quoted) at `i` followed by the separator: where the separator starts.
        func key(at i: Int) -> (key: String, separatorAt: Int)? {
            guard i < bytes.count else { return nil }
            if let close = closing(bytes[i]), let end = quotedEnd(i, close: close) {
                guard end > i + 1, starts(separator, at: end + 1) else { return nil }
                return (unescaped(i + 1, end, close: close), end + 1)
            }
            var k = i
            while k < bytes.count, isKey(k) { k += 1 }
            guard k > i, starts(separator, at: k) else { return nil }
            return (String(decoding: bytes[i..<k], as: UTF8.self), k)
        }

        var pairs: [(String, String)] = []
        var i = 0
        while i < bytes.count {
            guard let found = key(at: i) else {
                // Not a key here: skip this run of key characters (or this one byte).
                if let close = closing(bytes[i]), let end = quotedEnd(i, close: close) {
                    i = end + 1
                } else if allowed[Int(bytes[i])] {
                    var k = i
                    while k < bytes.count, isKey(k) { k += 1 }
                    i = max(k, i + 1)
                } else {
                    i += 1
                }
                continue
            }
            let name = found.key, at = found.separatorAt
            var v = at + separator.count
            // Blanks after the separator are not part of the value, unless what follows is
            // the next pair (`a= b=1`: `a` is empty).
            var w = v
            while w < bytes.count, bytes[w] == 0x20 || bytes[w] == 0x09 { w += 1 }
            if w > v, key(at: w) != nil {
                i = w
                continue
            }
            v = w
            var value = ""
            if v < bytes.count, let close = closing(bytes[v]), let end = quotedEnd(v, close: close) {
                value = unescaped(v + 1, end, close: close)
                i = end + 1
            } else {
                var e = v
                while e < bytes.count, allowed[Int(bytes[e])], !delimiters.contains(where: { starts($0, at: e) }) { e += 1 }
                value = String(decoding: bytes[v..<e], as: UTF8.self)
                i = max(e, at + separator.count)
                if e == v, i < bytes.count, i == v { i += 1 }
            }
            if !value.isEmpty && value != "null" { pairs.append((name, value)) }
        }
        return pairs
    }
}

/// `array([[openCloseStr, ] separator][, filter])`.
enum ArrayFilter {
    static func parse(_ raw: String, options: FieldConversion.ArrayOptions) -> FilterValue? {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        if !options.open.isEmpty {
            guard text.hasPrefix(options.open), text.hasSuffix(options.close), text.count >= 2 else { return nil }
            text = text.dropFirst(options.open.count).dropLast(options.close.count)
        }
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return .array([]) }
        let items = text.components(separatedBy: options.separator).map { $0.trimmingCharacters(in: .whitespaces) }
        return .array(items.compactMap { FieldConverter.element($0, options.element) })
    }
}

/// Percent-decoding, query strings and URLs.
enum URIText {
    /// `%2F` → `/` (and `+` → space in query strings). Invalid escapes stay as written.
    static func decode(_ text: String, plusIsSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) || (plusIsSpace && bytes.contains(UInt8(ascii: "+"))) else { return text }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else if plusIsSpace, bytes[i] == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `?a=1&b=2` (or `a=1&b=2`, or a URL): each parameter a member; a repeated one a list.
    static func queryString(_ text: String) -> FilterValue? {
        var query = Substring(text)
        if let q = query.firstIndex(of: "?") { query = query[query.index(after: q)...] }
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        var members: [(String, FilterValue)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(kv[0]), plusIsSpace: true)
            let value = kv.count > 1 ? decode(String(kv[1]), plusIsSpace: true) : ""
            guard !key.isEmpty, !value.isEmpty else { continue }
            members.append((key, .value(.string(value))))
        }
        return members.isEmpty ? nil : FilterValue.grouped(members)
    }

    static let defaultPorts: [String: Int64] = ["http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21]

    /// As Datadog's URL parser: `scheme`, `host`, `port`, `path` and `queryString`.
    static func url(_ text: String) -> FilterValue? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var members: [(String, FilterValue)] = []
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring?
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var scheme: String?
        if let range = rest.range(of: "://") {
            let s = rest[..<range.lowerBound]
            guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }) else { return nil }
            scheme = s.lowercased()
            rest = rest[range.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            rest = rest[authorityEnd...]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            var host = authority
            var port: Int64?
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { port = Int64(after.dropFirst()) }
            } else if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                guard let p = Int64(authority[authority.index(after: colon)...]), (0...65535).contains(p) else { return nil }
                port = p
            }
            guard !host.isEmpty else { return nil }
            members.append(("host", .value(.string(String(host).lowercased()))))
            if let p = port ?? scheme.flatMap({ defaultPorts[$0] }) { members.append(("port", .value(.integer(p)))) }
        }
        members.append(("path", .value(.string(rest.isEmpty && scheme != nil ? "/" : String(rest)))))
        if let query, let q = queryString(String(query)) { members.append(("queryString", q)) }
        if let scheme { members.append(("scheme", .value(.string(scheme)))) }
        return .object(members)
    }
}

/// Datadog's `csv(headers[, separator[, quotingcharacter]])`: values by header, numbers cast,
/// empty values left out, extra values ignored.
enum CSVParser {
    static func parse(_ text: String, options: FieldConversion.CSVOptions) -> FilterValue? {
        let bytes = Array(text.utf8)
        var values: [[UInt8]] = []
        var i = 0
        while values.count < options.headers.count {
            var value: [UInt8] = []
            if i < bytes.count, bytes[i] == options.quote {
                i += 1
                while i < bytes.count {
                    if bytes[i] == options.quote {
                        if i + 1 < bytes.count, bytes[i + 1] == options.quote {
                            value.append(options.quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    value.append(bytes[i])
                    i += 1
                }
            }
            while i < bytes.count, bytes[i] != options.separator {
                value.append(bytes[i])
                i += 1
            }
            values.append(value)
            guard i < bytes.count else { break }
            i += 1
        }
        var members: [(String, FilterValue)] = []
        for (header, value) in zip(options.headers, values) where !value.isEmpty {
            let s = String(decoding: value, as: UTF8.self)
            if let n = Int64(s) {
                members.append((header, .value(.integer(n))))
            } else if JSONFlattener.isNumber(s), let d = Double(s), d.isFinite {
                members.append((header, .value(.float(d))))
            } else {
                members.append((header, .value(.string(s))))
            }
        }
        return .object(members)
    }
}
