/// Named regular expressions that grok expressions refer to as `%{NAME}`.
///
/// Definitions may refer to each other with `%{NAME}`; a `%{NAME:field}` inside a definition
/// captures `field` wherever the definition is used (as in Logstash).
public struct PatternLibrary: Sendable {
    public private(set) var definitions: [String: String]

    public init(_ definitions: [String: String] = [:]) {
        self.definitions = definitions
    }

    /// The built-in patterns.
    public static let builtin = PatternLibrary(BuiltinPatterns.all)

    /// A copy with `other`'s definitions added; `other` wins where both define a name.
    public func merging(_ other: [String: String]) -> PatternLibrary {
        PatternLibrary(definitions.merging(other) { _, new in new })
    }

    public subscript(name: String) -> String? { definitions[name] }
}

extension PatternLibrary {
    /// The defined name nearest to `name`, if it is a likely typo.
    func closest(to name: String) -> String? {
        Suggestion.nearest(to: name, in: definitions.keys)
    }
}
