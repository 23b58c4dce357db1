import Foundation
import Rules
import TraceContext
import Testing
import TracejoinAPI
import TracejoinModel

func loadSource(_ text: String, patterns: [String: String] = [:]) throws -> ConfigDirectory.Source {
    let dir = try TempConfig(rules: ["r.yaml": text], patterns: patterns)
    return try #require(try ConfigDirectory.load(dir.path).sources.first)
}

func record(_ outcome: LineOutcome) -> LogRecord? {
    if case .record(let r) = outcome { return r }
    return nil
}

func field(_ r: LogRecord?, _ name: String) -> FieldValue? {
    r?.fields.first { $0.name == name }?.value
}

@Suite("Rule features")
struct RuleFeatureTests {
    @Test func jsonRulesTakeIDsFromRawTokensNestedOrFlat() throws {
        let source = try loadSource("""
            source: py
            paths: [x]
            rules:
              - name: structlog
                json: { trace_id: dd.trace_id, span_id: dd.span_id, message: event, level: level, timestamp: timestamp }
                ids: { trace: auto, span: decimal }
              - name: fallback
                grok: '%{GREEDYDATA:message}'
            """)
        let session = source.parser.makeSession()
        // Flat keys, IDs as strings (structlog).
        let a = record(parse(session, #"{"event": "hi", "level": "info", "dd.trace_id": "6b060b9000000000638337cabfd009ff", "dd.span_id": "18446744073709551615", "timestamp": "2026-11-24T22:11:28Z"}"#))
        #expect(a?.rule == "structlog")
        #expect(a?.traceID == TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff))
        #expect(a?.spanID == SpanID(.max))
        #expect(a?.message == "hi" && a?.level == "info" && a?.time == "2026-11-24T22:11:28Z")
        // Nested keys, IDs as JSON numbers above 2^63 and 2^53: exact, never through a Double.
        let b = record(parse(session, #"{"dd": {"trace_id": 9982398928418628468, "span_id": 9007199254740993}, "event": "x", "n": 3, "ratio": 0.5, "ok": true, "tags": ["a", 1], "big": 123456789012345678901234}"#))
        #expect(b?.traceID == TraceID(high: nil, low: 9_982_398_928_418_628_468))
        #expect(b?.spanID == SpanID(9_007_199_254_740_993))
        #expect(field(b, "n") == .integer(3))
        #expect(field(b, "ratio") == .float(0.5))
        #expect(field(b, "ok") == .bool(true))
        #expect(field(b, "tags") == .string(#"["a", 1]"#))
        #expect(field(b, "big") == .string("123456789012345678901234"))
        // Not JSON: falls through to the next rule.
        guard case .noTrace(let rule, _) = parse(session, "plain text line") else {
            Issue.record("expected the fallback rule")
            return
        }
        #expect(rule == "fallback")
        // JSON with "0" IDs: no trace.
        guard case .noTrace = parse(session, #"{"event": "outside", "dd.trace_id": "0", "dd.span_id": "0"}"#) else {
            Issue.record("expected noTrace")
            return
        }
    }

    @Test func untracedLinesAreCountedAndKeptOnlyWhenTheSourceAsks() throws {
        let rules = """
            paths: [x]
            rules:
              - name: structlog
                json: { trace_id: dd.trace_id, message: event }
              - name: text
                grok: '%{WORD:level} (?:trace=%{NOTSPACE:trace_id} )?%{GREEDYDATA:message}'
            """
        for keep in [false, true] {
            let counters = CounterRegistry()
            let dir = try TempConfig(rules: ["r.yaml": "source: s\n" + (keep ? "keep_untraced: true\n" : "") + rules])
            let source = try #require(try ConfigDirectory.load(dir.path, counters: counters).sources.first)
            let session = source.parser.makeSession()
            for line in ["INFO starting up", #"{"event": "boot", "dd.trace_id": "0"}"#, #"{"event": "no key"}"#] {
                guard case .noTrace(_, let kept) = parse(session, line) else {
                    Issue.record("expected no trace for \(line)")
                    continue
                }
                #expect((kept != nil) == keep, "\(line)")
                if let kept {
                    #expect(kept.traceID == nil && kept.spanID == nil && kept.raw == line && kept.source == "s")
                }
            }
            #expect(counters.rule(source: "s", rule: "text").withoutTrace.value == 1)
            #expect(counters.rule(source: "s", rule: "structlog").withoutTrace.value == 2)
            // A traced line is a record either way.
            #expect(record(parse(session, "INFO trace=12345 handled"))?.traceID == TraceID(high: nil, low: 12345))
        }
        let bad = try TempConfig(rules: ["r.yaml": "source: s\nkeep_untraced: maybe\n" + rules])
        #expect(throws: ConfigErrors.self) { try ConfigDirectory.load(bad.path) }
    }

    @Test func pythonJsonLoggerIDsAfterALongTraceback() throws {
        let source = try loadSource("""
            source: py
            paths: [x]
            rules:
              - name: pjl
                json: { trace_id: dd.trace_id, span_id: dd.span_id, message: message, level: levelname, timestamp: asctime }
                ids: { trace: auto, span: decimal }
            """)
        let line = #"{"asctime": "2026-11-24 22:11:28,925", "levelname": "ERROR", "name": "rc.app", "message": "failed", "exc_info": "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: \"boom\" \u00e9\ud83d\ude00", "dd.trace_id": "2154539678243945261", "dd.span_id": "3499622670551927629"}"#
        let r = record(parse(source.parser.makeSession(), line))
        #expect(r?.traceID == TraceID(high: nil, low: 2_154_539_678_243_945_261))
        #expect(r?.spanID == SpanID(3_499_622_670_551_927_629))
        #expect(field(r, "exc_info") == .string("Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: \"boom\" é😀"))
    }

    @Test func conversionsAndFilters() throws {
        let source = try loadSource(#"""
            source: s
            paths: [x]
            rules:
              - name: r
                grok: 'trace=%{TRACEID:trace_id:int} took=%{NUMBER:took:float} n=%{integer:n} ok=%{boolean:ok} who=%{word:who:uppercase} ref=%{notSpace:ref:nullIf("-")} kv=\[%{data:kv:keyvalue("=", "/")}\] j=%{data::json}$'
            """#)
        // The ID field keeps its text whatever conversion is asked, with a warning.
        #expect(source.parser.warnings.map(\.message).contains { $0.contains("trace_id keeps its text") })
        let r = record(parse(source.parser.makeSession(), #"trace=9982398928418628468 took=0.25 n=-3 ok=TRUE who=alice ref=- kv=[a=1 b="two words" c=x/y] j={"user": {"id": 7}, "tag": "t"}"#))
        #expect(r?.traceID == TraceID(high: nil, low: 9_982_398_928_418_628_468))
        #expect(field(r, "took") == .float(0.25))
        #expect(field(r, "n") == .integer(-3))
        #expect(field(r, "ok") == .bool(true))
        #expect(field(r, "who") == .string("ALICE"))
        #expect(field(r, "ref") == nil)
        #expect(field(r, "kv.a") == .string("1"))
        #expect(field(r, "kv.b") == .string("two words"))
        #expect(field(r, "kv.c") == .string("x/y"))
        #expect(field(r, "user.id") == .integer(7))
        #expect(field(r, "tag") == .string("t"))
    }

    @Test func datadogRuleBlockWithHelpers() throws {
        let source = try loadSource("""
            source: dd
            paths: [x]
            rules:
              - name: web
                grok: |
                  ids dd\\.trace_id=%{notSpace:trace_id} dd\\.span_id=%{notSpace:span_id}
                  access %{ip:client} %{word:method} %{notSpace:path} %{ids}
                  other %{word:level} %{ids} %{data:message}
                ids: { trace: auto, span: decimal }
            """)
        #expect(source.parser.ruleNames == ["web/access", "web/other"])
        let session = source.parser.makeSession()
        let a = record(parse(session, "10.0.0.1 GET /cart dd.trace_id=5 dd.span_id=6"))
        #expect(a?.rule == "web/access" && a?.traceID?.low == 5 && a?.spanID == SpanID(6))
        #expect(field(a, "client") == .string("10.0.0.1"))
        let b = record(parse(session, "WARN dd.trace_id=7 dd.span_id=8 slow query"))
        #expect(b?.rule == "web/other" && b?.message == "slow query")
    }

    @Test func samplesArePassedOrTheFileIsRefused() throws {
        let good = """
            source: s
            paths: [x]
            rules:
              - name: r
                grok: 'id=%{TRACEID:trace_id} %{LOGLEVEL:level}'
            samples:
              - line: 'id=6B060B9000000000638337CABFD009FF INFO'
                rule: r
                fields: { trace_id: 6b060b9000000000638337cabfd009ff, level: INFO }
              - line: 'nothing here'
                matches: false
            """
        _ = try loadSource(good)
        let bad = good.replacingOccurrences(of: "level: INFO }", with: "level: WARN }")
        let dir = try TempConfig(rules: ["r.yaml": bad])
        #expect {
            try ConfigDirectory.load(dir.path)
        } throws: { error in
            let e = (error as? ConfigErrors)?.errors.first
            return e?.line == 7 && e?.message == "sample does not parse as expected: field level is 'INFO', expected 'WARN'"
        }
    }

    @Test func riskyPatternsWarnAndLimitsAreSettable() throws {
        let text = #"""
            source: s
            paths: [x]
            limits: { match: 5000 }
            rules:
              - name: slow
                grok: '^(\w+\s?)*$'
              - name: ok
                grok: '%{GREEDYDATA:message}'
                limits: { match: 100000, depth: 500, heap_kib: 1024 }
            """#
        let counters = CounterRegistry()
        let dir = try TempConfig(rules: ["r.yaml": text])
        let source = try #require(try ConfigDirectory.load(dir.path, counters: counters).sources.first)
        #expect(source.parser.warnings.first?.message.contains("repeats a group that itself repeats without bound") == true)
        #expect(source.file.rules[0].limits.match == 5000)
        #expect(source.file.rules[1].limits.match == 100_000 && source.file.rules[1].limits.depth == 500)
        // The hostile line hits the first rule's limit, is counted, and falls to the next rule.
        let outcome = parse(source.parser.makeSession(), String(repeating: "word ", count: 30) + "!")
        guard case .noTrace(let rule, _) = outcome else {
            Issue.record("expected the second rule to match")
            return
        }
        #expect(rule == "ok")
        #expect(counters.rule(source: "s", rule: "slow").limitHits.value == 1)
        #expect(counters.rule(source: "s", rule: "ok").matched.value == 1)
    }

    @Test func rulesTestExplainsWhereALineStopsMatching() throws {
        let source = try loadSource("""
            source: s
            paths: [x]
            rules:
              - name: r
                grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} %{GREEDYDATA:message}'
            """)
        let why = source.parser.explainMiss("2026-11-24 22:11:28,925 LOUD hello")
        #expect(why.first?.rule == "r")
        #expect(why.first?.reason == #"matched '%{TIMESTAMP_ISO8601:timestamp} ' up to byte 24; then '%{LOGLEVEL:level}' did not match "LOUD hello""#)
    }
}

@Suite("Rule registry (hot reload)")
struct RuleRegistryTests {
    static let rules = "source: s\npaths: [x]\nrules:\n  - name: a\n    grok: 'A=%{INT:trace_id}'\n"

    @Test func brokenEditKeepsTheLastGoodVersionAndRemovalTakesItOut() throws {
        let dir = try TempConfig(rules: ["s.yaml": Self.rules])
        let registry = RuleRegistry(try ConfigDirectory.load(dir.path), counters: CounterRegistry())
        let g0 = registry.current().generation
        #expect(registry.reload().isEmpty)  // nothing changed
        try "source: s\npaths: [x]\nrules:\n  - name: a\n    grok: '%{NOPE}'\n".write(toFile: dir.path + "/rules.d/s.yaml", atomically: true, encoding: .utf8)
        let events = registry.reload()
        #expect(events.count == 1 && "\(events[0])".contains("unknown pattern 'NOPE'") && "\(events[0])".contains("last good version stays in force"))
        #expect(registry.current().generation == g0)
        #expect(registry.current().sources.first?.parser.ruleNames == ["a"])
        let status = try #require(registry.statuses().first)
        #expect(status.status == "error" && status.in_force && status.error?.contains("s.yaml:5:12") == true)
        // Fixed: in force again, new version.
        try Self.rules.replacingOccurrences(of: "name: a", with: "name: b").write(toFile: dir.path + "/rules.d/s.yaml", atomically: true, encoding: .utf8)
        registry.reload()
        #expect(registry.current().sources.first?.parser.ruleNames == ["b"])
        #expect(registry.statuses().first?.status == "ok")
        // A new file and a pattern file change.
        try "NUM [0-9]+\n".write(toFile: dir.path + "/patterns.d/x.grok", atomically: true, encoding: .utf8)
        try "source: t\npaths: [y]\nrules:\n  - name: c\n    grok: '%{NUM:n}'\n".write(toFile: dir.path + "/rules.d/t.yaml", atomically: true, encoding: .utf8)
        registry.reload()
        #expect(registry.current().sources.map(\.file.source) == ["s", "t"])
        // Removal.
        try FileManager.default.removeItem(atPath: dir.path + "/rules.d/s.yaml")
        registry.reload()
        #expect(registry.current().sources.map(\.file.source) == ["t"])
    }
}

/// The examples of Datadog's "Parsing" reference (docs.datadoghq.com/logs/log_configuration/parsing,
/// and the URL and user-agent parsers it links to): log line, rule, the fields Datadog shows.
@Suite("Datadog parsing reference examples")
struct DatadogReferenceExampleTests {
    /// The fields `line` gives under the Datadog rule (or rule block) `grok`.
    func fields(_ grok: String, _ line: String, anchored: Bool = true) throws -> [String: FieldValue] {
        let expression = anchored && !grok.contains("\n") ? "^(?:\(grok))$" : grok
        let body = expression.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        let source = try loadSource("source: dd\npaths: [x]\nkeep_untraced: true\nrules:\n  - name: r\n    grok: |\n\(body)\n")
        let outcome = parse(source.parser.makeSession(), line)
        let r: LogRecord
        switch outcome {
        case .record(let found): r = found
        case .noTrace(_, let found?): r = found
        default:
            Issue.record("no match: \(line)")
            return [:]
        }
        var out = Dictionary(r.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        if let level = r.level { out["level"] = .string(level) }
        if let time = r.time { out["timestamp"] = .string(time) }
        return out
    }

    @Test func overviewExample() throws {
        #expect(try fields(#"%{word:user} connected on %{date("MM/dd/yyyy"):date}"#, "john connected on 11/08/2017")
            == ["user": .string("john"), "date": .integer(1_510_099_200_000)])
    }

    @Test func helperRules() throws {
        let block = """
            MyParsingRule %{user} %{connection} %{server}
            user %{word:user.name} id:%{integer:user.id}
            connection connected on %{date("MM/dd/yyyy"):connect_date}
            server on server %{notSpace:server.name} in %{notSpace:server.env}
            """
        #expect(try fields(block, "john id:12345 connected on 11/08/2017 on server XYZ in production") == [
            "user.name": .string("john"), "user.id": .integer(12345), "connect_date": .integer(1_510_099_200_000),
            "server.name": .string("XYZ"), "server.env": .string("production"),
        ])
    }

    @Test func keyValueOrLogfmt() throws {
        // `/` is not a default value character (the reference's characterAllowList is
        // `\w.\-_@` plus what the rule adds), so the date stops at its first `/`.
        let logfmt = try fields(#"%{data::keyvalue}"#, "user=john connect_date=11/08/2017 id=123 action=click")
        #expect(logfmt["user"] == .string("john") && logfmt["id"] == .string("123") && logfmt["action"] == .string("click"))
        #expect(try fields(#"%{data:my_attribute:keyvalue}"#, "user=john id=123") == ["my_attribute.user": .string("john"), "my_attribute.id": .string("123")])
        let colon = try fields(#"%{data::keyvalue(": ")}"#, "user: john connect_date: 11/08/2017 id: 123 action: click")
        #expect(colon["user"] == .string("john") && colon["id"] == .string("123") && colon["action"] == .string("click"))
        #expect(try fields(#"%{data::keyvalue("=","/:")}"#, "url=https://app.datadoghq.com/event/stream user=john")
            == ["url": .string("https://app.datadoghq.com/event/stream"), "user": .string("john")])
        // The "Other examples" table.
        let table: [(String, String, [String: FieldValue])] = [
            ("key=valueStr", #"%{data::keyvalue}"#, ["key": .string("valueStr")]),
            ("key=<valueStr>", #"%{data::keyvalue}"#, ["key": .string("valueStr")]),
            (#""key"="valueStr""#, #"%{data::keyvalue}"#, ["key": .string("valueStr")]),
            ("key:valueStr", #"%{data::keyvalue(":")}"#, ["key": .string("valueStr")]),
            (#"key:"/valueStr""#, #"%{data::keyvalue(":", "/")}"#, ["key": .string("/valueStr")]),
            ("/key:/valueStr", #"%{data::keyvalue(":", "/")}"#, ["/key": .string("/valueStr")]),
            ("key:={valueStr}", #"%{data::keyvalue(":=", "", "{}")}"#, ["key": .string("valueStr")]),
            ("key1=value1|key2=value2", #"%{data::keyvalue("=", "", "", "|")}"#, ["key1": .string("value1"), "key2": .string("value2")]),
            (#"key1="value1"|key2="value2""#, #"%{data::keyvalue("=", "", "", "|")}"#, ["key1": .string("value1"), "key2": .string("value2")]),
            // Multiple quoting strings: only `<>` quotes; key3's `"` is not a value character.
            (#"key1:=valueStr key2:=</valueStr2> key3:="valueStr3""#, #"%{data::keyvalue(":=","","<>")}"#,
             ["key1": .string("valueStr"), "key2": .string("/valueStr2")]),
            // Not matched: nothing.
            ("key:=valueStr", #"%{data::keyvalue("=")}"#, [:]),
            // Default delimiters (space, `,`, `;`); empty and null values are not kept.
            ("key1=value1,key2=value2;key3=value3 a= n=null", #"%{data::keyvalue}"#,
             ["key1": .string("value1"), "key2": .string("value2"), "key3": .string("value3")]),
            ("a: 1 b: two", #"%{data::keyvalue(":")}"#, ["a": .string("1"), "b": .string("two")]),
        ]
        for (line, rule, expected) in table {
            #expect(try fields(rule, line) == expected, "\(rule) on \(line)")
        }
    }

    @Test func alternatingAndOptionalAttributes() throws {
        let alternating = #"(%{integer:user.id}|%{word:user.firstname}) connected on %{date("MM/dd/yyyy"):connect_date}"#
        #expect(try fields(alternating, "john connected on 11/08/2017") == ["user.firstname": .string("john"), "connect_date": .integer(1_510_099_200_000)])
        #expect(try fields(alternating, "12345 connected on 11/08/2017") == ["user.id": .integer(12345), "connect_date": .integer(1_510_099_200_000)])
        #expect(try fields(#"%{word:user.firstname} (%{integer:user.id} )?connected on %{date("MM/dd/yyyy"):connect_date}"#,
                           "john 1234 connected on 11/08/2017")
            == ["user.firstname": .string("john"), "user.id": .integer(1234), "connect_date": .integer(1_510_099_200_000)])
    }

    @Test func nestedJSON() throws {
        let f = try fields(#"%{date("MMM dd HH:mm:ss"):timestamp} %{word:vm} %{word:app}\[%{number:logger.thread_id}\]: %{notSpace:server} %{data::json}"#,
                           #"Sep 06 09:13:38 vagrant program[123]: server.1 {"method":"GET", "status_code":200, "url":"https://app.datadoghq.com/logs/pipelines", "duration":123456}"#)
        #expect(f == [
            "timestamp": .string("Sep 06 09:13:38"), "vm": .string("vagrant"), "app": .string("program"), "logger.thread_id": .float(123),
            "server": .string("server.1"), "method": .string("GET"), "status_code": .integer(200),
            "url": .string("https://app.datadoghq.com/logs/pipelines"), "duration": .integer(123_456),
        ])
    }

    @Test func regexAndDiscardingText() throws {
        #expect(try fields(#"%{regex("[a-z]*"):user.firstname}_%{regex("[a-zA-Z0-9]*"):user.id} .*"#, "john_1a2b3c4 connected on 11/08/2017")
            == ["user.firstname": .string("john"), "user.id": .string("1a2b3c4")])
        #expect(try fields(#"Usage\:\s+%{number:usage}%{data:ignore}"#, "Usage: 24.3%") == ["usage": .float(24.3), "ignore": .string("%")])
    }

    @Test func listToArray() throws {
        #expect(try fields(#"Users %{data:users:array("[]",",")} have been added to the database"#,
                           "Users [John, Oliver, Marc, Tom] have been added to the database") == ["users": .string(#"["John","Oliver","Marc","Tom"]"#)])
        #expect(try fields(#"Users %{data:users:array("{}","-")} have been added to the database"#,
                           "Users {John-Oliver-Marc-Tom} have been added to the database") == ["users": .string(#"["John","Oliver","Marc","Tom"]"#)])
        #expect(try fields(#"Users %{data:users:array("{}","-", uppercase)} have been added to the database"#,
                           "Users {John-Oliver-Marc-Tom} have been added to the database") == ["users": .string(#"["JOHN","OLIVER","MARC","TOM"]"#)])
        #expect(try fields(#"%{data:n:array(integer)}"#, "1,2,3") == ["n": .string("[1,2,3]")])
        #expect(try fields(#"%{data:n:array("[]", ",", integer)}"#, "[1, 2, x]") == ["n": .string("[1,2]")])
    }

    @Test func glogFormat() throws {
        let f = try fields(#"%{regex("\\w"):level}%{date("MMdd HH:mm:ss.SSSSSS"):timestamp}\s+%{number:logger.thread_id} %{notSpace:logger.name}:%{number:logger.lineno}\] %{data:msg}"#,
                           "W0424 11:47:41.605188       1 authorization.go:47] Authorization is disabled")
        // `level` and `timestamp` are the correlator's own fields and keep their text.
        #expect(f == [
            "level": .string("W"), "timestamp": .string("0424 11:47:41.605188"), "logger.thread_id": .float(1),
            "logger.name": .string("authorization.go"), "logger.lineno": .float(47), "msg": .string("Authorization is disabled"),
        ])
    }

    @Test func parsingXML() throws {
        let book = #"<book category="CHILDREN"> <title lang="en">Harry Potter</title> <author>J K. Rowling</author> <year>2005</year> </book>"#
        #expect(try fields(#"%{data::xml}"#, book) == [
            "book.category": .string("CHILDREN"), "book.title.lang": .string("en"), "book.title.value": .string("Harry Potter"),
            "book.author": .string("J K. Rowling"), "book.year": .string("2005"),
        ])
        #expect(try fields(#"%{data::xml}"#, "<bookstore><book>Harry Potter</book><book>Everyday Italian</book></bookstore>")
            == ["bookstore.book": .string(#"["Harry Potter","Everyday Italian"]"#)])
    }

    @Test func parsingCSV() throws {
        #expect(try fields(#"%{data:user:csv("first_name,name,st_nb,st_name,city")}"#, "John,Doe,120,Jefferson St.,Riverside") == [
            "user.first_name": .string("John"), "user.name": .string("Doe"), "user.st_nb": .integer(120),
            "user.st_name": .string("Jefferson St."), "user.city": .string("Riverside"),
        ])
        let table: [(String, String, [String: FieldValue])] = [
            ("John,Doe", #"%{data::csv("firstname,name")}"#, ["firstname": .string("John"), "name": .string("Doe")]),
            (#""John ""Da Man""",Doe"#, #"%{data::csv("firstname,name")}"#, ["firstname": .string(#"John "Da Man""#), "name": .string("Doe")]),
            ("'John ''Da Man''',Doe", #"%{data::csv("firstname,name",",","'")}"#, ["firstname": .string("John 'Da Man'"), "name": .string("Doe")]),
            ("John|Doe", #"%{data::csv("firstname,name","|")}"#, ["firstname": .string("John"), "name": .string("Doe")]),
            ("value1,value2,value3", #"%{data::csv("key1,key2")}"#, ["key1": .string("value1"), "key2": .string("value2")]),
            ("value1,value2", #"%{data::csv("key1,key2,key3")}"#, ["key1": .string("value1"), "key2": .string("value2")]),
            ("value1,,value3", #"%{data::csv("key1,key2,key3")}"#, ["key1": .string("value1"), "key3": .string("value3")]),
            ("value1\tvalue2\tvalue3", #"%{data::csv("key1,key2,key3","tab")}"#,
             ["key1": .string("value1"), "key2": .string("value2"), "key3": .string("value3")]),
        ]
        for (line, rule, expected) in table {
            #expect(try fields(rule, line) == expected, "\(rule) on \(line)")
        }
    }

    @Test func theOtherFilters() throws {
        #expect(try fields(#"%{data:h:rubyhash}"#, #"{name => "John", "job" => {"company" => "Big Company", "title" => "CTO"}}"#)
            == ["h.name": .string("John"), "h.job.company": .string("Big Company"), "h.job.title": .string("CTO")])
        #expect(try fields(#"%{data::querystring}"#, "?productId=superproduct&promotionCode=superpromo")
            == ["productId": .string("superproduct"), "promotionCode": .string("superpromo")])
        #expect(try fields(#"%{data:path:decodeuricomponent}"#, "%2Fservice%2Ftest") == ["path": .string("/service/test")])
        #expect(try fields(#"%{word:a:lowercase} %{word:b:uppercase} %{notSpace:c:nullIf("-")}"#, "AbC dEf -") == ["a": .string("abc"), "b": .string("DEF")])
        // The URL parser's example.
        #expect(try fields(#"%{notSpace:http.url_details:url}"#, "https://api.example.com/v1/orders?user_id=12345&limit=20") == [
            "http.url_details.host": .string("api.example.com"), "http.url_details.path": .string("/v1/orders"),
            "http.url_details.port": .integer(443), "http.url_details.queryString.user_id": .string("12345"),
            "http.url_details.queryString.limit": .string("20"), "http.url_details.scheme": .string("https"),
        ])
        // The user-agent parser's example.
        #expect(try fields(#"%{data:ua:useragent}"#,
                           "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.5993.90 Safari/537.36") == [
            "ua.browser.family": .string("Chrome"), "ua.browser.major": .string("118"), "ua.browser.minor": .string("0"),
            "ua.browser.patch": .string("5993"), "ua.browser.patch_minor": .string("90"),
            "ua.device.brand": .string("Apple"), "ua.device.category": .string("Desktop"), "ua.device.family": .string("Mac"),
            "ua.device.model": .string("Mac"),
            "ua.os.family": .string("Mac OS X"), "ua.os.major": .string("10"), "ua.os.minor": .string("15"), "ua.os.patch": .string("7"),
        ])
        let decoded = try fields(#"%{data:ua:useragent(decodeuricomponent:true)}"#,
                                 "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2016_5%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/16.5%20Mobile/15E148%20Safari/604.1")
        #expect(decoded["ua.browser.family"] == .string("Mobile Safari") && decoded["ua.os.family"] == .string("iOS")
            && decoded["ua.device.category"] == .string("Mobile"))
    }

    @Test func numbersBooleansAndScale() throws {
        #expect(try fields(#"%{number:v:scale(10)} %{integer:i:scale(10)} %{integerExt:e} %{numberExt:g}"#, "2.5 3 12e3 1.5e2")
            == ["v": .float(25), "i": .integer(30), "e": .integer(12000), "g": .float(150)])
        // The boolean filter: `true` in any case is true, anything else false (never text).
        #expect(try fields(#"%{notSpace:a:boolean} %{notSpace:b:boolean} %{notSpace:c:boolean}"#, "TRUE false NotTrue")
            == ["a": .bool(true), "b": .bool(false), "c": .bool(false)])
        #expect(try fields(#"%{boolean("yes","no"):ok}"#, "YES") == ["ok": .bool(true)])
        // A value that does not convert is dropped, not kept as text.
        #expect(try fields(#"%{notSpace:n:integer} %{notSpace:f:number} %{notSpace:d:integer}"#, "abc xyz 99999999999999999999") == [:])
    }

    @Test func fieldPathsAndTopLevelMerges() throws {
        #expect(try fields(#"%{word:http["status code"]} %{word:user.name} %{data::keyvalue}"#, "ok bob a=1 b=2")
            == ["http.status code": .string("ok"), "user.name": .string("bob"), "a": .string("1"), "b": .string("2")])
        // A filter with no field name that fails gives nothing (no field named "").
        #expect(try fields(#"%{data::json}"#, "not json") == [:])
    }
}
