import Grok
import TracejoinModel

/// Applies a field's conversion to its captured text.
enum FieldConverter {
    /// The fields `text` becomes under `name` with `conversion`: usually one, none for a
    /// `nullIf` hit, several for `json` and `keyvalue`.
    static func apply(_ conversion: FieldConversion, name: String, text: String, into fields: inout [LogRecord.Field]) {
        switch conversion {
        case .none:
            fields.append(.init(name: name, value: .string(text)))
        case .integer:
            // Text that is not a whole number (or does not fit 64 bits) is kept as text.
            fields.append(.init(name: name, value: Int64(text).map(FieldValue.integer) ?? .string(text)))
        case .float:
            fields.append(.init(name: name, value: Double(text).map(FieldValue.float) ?? .string(text)))
        case .boolean(let trueWord, let falseWord):
            let lower = text.lowercased()
            if lower == (trueWord ?? "true").lowercased() {
                fields.append(.init(name: name, value: .bool(true)))
            } else if lower == (falseWord ?? "false").lowercased() {
                fields.append(.init(name: name, value: .bool(false)))
            } else {
                fields.append(.init(name: name, value: .string(text)))
            }
        case .lowercase:
            fields.append(.init(name: name, value: .string(text.lowercased())))
        case .uppercase:
            fields.append(.init(name: name, value: .string(text.uppercased())))
        case .nullIf(let value):
            if text != value { fields.append(.init(name: name, value: .string(text))) }
        case .json:
            var bytes = Array(text.utf8)
            let pairs = bytes.withUnsafeMutableBufferPointer { try? JSONFlattener.flatten(UnsafeBufferPointer($0)) }
            guard let pairs else {
                // Not JSON after all: keep the text rather than lose it.
                fields.append(.init(name: name, value: .string(text)))
                return
            }
            for (path, value) in pairs {
                fields.append(.init(name: name.isEmpty ? path : name + "." + path, value: value.fieldValue))
            }
        case .keyValue(let options):
            for (key, value) in KeyValueParser.parse(text, options: options) {
                fields.append(.init(name: name.isEmpty ? key : name + "." + key, value: .string(value)))
            }
        }
    }
}

/// Datadog's `keyvalue` filter: `key<sep>value` pairs separated by whitespace (or a delimiter),
/// values optionally quoted.
enum KeyValueParser {
    static func parse(_ text: String, options: FieldConversion.KeyValueOptions) -> [(String, String)] {
        let chars = Array(text)
        let separator = Array(options.separator)
        let delimiters = Set(options.delimiter)
        let quotes = Set(options.quotes)
        func allowed(_ c: Character) -> Bool { c.isLetter || c.isNumber || options.allowed.contains(c) }
        func isBreak(_ c: Character) -> Bool { c.isWhitespace || delimiters.contains(c) }
        var pairs: [(String, String)] = []
        var i = 0
        while i < chars.count {
            while i < chars.count, !allowed(chars[i]) { i += 1 }
            let keyStart = i
            while i < chars.count, allowed(chars[i]), !chars[i...].starts(with: separator) { i += 1 }
            let key = String(chars[keyStart..<i])
            guard !key.isEmpty, chars[i...].starts(with: separator) else {
                i = max(i, keyStart + 1)
                continue
            }
            i += separator.count
            var value = ""
            if i < chars.count, quotes.contains(chars[i]) {
                let quote = chars[i]
                i += 1
                while i < chars.count, chars[i] != quote {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    value.append(chars[i])
                    i += 1
                }
                i += 1
            } else {
                while i < chars.count, !isBreak(chars[i]) {
                    value.append(chars[i])
                    i += 1
                }
            }
            pairs.append((key, value))
        }
        return pairs
    }
}
