@testable import Grok
import Testing

/// Matches `line` against `pattern` and returns the fields it captured.
func captures(_ pattern: GrokPattern, _ line: String) -> [String: String]? {
    var md = pattern.makeMatchData()
    var line = line
    return line.withUTF8 { bytes -> [String: String]? in
        guard pattern.regex.match(bytes, &md) == .match else { return nil }
        var out: [String: String] = [:]
        for field in pattern.fields {
            if let r = md.range(ofGroup: field.group) {
                out[field.name] = String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
            }
        }
        return out
    }
}

@Suite("Grok compiler")
struct GrokPatternTests {
    static let ddtraceLine =
        "2026-11-24 22:11:28,925 INFO [rc.app] [rc_common.py:144] [dd.service=rc-demo dd.env=test dd.version=1.0.0 dd.trace_id=6b060b9000000000638337cabfd009ff dd.span_id=1295274668589741838] - request 1 received"

    @Test func ddtraceFormat() throws {
        let library = PatternLibrary.builtin.merging([
            "DDIDS": #"dd\.trace_id=%{TRACEID:trace_id} dd\.span_id=%{SPANID:span_id}"#
        ])
        let p = try GrokPattern(
            #"%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DATA:file}:%{INT:line}\] \[.*?%{DDIDS}\] - %{GREEDYDATA:message}"#,
            library: library)
        let f = try #require(captures(p, Self.ddtraceLine))
        #expect(f["timestamp"] == "2026-11-24 22:11:28,925")
        #expect(f["level"] == "INFO")
        #expect(f["logger"] == "rc.app")
        #expect(f["file"] == "rc_common.py")
        #expect(f["line"] == "144")
        #expect(f["message"] == "request 1 received")
        // Fields named inside a helper pattern are captured as if written in the rule.
        #expect(f["trace_id"] == "6b060b9000000000638337cabfd009ff")
        #expect(f["span_id"] == "1295274668589741838")
    }

    @Test func fieldsInsideTheExpressionAreCaptured() throws {
        let p = try GrokPattern(#"dd\.trace_id=%{TRACEID:dd.trace_id} dd\.span_id=%{SPANID:dd.span_id}\]"#)
        let f = try #require(captures(p, "x dd.trace_id=6b060b9000000000638337cabfd009ff dd.span_id=1295274668589741838]"))
        #expect(f["dd.trace_id"] == "6b060b9000000000638337cabfd009ff")
        #expect(f["dd.span_id"] == "1295274668589741838")
        #expect(p.fields.map(\.name) == ["dd.trace_id", "dd.span_id"])
    }

    @Test(arguments: [
        ("6b060b9000000000638337cabfd009ff", "6b060b9000000000638337cabfd009ff"),
        ("18446744073709551615", "18446744073709551615"),
        ("457dcf6aef3b9e387c5151ce8d6c2902", "457dcf6aef3b9e387c5151ce8d6c2902"),
        ("ce3a6d2cb615fac0", "ce3a6d2cb615fac0"),
        ("0", "0"),
        ("None", "None"),
    ])
    func traceIDPattern(_ token: String, _ expected: String) throws {
        let p = try GrokPattern(#"trace_id=%{TRACEID:t} "#)
        #expect(captures(p, "trace_id=\(token) span_id=1")?["t"] == expected)
    }

    @Test func traceIDDoesNotTakeAPrefixOfALongerToken() throws {
        let p = try GrokPattern(#"^id=%{TRACEID:t}$"#)
        #expect(captures(p, "id=6b060b9000000000638337cabfd009ffaa") == nil)
    }

    @Test(arguments: [
        ("INT", "-42", true), ("INT", "abc", false),
        ("NUMBER", "3.25", true), ("NUMBER", "x", false),
        ("WORD", "hello_1", true), ("WORD", "!!", false),
        ("NOTSPACE", "a/b:c", true), ("NOTSPACE", " ", false),
        ("LOGLEVEL", "WARNING", true), ("LOGLEVEL", "error", true), ("LOGLEVEL", "CHATTY", false),
        ("TIMESTAMP_ISO8601", "2026-11-24T22:11:28.925Z", true),
        ("TIMESTAMP_ISO8601", "2026-11-24 22:11:28,925", true),
        ("TIMESTAMP_ISO8601", "2026-11-24 22:11:28+01:00", true),
        ("TIMESTAMP_ISO8601", "24/11/2026 22:11", false),
        ("SPANID", "1295274668589741838", true),
        ("SPANID_HEX", "ce3a6d2cb615fac0", true), ("SPANID_HEX", "xyz", false),
        ("TRACEID_DEC", "123", true), ("TRACEID_DEC", "abc", false),
        ("IPV4", "10.1.2.3", true), ("IPV4", "300.1.2.3", false),
        ("UUID", "123e4567-e89b-12d3-a456-426614174000", true), ("UUID", "123e4567", false),
    ])
    func builtinPatterns(_ name: String, _ text: String, _ matches: Bool) throws {
        let p = try GrokPattern("^%{\(name):v}$")
        let f = captures(p, text)
        #expect((f != nil) == matches)
        if matches { #expect(f?["v"] == text) }
    }

    @Test func unknownPatternNamesItsOffset() {
        #expect {
            _ = try GrokPattern("abc %{NOPE:x}")
        } throws: { error in
            guard let e = error as? GrokError else { return false }
            return e.code == .unknownPattern && e.offset == 4 && e.message.contains("NOPE")
        }
    }

    @Test func regexErrorIsMappedBackToTheUsersText() {
        // The unbalanced ')' is at offset 12 of the user's text, far later in the expansion.
        #expect {
            _ = try GrokPattern("%{INT:a} xy )")
        } throws: { error in
            guard let e = error as? GrokError else { return false }
            return e.code == .regex && e.offset == 12
        }
    }

    @Test func recursionIsAnError() {
        let library = PatternLibrary.builtin.merging(["A": "%{B}", "B": "x%{A}"])
        #expect(throws: GrokError.self) { try GrokPattern("%{A}", library: library) }
    }

    /// A chain of 100,000 patterns (P0 refers to P1, … to P99999): expanding it recursed once
    /// per link until the stack overflowed. Past the nesting limit it is an error at the
    /// reference; a chain within it still compiles.
    @Test func aLongChainOfPatternsIsAnErrorNotAStackOverflow() throws {
        var chain: [String: String] = [:]
        for i in 0..<100_000 { chain["P\(i)"] = "%{P\(i + 1)}" }
        chain["P100000"] = "x"
        #expect {
            _ = try GrokPattern("a %{P0:v}", library: PatternLibrary(chain))
        } throws: { error in
            guard let e = error as? GrokError else { return false }
            return e.code == .recursiveReference && e.offset == 2 && e.message.contains("nest deeper than")
        }
        var short: [String: String] = [:]
        for i in 0..<50 { short["P\(i)"] = "%{P\(i + 1)}" }
        short["P50"] = "x"
        let p = try GrokPattern("a %{P0:v}", library: PatternLibrary(short))
        #expect(captures(p, "a x") == ["v": "x"])
    }

    @Test func unclosedReference() {
        #expect(throws: GrokError.self) { try GrokPattern("a %{INT") }
    }

    @Test func usesJIT() throws {
        #expect(try GrokPattern("%{INT:n}").regex.isJIT)
    }
}

/// Matching reads UTF-8 as Logstash's engine does, and never fails on bytes that are not UTF-8.
@Suite("Grok on UTF-8")
struct GrokUTF8Tests {
    @Test func lettersBeyondASCIIAreWordCharacters() throws {
        let p = try GrokPattern("^%{UNIXPATH:path} %{WORD:who}$")
        #expect(captures(p, "/opt/Čierný_Peter/x Müller") == ["path": "/opt/Čierný_Peter/x", "who": "Müller"])
    }

