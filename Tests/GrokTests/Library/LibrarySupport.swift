@testable import Grok
import Testing

/// One line of a format and what a library pattern must make of it.
struct LibraryCase: CustomTestStringConvertible, Sendable {
    /// The pattern set whose definitions are used.
    let set: PatternSet
    /// The pattern, e.g. `HTTPD_COMBINEDLOG`.
    let pattern: String
    let line: String
    /// Fields the whole-line match must capture, with their text (others may be captured too;
    /// a name mapped to `nil` must not be captured).
    let fields: [String: String?]
    var testDescription: String { "\(set.rawValue) \(pattern): \(line.prefix(60))" }

    init(_ set: PatternSet = .legacy, _ pattern: String, _ line: String, _ fields: [String: String?] = [:]) {
        self.set = set
        self.pattern = pattern
        self.line = line
        self.fields = fields
    }
}

/// A line a library pattern must not match whole.
struct LibraryReject: CustomTestStringConvertible, Sendable {
    let set: PatternSet
    let pattern: String
    let line: String
    var testDescription: String { "\(set.rawValue) \(pattern) rejects: \(line.prefix(60))" }

    init(_ set: PatternSet = .legacy, _ pattern: String, _ line: String) {
        self.set = set
        self.pattern = pattern
        self.line = line
    }
}

/// The fields `^%{pattern}$` captures from `line` with the built-in library of `set`; `nil` if
/// it does not match. A field captured in several places (alternatives) has the text of the one
/// that took part in the match.
func wholeLineFields(_ set: PatternSet, _ pattern: String, _ line: String) throws -> [String: String]? {
    let grok = try GrokPattern("^%{\(pattern)}$", library: .builtin(set))
    return captures(grok, line)
}

func check(_ c: LibraryCase) throws {
    let got = try wholeLineFields(c.set, c.pattern, c.line)
    let fields = try #require(got, "\(c.pattern) does not match: \(c.line)")
    for (name, expected) in c.fields {
        #expect(fields[name] == expected, "\(c.pattern): field \(name)")
    }
}

func check(_ r: LibraryReject) throws {
    #expect(try wholeLineFields(r.set, r.pattern, r.line) == nil, "\(r.pattern) matches: \(r.line)")
}
