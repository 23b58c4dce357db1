/// Why an ID token is not a valid trace or span ID.
///
/// The message names the offending character or the length, never guesses a value.
public struct IDParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of mistake the token has.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public static let whitespace = Code(name: "whitespace")
        public static let sign = Code(name: "sign")
        public static let notADigit = Code(name: "not-a-digit")
        public static let tooLarge = Code(name: "too-large")
        public static let badHexLength = Code(name: "bad-hex-length")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
