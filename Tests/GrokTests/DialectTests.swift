import Grok
import Testing

@Suite("Logstash and Datadog dialects")
struct DialectTests {
    static let line = "2026-11-24 22:11:28,925 INFO [rc.app] 200 0.25 true user=alice dd.trace_id=6b060b9000000000638337cabfd009ff - request 1 received"

    @Test func sameLineSameFieldsInBothDialects() throws {
        let logstash = try GrokPattern(
            #"%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{NOTSPACE:logger}\] %{INT:status:int} %{NUMBER:took:float} %{WORD:ok} user=%{USERNAME:user} dd\.trace_id=%{TRACEID:trace_id} - %{GREEDYDATA:message}"#)
        let datadog = try GrokPattern(
            #"%{date("yyyy-MM-dd HH:mm:ss,SSS"):timestamp} %{word:level} \[%{notSpace:logger}\] %{integer:status} %{number:took} %{boolean:ok} user=%{word:user} dd\.trace_id=%{notSpace:trace_id} - %{data:message}$"#)
        let a = try #require(captures(logstash, Self.line))
        let b = try #require(captures(datadog, Self.line))
        #expect(a == b)
        #expect(a["trace_id"] == "6b060b9000000000638337cabfd009ff")
        // Conversions are recorded for the rule engine to apply.
        #expect(logstash.fields.first { $0.name == "status" }?.conversion == .integer)
        #expect(datadog.fields.first { $0.name == "status" }?.conversion == .integer)
        #expect(logstash.fields.first { $0.name == "took" }?.conversion == .float)
        #expect(datadog.fields.first { $0.name == "took" }?.conversion == .float)
        #expect(datadog.fields.first { $0.name == "ok" }?.conversion == .boolean(trueWord: nil, falseWord: nil))
    }

    @Test func fieldNameForms() throws {
        let p = try GrokPattern(#"%{INT:[dd][trace_id]} %{INT:dd.span_id} (?<raw_group>\w+)"#)
        #expect(p.fields.map(\.name) == ["dd.trace_id", "dd.span_id", "raw_group"])
        #expect(captures(p, "1 2 three") == ["dd.trace_id": "1", "dd.span_id": "2", "raw_group": "three"])
    }

    @Test(arguments: [
        (#"yyyy-MM-dd'T'HH:mm:ss.SSSXXX"#, "2026-11-24T22:11:28.925+01:00", true),
        (#"yyyy-MM-dd'T'HH:mm:ss.SSSXXX"#, "2026-11-24T22:11:28.925Z", true),
        ("dd/MMM/yyyy:HH:mm:ss Z", "24/Nov/2026:22:11:28 +0000", true),
        ("EEE MMM d HH:mm:ss yyyy", "Tue Nov 4 22:11:28 2026", true),
        ("hh:mm a", "10:30 PM", true),
        ("yyyy-MM-dd", "2026-13-01", false),
        ("yyyy-MM-dd", "26-11-01", false),
    ])
    func javaDatePatterns(_ pattern: String, _ text: String, _ matches: Bool) throws {
        let p = try GrokPattern("^%{date(\"\(pattern)\"):d}$")
        #expect((captures(p, text) != nil) == matches)
    }

    @Test func filtersAndArguments() throws {
        let p = try GrokPattern(#"%{data:kv:keyvalue("=", "/")} \| %{data::json} \| %{word:w:uppercase} %{notSpace:n:nullIf("-")}"#)
        let conversions = Dictionary(p.fields.map { ($0.name, $0.conversion) }, uniquingKeysWith: { a, _ in a })
        guard case .keyValue(let kv) = conversions["kv"] else {
            Issue.record("keyvalue expected")
            return
        }
        #expect(kv.separator == "=" && kv.allowed == "/")
        #expect(conversions[""] == .json)
        #expect(conversions["w"] == .uppercase)
        #expect(conversions["n"] == .nullIf("-"))
        #expect(try GrokPattern(#"%{regex("[a-z]+\\d"):code}"#).fields.first?.name == "code")
        #expect(captures(try GrokPattern(#"^%{regex("[a-z]+[0-9]"):code}$"#), "abc7") == ["code": "abc7"])
        #expect(captures(try GrokPattern(#"^%{boolean("yes","no"):b}$"#), "YES") == ["b": "YES"])
    }

    @Test(arguments: [
        (#"%{data:x:useragent}"#, GrokError.Code.unsupported, "not supported"),
        (#"%{mac:m}"#, .unsupported, "not supported"),
        (#"%{data:x:frobnicate}"#, .malformedReference, "unknown conversion"),
        (#"%{date:x}"#, .malformedReference, "Java date pattern"),
        (#"%{date("yyyy-QQ"):x}"#, .unsupported, "letter 'Q'"),
        (#"%{word("a"):x}"#, .malformedReference, "takes no arguments"),
        (#"%{INT:x:int"#, .malformedReference, "closing"),
        (#"%{LOGLEVL:x}"#, .unknownPattern, "did you mean 'LOGLEVEL'?"),
        (#"%{INT:n:int}%{WORD::int}"#, .malformedReference, "needs a field"),
    ])
    func unsupportedPartsAreRejectedWithAMessage(_ text: String, _ code: GrokError.Code, _ words: String) {
        #expect {
            _ = try GrokPattern(text)
        } throws: { error in
            guard let e = error as? GrokError else { return false }
            if !(e.code == code && e.message.contains(words)) { Issue.record("got \(e)") }
            return e.code == code && e.message.contains(words)
        }
    }

    @Test func helperRulesWinOverMatchersOfTheSameName() throws {
        let library = PatternLibrary.builtin.merging(["word": "x+"])
        #expect(captures(try GrokPattern("^%{word:w}$", library: library), "xxx") == ["w": "xxx"])
        #expect(captures(try GrokPattern("^%{word:w}$", library: library), "abc") == nil)
    }
}

@Suite("Lint and limits")
struct LintAndLimitTests {
    @Test(arguments: [
        (#"(a+)+b"#, true), (#"(?:\w+\s?)*$"#, true), (#"(.*x)*"#, true), (#"(a|b)+"#, false), (#"(?>a+)+"#, false),
        (#"(a+)++"#, false), (#"[(a+)+]"#, false), (#"\(a+\)+"#, false), (#"(ab){1,3}"#, false), (#"(a*){2,}"#, true),
    ])
    func nestedUnboundedQuantifiers(_ regex: String, _ risky: Bool) {
        #expect((RegexLint.nestedUnboundedQuantifier(regex) != nil) == risky)
    }

    @Test func catastrophicBacktrackingHitsTheLimitInsteadOfHanging() throws {
        let p = try GrokPattern(#"^(\w+\s?)*$"#, limits: MatchLimits(match: 100_000))
        var line = Array((String(repeating: "word ", count: 40) + "!").utf8)
        var data = p.makeMatchData()
        let clock = ContinuousClock()
        var outcome = MatchOutcome.noMatch
        let took = clock.measure {
            outcome = line.withUnsafeMutableBufferPointer { p.regex.match(UnsafeBufferPointer($0), &data) }
        }
        #expect(outcome.isLimit, "\(outcome)")
        // Not a timing test: a generous bound that an unbounded match (hours) cannot meet.
        #expect(took < .seconds(5))
    }
}
