/// A grok expression compiled to one PCRE2 regular expression.
///
/// Two dialects share one syntax and can be mixed in a rule set:
/// - Logstash: `%{NAME}`, `%{NAME:field}`, `%{NAME:field:int|float}` against upper-case pattern
///   names (built-in, `patterns.d/`, a rule file's `patterns:`);
/// - Datadog: `%{matcher:field:filter}` with lowerCamel matchers (`word`, `integer`,
///   `date("yyyy-MM-dd")`, `regex("…")`, …) and filters (`integer`, `nullIf("-")`, `json`, …),
///   and references to helper rules by name.
///
/// Field names may be anything (`dd.trace_id`, `[dd][trace_id]`); internally each field group
/// gets a PCRE2-safe name. Raw PCRE2 named groups (`(?<name>…)`) are fields too.
public struct GrokPattern: Sendable {
    /// The text the user wrote.
    public let source: String
    /// The regular expression it expanded to.
    public let expanded: String
    public let regex: PCRE2Pattern
    /// The fields, in the order they appear in the expression, with their group numbers.
    public let fields: [Field]

    /// The expression's top-level pieces (literal text and `%{…}` references), with where each
    /// ends in the expansion: a grok debugger matches growing prefixes to find the piece a line
    /// stops matching at.
    public let pieces: [Piece]

    public struct Piece: Sendable, Hashable {
        /// Byte range in ``source``.
        public let source: Range<Int>
        /// Length of the expansion up to the end of this piece.
        public let expandedEnd: Int
    }

    public struct Field: Sendable, Hashable {
        public let name: String
        public let group: Int
        public let conversion: FieldConversion
    }

    /// Compiles `expression` against `library`.
    ///
    /// - Throws: ``GrokError`` with an offset into `expression`.
    public init(_ expression: String, library: PatternLibrary = .builtin, limits: MatchLimits = .default) throws(GrokError) {
        var expander = Expander(library: library)
        try expander.expand(expression)
        source = expression
        expanded = expander.output
        do {
            regex = try PCRE2Pattern(expander.output, limits: limits)
        } catch {
            let offset = expander.sourceOffset(forOutputOffset: error.offset)
            throw GrokError(.regex, "regular expression error: \(error.message)", offset: offset)
        }
        var fields: [Field] = []
        var internalNames = Set<String>()
        for (index, spec) in expander.fields.enumerated() {
            let name = Expander.groupName(index)
            internalNames.insert(name)
            if let group = regex.groupNumber(named: name) {
                fields.append(Field(name: spec.name, group: group, conversion: spec.conversion))
            }
        }
        // Named groups the user wrote in raw PCRE2 syntax.
        for (name, group) in regex.namedGroups() where !internalNames.contains(name) {
            fields.append(Field(name: name, group: group, conversion: .none))
        }
        self.fields = fields.sorted { $0.group < $1.group }
        pieces = expander.pieceRanges(sourceLength: expression.utf8.count)
    }

    /// Scratch space big enough for this pattern's groups.
    public func makeMatchData() -> MatchData {
        MatchData(groups: regex.captureCount, limits: regex.limits)
    }
}

/// Expands grok references into one regular expression, remembering which part of the output
/// came from which part of the user's text so that PCRE2's error offsets can be mapped back.
struct Expander {
    let library: PatternLibrary
    var output = ""
    var fields: [(name: String, conversion: FieldConversion)] = []
    /// (output offset where a piece starts, source offset it came from, piece is literal text).
    private var pieces: [(out: Int, src: Int, literal: Bool)] = []
    /// Definitions being expanded, one inside the other: each is a level of recursion here.
    private var depth = 0

    /// How deep definitions may nest (a pattern referring to one that refers to another…). A
    /// chain of patterns in a rule file is as long as the file makes it, and expanding it
    /// recursed once per link until the stack ran out; the built-in patterns nest 6 deep, and
    /// PCRE2 refuses groups nested over 250 deep (each reference is a group) anyway.
    static let maxDepth = 100

    init(library: PatternLibrary) {
        self.library = library
    }

    static func groupName(_ index: Int) -> String { "_tj\(index)" }

    mutating func expand(_ expression: String) throws(GrokError) {
        let bytes = Array(expression.utf8)
        var position = 0
        while let start = Self.nextReference(in: bytes, from: position) {
            appendLiteral(bytes[position..<start], sourceOffset: position)
            let reference = try Reference.scan(bytes, at: start)
            var visiting: [String] = []
            pieces.append((output.utf8.count, start, false))
            output += try expand(reference, visiting: &visiting, sourceOffset: start)
            position = reference.end
        }
        appendLiteral(bytes[position...], sourceOffset: position)
    }

