/// A Logstash pipeline configuration, parsed: its `input`, `filter` and `output` sections.
///
/// The grammar is Logstash's own (logstash-core's `grammar.treetop`): sections hold plugins
/// (`name { key => value … }`) and conditionals (`if COND { … } else if COND { … } else { … }`);
/// a value is a string (single or double quoted), a number, a bare word, an array `[a, b]`, a
/// hash `{ "k" => "v" }` or a plugin (`codec => multiline { … }`); `#` starts a comment.
///
/// Strings are kept as written between their quotes, as Logstash does by default; with
/// `supportEscapes` (Logstash's `config.support_escapes: true`) `\\ \" \' \n \r \t` are decoded.
/// Conditions are kept as their text: only what they say is reported, never evaluated.
public struct LogstashConfig: Sendable {
    public var sections: [Section]

    /// `input { … }`, `filter { … }` or `output { … }`.
    public struct Section: Sendable {
        public var kind: String
        public var items: [Item]
        public var line: Int
    }

    public enum Item: Sendable {
        case plugin(Plugin)
        case conditional(Conditional)
    }

    /// `name { key => value … }`.
    public struct Plugin: Sendable {
        public var name: String
        public var settings: [Setting]
        public var line: Int
        public var column: Int

        /// The last setting called `name` (Logstash lets a later one win).
        public func setting(_ name: String) -> Setting? {
            settings.last { $0.name == name }
        }
    }

    /// `key => value`, with where the key is.
    public struct Setting: Sendable {
        public var name: String
        public var value: Value
        public var line: Int
        public var column: Int
    }

    public enum Value: Sendable {
        case string(String)
        case number(String)
        case bareword(String)
        case array([Value])
        case hash([HashEntry])
        case plugin(Plugin)

        /// The text of a string, number or bare word.
        public var text: String? {
            switch self {
            case .string(let s), .number(let s), .bareword(let s): return s
            default: return nil
            }
        }

        /// A string, or each text of an array (Logstash accepts either where a list is expected).
        public var texts: [String] {
            switch self {
            case .array(let items): return items.compactMap(\.text)
            default: return text.map { [$0] } ?? []
            }
        }
    }

    /// `"key" => value` in a hash.
    public struct HashEntry: Sendable {
        public var key: String
        public var value: Value
        public var line: Int
    }

    /// `if … { } else if … { } else { }`: the branches in order; the last one's condition is
    /// `nil` when it is an `else`.
    public struct Conditional: Sendable {
        public var branches: [Branch]
    }

    public struct Branch: Sendable {
        public var condition: String?
        public var items: [Item]
        public var line: Int
    }

    /// Parses a pipeline configuration.
    ///
    /// - Parameters:
    ///   - text: the configuration's text.
    ///   - file: its path, for errors.
    ///   - supportEscapes: decode backslash escapes in strings, as Logstash does with
    ///     `config.support_escapes: true`.
    /// - Throws: ``ConfigError`` at the line and column where the text stops following the grammar.
    public static func parse(_ text: String, file: String, supportEscapes: Bool = false) throws(ConfigError) -> LogstashConfig {
        var parser = LogstashParser(bytes: Array(text.utf8), file: file, supportEscapes: supportEscapes)
        return LogstashConfig(sections: try parser.config())
    }
}

/// A recursive-descent reader of the pipeline grammar over the text's bytes, counting lines.
struct LogstashParser {
    let bytes: [UInt8]
    let file: String
    let supportEscapes: Bool
    var i = 0
    var line = 1
    var lineStart = 0

    init(bytes: [UInt8], file: String, supportEscapes: Bool) {
        self.bytes = bytes
        self.file = file
        self.supportEscapes = supportEscapes
    }

