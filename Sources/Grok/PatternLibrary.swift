/// Named regular expressions that grok expressions refer to as `%{NAME}`.
///
/// Definitions may refer to each other with `%{NAME}`; a `%{NAME:field}` inside a definition
/// captures `field` wherever the definition is used (as in Logstash).
public struct PatternLibrary: Sendable {
    public private(set) var definitions: [String: String]
    /// What was added over the built-in patterns (`patterns.d/`, a rule file's `patterns:`), so
    /// that the same additions can be laid over the other pattern set (``using(_:)``).
    public private(set) var added: [String: String]

    public init(_ definitions: [String: String] = [:]) {
        self.definitions = definitions
        added = definitions
    }

    private init(builtin definitions: [String: String]) {
        self.definitions = definitions
        added = [:]
    }

    /// The built-in patterns: Logstash's library (legacy field names) and Tracejoin's own.
    public static let builtin = PatternLibrary(builtin: LogstashLibrary.definitions(.legacy).merging(BuiltinPatterns.all) { _, own in own })
    /// The same with Logstash's ECS field names.
    public static let builtinECS = PatternLibrary(builtin: LogstashLibrary.definitions(.ecs).merging(BuiltinPatterns.all) { _, own in own })

    /// The built-in patterns of `set`.
    public static func builtin(_ set: PatternSet) -> PatternLibrary {
        switch set {
        case .legacy: builtin
        case .ecs: builtinECS
        }
    }

    /// A copy with `other`'s definitions added; `other` wins where both define a name.
    public func merging(_ other: [String: String]) -> PatternLibrary {
        var copy = self
        copy.definitions.merge(other) { _, new in new }
        copy.added.merge(other) { _, new in new }
        return copy
    }

    /// The built-in patterns of `set` with this library's additions over them.
    public func using(_ set: PatternSet) -> PatternLibrary {
        PatternLibrary.builtin(set).merging(added)
    }

    public subscript(name: String) -> String? { definitions[name] }
}

extension PatternLibrary {
    /// The defined name nearest to `name`, if it is a likely typo.
    func closest(to name: String) -> String? {
        Suggestion.nearest(to: name, in: definitions.keys)
    }
}
