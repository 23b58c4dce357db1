import Foundation
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
        #expect(conversions[""] == .json(.json))
        #expect(conversions["w"] == .uppercase)
        #expect(conversions["n"] == .nullIf("-"))
        #expect(try GrokPattern(#"%{regex("[a-z]+\\d"):code}"#).fields.first?.name == "code")
        #expect(captures(try GrokPattern(#"^%{regex("[a-z]+[0-9]"):code}$"#), "abc7") == ["code": "abc7"])
        #expect(captures(try GrokPattern(#"^%{boolean("yes","no"):b}$"#), "YES") == ["b": "YES"])
    }

    @Test(arguments: [
        (#"%{hostnameOrIp:x}"#, GrokError.Code.unsupported, "not supported"),
        (#"%{date("yyyy", "UTC", "fr"):x}"#, .unsupported, "locale 'fr'"),
        (#"%{date("yyyy", "Mars/Olympus"):x}"#, .malformedReference, "unknown time zone"),
        (#"%{data:x:array("[]", ",", myRule)}"#, .unsupported, "sub-rules"),
        (#"%{data:x:array(json)}"#, .unsupported, "not one value"),
        (#"%{data:x:scale("ten")}"#, .malformedReference, "scale takes one argument"),
        (#"%{data:x:csv("a,,b")}"#, .malformedReference, "every header"),
        (#"%{data:x:useragent(sometimes)}"#, .malformedReference, "decodeuricomponent"),
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

/// Datadog's "Parsing" reference (docs.datadoghq.com/logs/log_configuration/parsing): its
/// matchers, filter arguments, field paths and date examples.
@Suite("Datadog parsing reference")
struct DatadogReferenceTests {
    /// The date table of the reference: raw string, rule's pattern (and time zone), epoch ms.
    /// Where the reference's own number is wrong (11/10/2014 is given in Paris time without a
    /// zone; "Tue Nov 1" repeats the June value) the UTC value is used.
    @Test(arguments: [
        ("HH:mm:ss", nil, "14:20:15", 51_615_000),
        ("hh:mm:ss a", nil, "02:20:15 PM", 51_615_000),
        ("dd/MM/yyyy", nil, "11/10/2014", 1_412_985_600_000),
        ("EEE MMM dd HH:mm:ss yyyy", nil, "Thu Jun 16 08:29:03 2016", 1_466_065_743_000),
        ("EEE MMM d HH:mm:ss yyyy", nil, "Tue Nov 1 08:29:03 2016", 1_477_988_943_000),
        ("dd/MMM/yyyy:HH:mm:ss Z", nil, "06/Mar/2013:01:36:30 +0900", 1_362_501_390_000),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZ", nil, "2016-11-29T16:21:36.431+0000", 1_480_436_496_431),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZZ", nil, "2016-11-29T16:21:36.431+00:00", 1_480_436_496_431),
        ("dd/MMM/yyyy:HH:mm:ss.SSS", nil, "06/Feb/2009:12:14:14.655", 1_233_922_454_655),
        ("yyyy-MM-dd HH:mm:ss.SSS z", nil, "2007-08-31 19:22:22.427 ADT", 1_188_598_942_427),
        ("EEE MMM dd HH:mm:ss yyyy", "Europe/Paris", "Thu Jun 16 08:29:03 2016", 1_466_058_543_000),
        ("EEE MMM dd HH:mm:ss yyyy", "UTC+5", "Thu Jun 16 08:29:03 2016", 1_466_047_743_000),
        ("EEE MMM dd HH:mm:ss yyyy", "+3", "Thu Jun 16 08:29:03 2016", 1_466_054_943_000),
        // Joda's lenient Z: an offset with a colon, or a literal Z.
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZ", nil, "2016-11-29T16:21:36.431-03:00", 1_480_447_296_431),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZ", nil, "2016-11-29T16:21:36.431Z", 1_480_436_496_431),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSZZ", nil, "2016-11-29T16:21:36.431+0000", 1_480_436_496_431),
        ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", nil, "2016-11-29T16:21:36.431Z", 1_480_436_496_431),
        ("yyyy-MM-dd HH:mm:ss ZZZ", nil, "2016-06-16 08:29:03 Europe/Paris", 1_466_058_543_000),
    ] as [(String, String?, String, Int64)])
    func dateTable(_ pattern: String, _ zone: String?, _ text: String, _ millis: Int64) throws {
        let arguments = zone.map { "\"\(pattern)\", \"\($0)\"" } ?? "\"\(pattern)\""
        let p = try GrokPattern("^%{date(\(arguments)):date}$")
        #expect(captures(p, text) == ["date": text], "the matcher must match \(text)")
        guard case .date(let format) = p.fields.first?.conversion else {
            Issue.record("date conversion expected")
            return
        }
        #expect(JavaDatePattern.epochMillis(text, pattern: format.pattern, zone: format.zone) == millis)
    }

    @Test func datesWithoutAYearTakeTheCurrentOne() throws {
        // The reference's glog example: "MMdd HH:mm:ss.SSSSSS", a fraction of six digits.
        let now = Date(timeIntervalSince1970: 1_587_000_000) // 2020-04-16
        #expect(JavaDatePattern.epochMillis("0424 11:47:41.605188", pattern: "MMdd HH:mm:ss.SSSSSS", zone: nil, now: now) == 1_587_728_861_605)
        #expect(JavaDatePattern.epochMillis("31/02/2020", pattern: "dd/MM/yyyy", zone: nil) == nil)
    }

    @Test func fieldPaths() throws {
        let p = try GrokPattern(#"%{word:field["quoted name"]} %{word:user.name} %{word:["a"]["b:c"]} %{word:[dd][trace_id]}"#)
        #expect(p.fields.map(\.name) == ["field.quoted name", "user.name", "a.b:c", "dd.trace_id"])
        #expect(captures(p, "w x y z") == ["field.quoted name": "w", "user.name": "x", "a.b:c": "y", "dd.trace_id": "z"])
    }

    @Test func everyDocumentedMatcherCompiles() throws {
        let cases: [(String, String)] = [
            ("notSpace", "a/b:c"), ("numberStr", "-1.5"), ("numberExtStr", "1.5e3"), ("integerStr", "42"),
            ("integerExtStr", "12e3"), ("word", "abc_1"), ("doubleQuotedString", #""a \"b\"""#),
            ("singleQuotedString", "'a b'"), ("quotedString", "'a'"), ("uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
            ("mac", "00:1a:2B:3c:4d:5e"), ("mac", "001a.2b3c.4d5e"), ("ipv4", "10.0.0.1"), ("ipv6", "fe80::1"),
            ("ip", "10.0.0.1"), ("hostname", "app.example.com"), ("ipOrHost", "app.example.com"),
            ("ipOrHost", "10.0.0.1"), ("port", "8080"), ("data", "any thing\nat all"),
        ]
        for (matcher, text) in cases {
            let p = try GrokPattern("^%{\(matcher):v}$")
            #expect(captures(p, text) == ["v": text], "\(matcher) on \(text)")
        }
        #expect(captures(try GrokPattern("^%{number:v}$"), "1e5") == nil, "number has no exponent; numberExt does")
        #expect(captures(try GrokPattern("^%{numberExt:v}$"), "1e5") == ["v": "1e5"])
        #expect(try GrokPattern("%{integerExt:v}").fields.first?.conversion == .integer)
        #expect(try GrokPattern("%{numberExt:v}").fields.first?.conversion == .float)
    }

    @Test func filterArguments() throws {
        func conversion(_ text: String) throws -> FieldConversion? { try GrokPattern(text).fields.first?.conversion }
        #expect(try conversion(#"%{number:v:scale(10)}"#) == .scale(10))
        #expect(try conversion(#"%{data:v:array("[]", ",", integer)}"#) == .array(.init(open: "[", close: "]", separator: ",", element: .integer)))
        #expect(try conversion(#"%{data:v:array(integer)}"#) == .array(.init(separator: ",", element: .integer)))
        #expect(try conversion(#"%{data:v:array("{}","-", uppercase)}"#) == .array(.init(open: "{", close: "}", separator: "-", element: .uppercase)))
        #expect(try conversion(#"%{data:v:array(";", nullIf("-"))}"#) == .array(.init(separator: ";", element: .nullIf("-"))))
        #expect(try conversion(#"%{data:v:useragent(decodeuricomponent:true)}"#) == .json(.userAgent(decode: true)))
        #expect(try conversion(#"%{data::csv("a,b", "tab")}"#) == .json(.csv(.init(headers: ["a", "b"], separator: 0x09))))
        #expect(try conversion(#"%{data::xml}"#) == .json(.xml))
        #expect(try conversion(#"%{data::rubyhash}"#) == .json(.rubyHash))
        #expect(try conversion(#"%{data::querystring}"#) == .json(.queryString))
        #expect(try conversion(#"%{data:u:url}"#) == .json(.url))
        #expect(try conversion(#"%{data:u:decodeuricomponent}"#) == .decodeURIComponent)
        #expect(try conversion(#"%{data::keyvalue(":=", "", "{}")}"#) == .keyValue(.init(separator: ":=", quotes: "{}")))
    }
}
