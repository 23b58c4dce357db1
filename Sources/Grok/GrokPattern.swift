/// A grok expression compiled to one PCRE2 regular expression.
///
/// `%{NAME}` expands to the library's definition of `NAME` in a non-capturing group;
/// `%{NAME:field}` expands to a capturing group whose value is reported as `field`. Field names
/// may be anything (`dd.trace_id`); internally each field group gets a PCRE2-safe name.
public struct GrokPattern: Sendable {
    /// The text the user wrote.
    public let source: String
    /// The regular expression it expanded to.
    public let expanded: String
    public let regex: Regex
    /// The fields, in the order they appear in the expression, with their group numbers.
    public let fields: [Field]

    public struct Field: Sendable, Hashable {
        public let name: String
        public let group: Int
    }

    /// Compiles `expression` against `library`.
    ///
    /// - Throws: ``GrokError`` with an offset into `expression`.
    public init(_ expression: String, library: PatternLibrary = .builtin) throws(GrokError) {
        var expander = Expander(library: library)
        try expander.expand(expression)
        source = expression
        expanded = expander.output
        do {
            regex = try Regex(expander.output)
        } catch {
            let offset = expander.sourceOffset(forOutputOffset: error.offset)
            throw GrokError(.regex, "regular expression error: \(error.message)", offset: offset)
        }
        var fields: [Field] = []
        for (index, name) in expander.fieldNames.enumerated() {
            if let group = regex.groupNumber(named: Expander.groupName(index)) {
                fields.append(Field(name: name, group: group))
            }
        }
        self.fields = fields
    }

    /// Scratch space big enough for this pattern's groups.
    public func makeMatchData() -> MatchData {
        MatchData(groups: regex.captureCount)
    }
}

/// Expands grok references into one regular expression, remembering which part of the output
/// came from which part of the user's text so that PCRE2's error offsets can be mapped back.
struct Expander {
    let library: PatternLibrary
    var output = ""
    var fieldNames: [String] = []
    /// (output offset where a piece starts, source offset it came from, piece is literal text).
    private var pieces: [(out: Int, src: Int, literal: Bool)] = []

    init(library: PatternLibrary) {
        self.library = library
    }

    static func groupName(_ index: Int) -> String { "tjf\(index)" }

    mutating func expand(_ expression: String) throws(GrokError) {
        let bytes = Array(expression.utf8)
        var i = 0
        var literalStart = 0
        while i < bytes.count {
            // A backslash escapes the next byte, so `\%{` is a literal `%{`.
            if bytes[i] == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") else {
                i += 1
                continue
            }
            appendLiteral(bytes[literalStart..<i], sourceOffset: literalStart)
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                throw GrokError(.malformedReference, "'%{' without a closing '}'", offset: i)
            }
            let inner = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
            try appendReference(inner, sourceOffset: i)
            i = close + 1
            literalStart = i
        }
        appendLiteral(bytes[literalStart..<bytes.count], sourceOffset: literalStart)
    }

    private mutating func appendLiteral(_ bytes: ArraySlice<UInt8>, sourceOffset: Int) {
        guard !bytes.isEmpty else { return }
        pieces.append((output.utf8.count, sourceOffset, true))
        output += String(decoding: bytes, as: UTF8.self)
    }

    private mutating func appendReference(_ inner: String, sourceOffset: Int) throws(GrokError) {
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        guard !name.isEmpty, name.utf8.allSatisfy(Expander.isNameByte) else {
            throw GrokError(.malformedReference, "'%{\(inner)}' is not a pattern reference; expected %{NAME} or %{NAME:field}", offset: sourceOffset)
        }
        let field = parts.count > 1 ? parts[1] : nil
        if parts.count > 2 {
            throw GrokError(.malformedReference, "'%{\(inner)}': type conversions (':\(parts[2])') are not supported; fields are kept as strings", offset: sourceOffset)
        }
        if let field, field.isEmpty {
            throw GrokError(.malformedReference, "'%{\(inner)}' has an empty field name", offset: sourceOffset)
        }
        var visiting: [String] = []
        let start = output.utf8.count
        let body = try reference(name, field: field, visiting: &visiting, sourceOffset: sourceOffset)
        pieces.append((start, sourceOffset, false))
        output += body
    }

    /// `%{name}` or `%{name:field}` as a group: capturing when it names a field.
    private mutating func reference(_ name: String, field: String?, visiting: inout [String], sourceOffset: Int) throws(GrokError) -> String {
        let body = try resolve(name, visiting: &visiting, sourceOffset: sourceOffset)
        guard let field, !field.isEmpty else { return "(?:\(body))" }
        let group = Expander.groupName(fieldNames.count)
        fieldNames.append(field)
        return "(?<\(group)>\(body))"
    }

    /// The fully expanded definition of `name`: references inside it are expanded too, and a
    /// `%{NAME:field}` inside a helper pattern captures `field` as if written in the rule.
    private mutating func resolve(_ name: String, visiting: inout [String], sourceOffset: Int) throws(GrokError) -> String {
        guard let definition = library[name] else {
            throw GrokError(.unknownPattern, "unknown pattern '\(name)'", offset: sourceOffset)
        }
        if visiting.contains(name) {
            let chain = (visiting + [name]).joined(separator: " → ")
            throw GrokError(.recursiveReference, "pattern '\(name)' refers to itself (\(chain))", offset: sourceOffset)
        }
        visiting.append(name)
        defer { visiting.removeLast() }
        let bytes = Array(definition.utf8)
        var result = ""
        var i = 0
        var literalStart = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            guard bytes[i] == UInt8(ascii: "%"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
                let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}"))
            else {
                i += 1
                continue
            }
            result += String(decoding: bytes[literalStart..<i], as: UTF8.self)
            let inner = bytes[(i + 2)..<close].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            if inner.count > 2 {
                throw GrokError(.malformedReference, "pattern '\(name)' uses a type conversion (':\(inner[2])'), which is not supported; fields are kept as strings", offset: sourceOffset)
            }
            result += try reference(inner[0], field: inner.count > 1 ? inner[1] : nil, visiting: &visiting, sourceOffset: sourceOffset)
            i = close + 1
            literalStart = i
        }
        result += String(decoding: bytes[literalStart...], as: UTF8.self)
        return result
    }

    /// Maps an offset in the expanded regex to the user's text: exact inside literal text, the
    /// start of the `%{...}` reference inside an expansion.
    func sourceOffset(forOutputOffset offset: Int) -> Int {
        guard let piece = pieces.last(where: { $0.out <= offset }) else { return 0 }
        return piece.literal ? piece.src + (offset - piece.out) : piece.src
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }
}
