import TracejoinModel
import TracejoinSupport

/// A problem in a configuration file, with where it is.
///
/// Rendered as `file:line:column: message`, the form editors and CI logs link to.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem concerns the whole file (e.g. it is missing).
    public var line: Int
    /// 1-based; 0 when unknown.
    public var column: Int
    public var message: String

    public init(file: String, line: Int = 0, column: Int = 0, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        switch (line, column) {
        case (0, _): return "\(file): \(message)"
        case (_, 0): return "\(file):\(line): \(message)"
        default: return "\(file):\(line):\(column): \(message)"
        }
    }
}

extension ConfigError {
    /// The most characters of a token (a value, a name) from a file an error quotes.
    public static let excerptLimit = 64
    /// The most characters of a mapping key an error quotes. Keys are short words (the longest
    /// the configuration knows, `partial_line_timeout`, has 20), and a key is the first thing
    /// quoted from a file that is no rule file at all: `/etc/shadow` read as YAML is a mapping
    /// whose keys are whole lines (`root:$6$salt$hash:19000:0:99999:7::`). 24 characters of one
    /// show the user and part of the salt: for today's entries (`$6$` with its 16-character salt,
    /// `$y$` with 22) not one character of the hash.
    public static let keyExcerptLimit = 24

    /// `token`, a piece of a file, as an error quotes it: at most `limit` characters (Unicode
    /// scalars), then `…`; control characters written visibly (``TerminalText``: `\x1b`, `\n`).
    /// An error names the offending token and where it is (file:line:column), never more of
    /// the file: a file that is not a rule file cannot be read through `/v1/rules` or the log.
    public static func excerpt<Text: StringProtocol>(_ token: Text, limit: Int = ConfigError.excerptLimit) -> String {
        var cut = ""
        cut.unicodeScalars.append(contentsOf: token.unicodeScalars.prefix(limit))
        let shown = TerminalText.escape(cut)
        return token.unicodeScalars.dropFirst(limit).isEmpty ? shown : shown + "…"
    }
}

/// Every problem found while loading a configuration directory.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