    var column: Int { i - lineStart + 1 }
    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, message: message)
    }

    /// Moves past one byte, counting lines.
    mutating func advance() {
        if bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        i += 1
    }

    /// Skips whitespace and `#` comments.
    mutating func skipSpace() {
        while let b = peek {
            if b == UInt8(ascii: "#") {
                while let c = peek, c != UInt8(ascii: "\n") { advance() }
            } else if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                advance()
            } else {
                return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(ConfigError) {
        skipSpace()
        guard peek == byte else { throw error("expected \(what)") }
        advance()
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        isPatternNameByte(b) || b == UInt8(ascii: "-")
    }

    mutating func word() -> String {
        let from = i
        while let b = peek, Self.isWordByte(b) { advance() }
        return String(decoding: bytes[from..<i], as: UTF8.self)
    }

    /// Whether the next word is `keyword` (and not a longer word starting with it).
    func looksAt(_ keyword: String) -> Bool {
        let k = Array(keyword.utf8)
        guard i + k.count <= bytes.count, Array(bytes[i..<(i + k.count)]) == k else { return false }
        return i + k.count == bytes.count || !Self.isWordByte(bytes[i + k.count])
    }

    mutating func config() throws(ConfigError) -> [LogstashConfig.Section] {
        var sections: [LogstashConfig.Section] = []
        while true {
            skipSpace()
            if atEnd { return sections }
            let at = line
            let kind = word()
            guard ["input", "filter", "output"].contains(kind) else {
                throw error(kind.isEmpty ? "expected 'input', 'filter' or 'output'" : "'\(kind)' is not a section; expected 'input', 'filter' or 'output'")
            }
            try expect(UInt8(ascii: "{"), "'{' after '\(kind)'")
            sections.append(LogstashConfig.Section(kind: kind, items: try items(), line: at))
        }
    }

    /// Plugins and conditionals up to and including the closing `}`.
    mutating func items() throws(ConfigError) -> [LogstashConfig.Item] {
        var items: [LogstashConfig.Item] = []
        while true {
            skipSpace()
            guard let b = peek else { throw error("'}' missing at the end of the file") }
            if b == UInt8(ascii: "}") {
                advance()
                return items
            }
            if looksAt("if") {
                items.append(.conditional(try conditional()))
            } else {
                items.append(.plugin(try plugin()))
            }
        }
    }

    mutating func conditional() throws(ConfigError) -> LogstashConfig.Conditional {
        var branches: [LogstashConfig.Branch] = []
        var at = line
        i += 2  // "if"
        branches.append(LogstashConfig.Branch(condition: try condition(), items: try items(), line: at))
        while true {
            skipSpace()
            guard looksAt("else") else { break }
            at = line
            i += 4
            skipSpace()
            if looksAt("if") {
                i += 2
                branches.append(LogstashConfig.Branch(condition: try condition(), items: try items(), line: at))
            } else {
                try expect(UInt8(ascii: "{"), "'{' or 'if' after 'else'")
                branches.append(LogstashConfig.Branch(condition: nil, items: try items(), line: at))
                break
            }
        }
        return LogstashConfig.Conditional(branches: branches)
    }

    /// A condition's text, up to and including the `{` that opens its block. Strings, regular
    /// expressions (`/…/` after `=~` or `!~`) and brackets are stepped over whole.
    mutating func condition() throws(ConfigError) -> String {
        skipSpace()
        let from = i
        var depth = 0
        var last: UInt8 = 0
        var beforeLast: UInt8 = 0
        while let b = peek {
            if b == UInt8(ascii: "{") && depth == 0 {
                let text = String(decoding: bytes[from..<i], as: UTF8.self)
                advance()
                let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                guard !words.isEmpty else { throw error("a condition is missing before '{'") }
                return words.joined(separator: " ")
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                _ = try quoted()
                last = b
                continue
            }
            if b == UInt8(ascii: "/") && last == UInt8(ascii: "~") && (beforeLast == UInt8(ascii: "=") || beforeLast == UInt8(ascii: "!")) {
                advance()
                while let c = peek, c != UInt8(ascii: "/") {
                    if c == UInt8(ascii: "\\") && i + 1 < bytes.count { advance() }
                    advance()
                }
                guard !atEnd else { throw error("a regular expression in a condition is not closed with '/'") }
                advance()
                last = b
                continue
            }
            if b == UInt8(ascii: "[") || b == UInt8(ascii: "(") { depth += 1 }
            if b == UInt8(ascii: "]") || b == UInt8(ascii: ")") { depth -= 1 }
            if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\n") {
                beforeLast = last
                last = b
            }
            advance()
        }
        throw error("a condition's block '{' is missing")
    }

    mutating func plugin() throws(ConfigError) -> LogstashConfig.Plugin {
        let (at, col) = (line, column)
        let name = word()
        guard !name.isEmpty else {
            throw error("expected a plugin name (such as grok) or 'if', not '\(peek.map { String(Character(Unicode.Scalar($0))) } ?? "")'")
        }
        try expect(UInt8(ascii: "{"), "'{' after the plugin name '\(name)'")
        return try pluginBody(name: name, line: at, column: col)
    }

    /// `key => value …` up to and including the plugin's closing `}`.
    mutating func pluginBody(name: String, line at: Int, column col: Int) throws(ConfigError) -> LogstashConfig.Plugin {
        var settings: [LogstashConfig.Setting] = []
        while true {
            skipSpace()
            guard let b = peek else { throw error("plugin '\(name)' is not closed with '}'") }
            if b == UInt8(ascii: "}") {
                advance()
                return LogstashConfig.Plugin(name: name, settings: settings, line: at, column: col)
            }
            let (keyLine, keyColumn) = (line, column)
            let key = b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") ? try quoted() : word()
            guard !key.isEmpty else { throw error("expected a setting name in plugin '\(name)'") }
            try arrow(after: key)
            settings.append(LogstashConfig.Setting(name: key, value: try value(), line: keyLine, column: keyColumn))
        }
    }

    mutating func arrow(after key: String) throws(ConfigError) {
        skipSpace()
        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "="), bytes[i + 1] == UInt8(ascii: ">") else {
            throw error("expected '=>' after '\(key)'")
        }
        i += 2
    }

    mutating func value() throws(ConfigError) -> LogstashConfig.Value {
        skipSpace()
        guard let b = peek else { throw error("expected a value at the end of the file") }
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try quoted())
        case UInt8(ascii: "["):
            advance()
            var items: [LogstashConfig.Value] = []
            while true {
                skipSpace()
                if peek == UInt8(ascii: "]") {
                    advance()
                    return .array(items)
                }
                items.append(try value())
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    advance()
                } else if peek != UInt8(ascii: "]") {
                    throw error("expected ',' or ']' in an array")
                }
            }
        case UInt8(ascii: "{"):
            advance()
            var entries: [LogstashConfig.HashEntry] = []
            while true {
                skipSpace()
                guard let c = peek else { throw error("a hash is not closed with '}'") }
                if c == UInt8(ascii: "}") {
                    advance()
                    return .hash(entries)
                }
                if c == UInt8(ascii: ",") {  // not in the grammar, but harmless and often written
                    advance()
                    continue
                }
                let at = line
                let key = c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") ? try quoted() : word()
                guard !key.isEmpty else { throw error("expected a hash key") }
                try arrow(after: key)
                entries.append(LogstashConfig.HashEntry(key: key, value: try value(), line: at))
            }
        default:
            let (at, col) = (line, column)
            if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
                let from = i
                advance()
                while let c = peek, (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: ".") { advance() }
                return .number(String(decoding: bytes[from..<i], as: UTF8.self))
            }
            let name = word()
            guard !name.isEmpty else { throw error("expected a value, not '\(Character(Unicode.Scalar(b)))'") }
            skipSpace()
            if peek == UInt8(ascii: "{") {
                advance()
                return .plugin(try pluginBody(name: name, line: at, column: col))
            }
            return .bareword(name)
        }
    }

    /// A quoted string, the cursor on its opening quote. A backslash keeps the next byte in the
    /// string (so `\"` does not end it); the backslash itself is kept unless escapes are on.
    mutating func quoted() throws(ConfigError) -> String {
        let quote = bytes[i]
        let (at, col) = (line, column)
        advance()
        var out: [UInt8] = []
        while let b = peek, b != quote {
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                advance()
                let next = bytes[i]
                if supportEscapes {
                    switch next {
                    case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                    case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                    case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                    case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(next)
                    default: out += [UInt8(ascii: "\\"), next]
                    }
                } else {
                    out += [UInt8(ascii: "\\"), next]
                }
                advance()
                continue
            }
            out.append(b)
            advance()
        }
        guard !atEnd else { throw ConfigError(file: file, line: at, column: col, message: "a string is not closed") }
        advance()
        return String(decoding: out, as: UTF8.self)
    }
}