    @Test func invalidBytesStillMatchAndKeepTheirOffsets() throws {
        let p = try GrokPattern(#"^id=%{INT:id} msg=%{GREEDYDATA:msg}$"#)
        var md = p.makeMatchData()
        let line: [UInt8] = Array("id=42 msg=".utf8) + [0xFF, 0xC3, 0x28, 0x41] + Array(" end".utf8)
        let outcome = line.withUnsafeBufferPointer { p.regex.match($0, &md) }
        #expect(outcome == .match)
        let id = try #require(p.fields.first { $0.name == "id" })
        let msg = try #require(p.fields.first { $0.name == "msg" })
        #expect(md.range(ofGroup: id.group) == 3..<5)
        #expect(md.range(ofGroup: msg.group) == 10..<line.count)
    }

    @Test func dotTakesAWholeCharacter() throws {
        let p = try GrokPattern(#"^(?<first>.)"#)
        #expect(captures(p, "édition") == ["first": "é"])
    }
}

/// The default limits stop a catastrophic rule on a hostile line (a counted failure), while the
/// library's patterns match their own lines well within them (the library tests).
@Suite("Match limits")
struct MatchLimitTests {
    @Test func aCatastrophicRuleOnAHostileLineGivesUp() throws {
        let p = try GrokPattern(#"^(?:\w+\s?)*$"#)
        var md = p.makeMatchData()
        let hostile = String(repeating: "abcdefghij ", count: 40) + "!"
        var line = hostile
        let outcome = line.withUTF8 { p.regex.match($0, &md) }
        #expect(outcome.isLimit, "\(outcome)")
    }
}

@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    @Test(arguments: [
        ([UInt8](), true), (Array("plain ascii line, longer than eight".utf8), true), (Array("Čierný_Peter 😀 é".utf8), true),
        ([0xFF], false), ([0xC3, 0x28], false), ([0xE0, 0x80, 0x80], false), ([0xED, 0xA0, 0x80], false),
        ([0xF4, 0x90, 0x80, 0x80], false), ([0xC0, 0xAF], false), ([0xE2, 0x82], false), (Array("ok".utf8) + [0xF0, 0x9F, 0x98], false),
    ])
    func validation(_ bytes: [UInt8], _ valid: Bool) {
        #expect(bytes.withUnsafeBufferPointer(UTF8Validation.isValid) == valid)
        #expect(bytes.withUnsafeBufferPointer(UTF8Validation.isValid) == (String(validating: bytes, as: UTF8.self) != nil))
    }
}