    /// Where the next `%{` is, from `position`; a backslash escapes the byte after it, so `\%{`
    /// is a literal `%{`.
    static func nextReference(in bytes: [UInt8], from position: Int) -> Int? {
        var i = position
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                i += 2
            } else if bytes[i] == UInt8(ascii: "%") && bytes[i + 1] == UInt8(ascii: "{") {
                return i
            } else {
                i += 1
            }
        }
        return nil
    }

    private mutating func appendLiteral(_ bytes: ArraySlice<UInt8>, sourceOffset: Int) {
        guard !bytes.isEmpty else { return }
        pieces.append((output.utf8.count, sourceOffset, true))
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// One reference as a group: capturing when it names a field.
    private mutating func expand(_ reference: Reference, visiting: inout [String], sourceOffset: Int) throws(GrokError) -> String {
        let body: String
        var conversion = FieldConversion.none
        // A defined pattern (or helper rule) wins over a Datadog matcher of the same name.
        if library[reference.name] == nil,
            let matcher = try DatadogMatchers.matcher(reference.name, arguments: reference.arguments, library: library, offset: sourceOffset)
        {
            body = try expandDefinition(matcher.regex, visiting: &visiting, sourceOffset: sourceOffset)
            conversion = matcher.conversion
        } else {
            guard reference.arguments.isEmpty else {
                throw GrokError(.malformedReference, "pattern '\(reference.name)' takes no arguments", offset: sourceOffset)
            }
            body = try resolve(reference.name, visiting: &visiting, sourceOffset: sourceOffset)
        }
        if let name = reference.conversion {
            conversion = try DatadogMatchers.conversion(name, arguments: reference.conversionArguments, offset: sourceOffset)
        }
        let field = reference.field ?? ""
        // `%{data::json}`: no field name, but a filter whose members become fields.
        let extracts: Bool
        switch conversion {
        case .json, .keyValue: extracts = true
        default: extracts = false
        }
        guard !field.isEmpty || extracts else {
            if reference.conversion != nil {
                throw GrokError(.malformedReference, "a conversion needs a field: %{\(reference.name):FIELD:\(reference.conversion!)}", offset: sourceOffset)
            }
            return "(?:\(body))"
        }
        let group = Expander.groupName(fields.count)
        fields.append((field, conversion))
        return "(?<\(group)>\(body))"
    }

    /// The fully expanded definition of `name`: references inside it are expanded too, and a
    /// `%{NAME:field}` inside a helper pattern captures `field` as if written in the rule.
    private mutating func resolve(_ name: String, visiting: inout [String], sourceOffset: Int) throws(GrokError) -> String {
        guard let definition = library[name] else {
            var message = "unknown pattern '\(name)'"
            if let near = library.closest(to: name) { message += "; did you mean '\(near)'?" }
            throw GrokError(.unknownPattern, message, offset: sourceOffset)
        }
        if visiting.contains(name) {
            let chain = (visiting + [name]).joined(separator: " → ")
            throw GrokError(.recursiveReference, "pattern '\(name)' refers to itself (\(chain))", offset: sourceOffset)
        }
        visiting.append(name)
        defer { visiting.removeLast() }
        return try expandDefinition(definition, visiting: &visiting, sourceOffset: sourceOffset)
    }

    private mutating func expandDefinition(_ definition: String, visiting: inout [String], sourceOffset: Int) throws(GrokError) -> String {
        guard depth < Self.maxDepth else {
            throw GrokError(.recursiveReference, "patterns nest deeper than \(Self.maxDepth) (in pattern '\(visiting.last ?? "")')", offset: sourceOffset)
        }
        depth += 1
        defer { depth -= 1 }
        let bytes = Array(definition.utf8)
        var result = ""
        var position = 0
        while let start = Self.nextReference(in: bytes, from: position) {
            result += String(decoding: bytes[position..<start], as: UTF8.self)
            let reference: Reference
            do {
                reference = try Reference.scan(bytes, at: start)
            } catch {
                throw GrokError(error.code, "in pattern '\(visiting.last ?? "")': \(error.message)", offset: sourceOffset)
            }
            result += try expand(reference, visiting: &visiting, sourceOffset: sourceOffset)
            position = reference.end
        }
        result += String(decoding: bytes[position...], as: UTF8.self)
        return result
    }

    func pieceRanges(sourceLength: Int) -> [GrokPattern.Piece] {
        pieces.indices.map { i in
            let next = i + 1 < pieces.count ? pieces[i + 1] : (out: output.utf8.count, src: sourceLength, literal: true)
            return GrokPattern.Piece(source: pieces[i].src..<next.src, expandedEnd: next.out)
        }
    }

    /// Maps an offset in the expanded regex to the user's text: exact inside literal text, the
    /// start of the `%{...}` reference inside an expansion.
    func sourceOffset(forOutputOffset offset: Int) -> Int {
        guard let piece = pieces.last(where: { $0.out <= offset }) else { return 0 }
        return piece.literal ? piece.src + (offset - piece.out) : piece.src
    }
}
