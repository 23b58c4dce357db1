/// An error from compiling a grok expression.
///
/// `offset` is a byte offset into the text the user wrote (the grok expression), never into the
/// expanded regular expression, so an editor can point at it.
public struct GrokError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public static let unknownPattern = Code(name: "unknown-pattern")
        public static let malformedReference = Code(name: "malformed-reference")
        public static let recursiveReference = Code(name: "recursive-reference")
        public static let regex = Code(name: "regex")
        /// Valid in Logstash or Datadog, but not implemented by Tracejoin.
        public static let unsupported = Code(name: "unsupported")
        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// Byte offset in the grok expression the error refers to.
    public var offset: Int

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at offset \(offset))" }
}
