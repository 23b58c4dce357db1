import Foundation

/// One `%{...}` reference as written: `%{NAME}`, `%{NAME:field}`, `%{NAME:field:conversion}`,
/// with optional quoted arguments after the name and after the conversion
/// (`%{date("yyyy-MM-dd"):ts}`, `%{data:kv:keyvalue("=", "/")}`).
struct Reference {
    var name: String
    var arguments: [String]
    var field: String?
    var conversion: String?
    var conversionArguments: [String]
    /// Byte offsets of `%` and one past `}` in the text it was read from.
    var start: Int
    var end: Int

    /// Reads the reference starting at `bytes[start]` (which is `%` followed by `{`).
    static func scan(_ bytes: [UInt8], at start: Int) throws(GrokError) -> Reference {
        var i = start + 2
        func fail(_ message: String) -> GrokError {
            GrokError(.malformedReference, message, offset: start)
        }
        func readName() -> String {
            let from = i
            while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
            return String(decoding: bytes[from..<i], as: UTF8.self)
        }
        func readArguments() throws(GrokError) -> [String] {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "(") else { return [] }
            i += 1
            var arguments: [String] = []
            while true {
                while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
                guard i < bytes.count else { throw fail("arguments are not closed with ')'") }
                if bytes[i] == UInt8(ascii: ")") {
                    i += 1
                    return arguments
                }
                guard bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw fail("arguments must be quoted strings, as in date(\"yyyy-MM-dd\")")
                }
                let quote = bytes[i]
                i += 1
                var value: [UInt8] = []
                while i < bytes.count, bytes[i] != quote {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    value.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw fail("an argument's quote is not closed") }
                i += 1
                arguments.append(String(decoding: value, as: UTF8.self))
                while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1 }
            }
        }

        let name = readName()
        guard !name.isEmpty else { throw fail("expected a pattern name after '%{'") }
        let arguments = try readArguments()
        var field: String?
        var conversion: String?
        var conversionArguments: [String] = []
        if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            i += 1
            let from = i
            while i < bytes.count, bytes[i] != UInt8(ascii: ":"), bytes[i] != UInt8(ascii: "}") { i += 1 }
            field = String(decoding: bytes[from..<i], as: UTF8.self)
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                i += 1
                conversion = readName()
                if conversion!.isEmpty { throw fail("expected a conversion name after the second ':'") }
                conversionArguments = try readArguments()
            }
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "}") else {
            throw fail(i < bytes.count ? "unexpected '\(Character(Unicode.Scalar(bytes[i])))' in a pattern reference" : "'%{' without a closing '}'")
        }
        return Reference(name: name, arguments: arguments, field: field.map(normalizeFieldName), conversion: conversion,
                         conversionArguments: conversionArguments, start: start, end: i + 1)
    }

    /// Logstash's bracketed field references become dotted names: `[dd][trace_id]` → `dd.trace_id`.
    static func normalizeFieldName(_ name: String) -> String {
        guard name.hasPrefix("["), name.hasSuffix("]") else { return name }
        return name.dropFirst().dropLast().replacingOccurrences(of: "][", with: ".")
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }
}
