import Foundation
import Rules
import TraceContext
import Testing
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
                grok: 'trace=%{TRACEID:trace_id:int} took=%{NUMBER:took:float} n=%{integer:n} ok=%{boolean:ok} who=%{word:who:uppercase} ref=%{notSpace:ref:nullIf("-")} kv=\[%{data:kv:keyvalue}\] j=%{data::json}$'
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
