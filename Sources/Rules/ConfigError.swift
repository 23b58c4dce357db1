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

/// Every problem found while loading a configuration directory.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
