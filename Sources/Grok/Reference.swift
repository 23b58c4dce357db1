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
            do {
                return try Reference.arguments(bytes, at: &i)
            } catch {
                throw fail(error.message)
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
            // A field name ends at ':' or '}' outside quotes: `%{data:a["b:c"]:json}`.
            var quote: UInt8? = nil
            while i < bytes.count {
                let b = bytes[i]
                if let q = quote {
                    if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        i += 1
                    } else if b == q {
                        quote = nil
                    }
                } else if b == UInt8(ascii: "\""), i > from, bytes[i - 1] == UInt8(ascii: "[") {
                    quote = b
                } else if b == UInt8(ascii: "'"), i > from, bytes[i - 1] == UInt8(ascii: "[") {
                    quote = b
                } else if b == UInt8(ascii: ":") || b == UInt8(ascii: "}") {
                    break
                }
                i += 1
            }
            if quote != nil { throw fail("a quoted field name is not closed") }
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

    /// A field name as a dotted path. Logstash's bracketed references and Datadog's quoted
    /// segments become dotted names: `[dd][trace_id]` → `dd.trace_id`,
    /// `http["status code"]` → `http.status code`, `["a"]["b"]` → `a.b`. A name that is not a
    /// well-formed path is kept as written.
    static func normalizeFieldName(_ name: String) -> String {
        guard name.contains("[") else { return name }
        let bytes = Array(name.utf8)
        var segments: [String] = []
        var i = 0
        var current: [UInt8] = []
        var afterBracket = false
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "[") {
                if !current.isEmpty { segments.append(String(decoding: current, as: UTF8.self)) }
                current = []
                i += 1
                var segment: [UInt8] = []
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                    let quote = bytes[i]
                    i += 1
                    while i < bytes.count, bytes[i] != quote {
                        if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                        segment.append(bytes[i])
                        i += 1
                    }
                    guard i < bytes.count else { return name }
                    i += 1
                } else {
                    while i < bytes.count, bytes[i] != UInt8(ascii: "]") {
                        segment.append(bytes[i])
                        i += 1
                    }
                }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "]"), !segment.isEmpty else { return name }
                i += 1
                segments.append(String(decoding: segment, as: UTF8.self))
                afterBracket = true
            } else if b == UInt8(ascii: ".") {
                if !current.isEmpty { segments.append(String(decoding: current, as: UTF8.self)) }
                else if !afterBracket { return name }
                current = []
                afterBracket = false
                i += 1
            } else {
                if afterBracket { return name }
                current.append(b)
                i += 1
            }
        }
        if !current.isEmpty { segments.append(String(decoding: current, as: UTF8.self)) }
        return segments.isEmpty ? name : segments.joined(separator: ".")
    }

    struct ArgumentError: Error {
        var message: String
    }

    /// Reads `(a, b, …)` at `bytes[i]`, if there: quoted strings (`"…"` or `'…'`, a backslash
    /// escaping the next byte) or bare text (`integer`, `10`, `nullIf("-")`, `decodeuricomponent:true`)
    /// up to the next `,` or `)` outside quotes and parentheses. No `(`: no arguments.
    static func arguments(_ bytes: [UInt8], at i: inout Int) throws(ArgumentError) -> [String] {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "(") else { return [] }
        i += 1
        var arguments: [String] = []
        while true {
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            guard i < bytes.count else { throw ArgumentError(message: "arguments are not closed with ')'") }
            if bytes[i] == UInt8(ascii: ")") {
                i += 1
                return arguments
            }
            if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                let quote = bytes[i]
                i += 1
                var value: [UInt8] = []
                while i < bytes.count, bytes[i] != quote {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    value.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw ArgumentError(message: "an argument's quote is not closed") }
                i += 1
                arguments.append(String(decoding: value, as: UTF8.self))
            } else {
                // Bare text: to ',' or ')' at depth 0, quotes and parentheses balanced.
                let from = i
                var depth = 0
                var quote: UInt8? = nil
                while i < bytes.count {
                    let b = bytes[i]
                    if let q = quote {
                        if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                            i += 1
                        } else if b == q {
                            quote = nil
                        }
                    } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                        quote = b
                    } else if b == UInt8(ascii: "(") {
                        depth += 1
                    } else if b == UInt8(ascii: ")") {
                        if depth == 0 { break }
                        depth -= 1
                    } else if b == UInt8(ascii: ","), depth == 0 {
                        break
                    } else if b == UInt8(ascii: "}"), depth == 0 {
                        throw ArgumentError(message: "arguments are not closed with ')'")
                    }
                    i += 1
                }
                guard i < bytes.count else { throw ArgumentError(message: "arguments are not closed with ')'") }
                var text = Array(bytes[from..<i])
                while let last = text.last, last == UInt8(ascii: " ") { text.removeLast() }
                guard !text.isEmpty else { throw ArgumentError(message: "an empty argument") }
                arguments.append(String(decoding: text, as: UTF8.self))
            }
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1 }
        }
    }

    /// A filter written as an argument (`nullIf("-")`, `integer`): its name and arguments.
    static func call(_ text: String) throws(ArgumentError) -> (name: String, arguments: [String]) {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        guard !name.isEmpty else { throw ArgumentError(message: "'\(text)' is not a filter") }
        let arguments = try Self.arguments(bytes, at: &i)
        guard i == bytes.count else { throw ArgumentError(message: "'\(text)' is not a filter") }
        return (name, arguments)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }
}
