import Foundation
import Rules
import TraceContext
import Testing
import TracejoinModel

/// `tracejoin rules import`: Logstash pipelines and Datadog pipeline exports as rule files.
@Suite("Importing Logstash and Datadog rules")
struct ImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/import")

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// Writes the files into a fresh configuration directory and loads it with the daemon's loader.
    static func load(_ result: RuleImport) throws -> (TempConfig, ConfigDirectory) {
        let dir = try TempConfig()
        for file in result.files {
            try file.text.write(toFile: dir.path + "/rules.d/" + file.name, atomically: true, encoding: .utf8)
            let check = RuleImport.check(path: dir.path + "/rules.d/" + file.name, configDirectory: dir.path)
            #expect(check.errors.isEmpty, "\(check.errors)")
        }
        return (dir, try ConfigDirectory.load(dir.path))
    }

    // MARK: Logstash

    @Test func logstashPipelineBecomesOneRuleFilePerGrokFilter() throws {
        let result = try LogstashImport.run(try Self.fixture("shop.conf"), file: "shop.conf")
        #expect(result.files.map(\.name) == ["shop-app.yaml", "shop-nginx.yaml"])
        let app = try #require(result.files.first).text
        #expect(app.contains("source: 'shop-app'\npaths: ['/var/log/shop/app.log']\n"))
        #expect(app.contains("start_at: beginning\n"))
        #expect(app.contains("multiline:\n  start: '^%{TIMESTAMP_ISO8601} '\n"))
        #expect(app.contains(#"  DDIDS: 'dd\.trace_id=%{NOTSPACE:trace_id} dd\.span_id=%{NOTSPACE:span_id}'"#))
        #expect(app.contains(#"""
              - name: 'app-1'
                grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DDIDS}\] - %{GREEDYDATA:message}'
                ids: { trace: auto, span: decimal }
              - name: 'app-2'
            """#))
        #expect(app.contains(#"# Logstash applied it only when: [type] == "app""#))

        let nginx = result.files[1].text
        #expect(nginx.contains("paths: ['/var/log/nginx/access.log']\n"))
        #expect(!nginx.contains("multiline"))
        #expect(nginx.contains(#"\"%{WORD:method} %{NOTSPACE:path} HTTP/%{NUMBER:http_version}\" %{INT:status:int} %{INT:bytes:int} trace_id=%{NOTSPACE:trace_id}'"#))
        #expect(nginx.contains("ids: { trace: hex, span: hex }"))
        #expect(nginx.contains("pattern_set: ecs\n"))
        #expect(!app.contains("pattern_set"))

        #expect(result.notes.contains { $0.contains("'dd.trace_id' renamed to 'trace_id'") })
        #expect(result.notes.contains { $0.contains("'trace.id' renamed to 'trace_id'") })
        #expect(result.notes.contains { $0 == "shop.conf:47: ecs_compatibility => v8 carried as pattern_set: ecs" })
    }

    @Test func logstashReportsWhatIsNotCarriedWithItsLine() throws {
        let result = try LogstashImport.run(try Self.fixture("shop.conf"), file: "shop.conf")
        let report = Set(result.notCarried.map { "\($0.location) \($0.what)" })
        for expected in [
            "shop.conf:8 file input setting 'sincedb_path'",
            "shop.conf:20 input 'beats'",
            #"shop.conf:24 conditional 'if [type] == "app"'"#,
            "shop.conf:36 grok setting 'overwrite'",
            "shop.conf:37 grok setting 'tag_on_failure'",
            "shop.conf:39 filter 'date'",
            #"shop.conf:43 conditional 'if [type] == "nginx"'"#,
            "shop.conf:49 filter 'mutate'",
            "shop.conf:51 grok filter",
            "shop.conf:52 grok on field '[url][query]'",
            "shop.conf:57 output 'elasticsearch'",
        ] {
            #expect(report.contains(expected), "missing: \(expected)")
        }
        // Nothing inside the filters that were carried is reported as lost.
        #expect(!report.contains { $0.contains("pattern_definitions") || $0.contains("'match'") })
    }

    @Test func importedLogstashFilesLoadAndJoinTraces() throws {
        let result = try LogstashImport.run(try Self.fixture("shop.conf"), file: "shop.conf")
        let (dir, config) = try Self.load(result)
        defer { withExtendedLifetime(dir) {} }
        #expect(config.sources.map(\.file.source) == ["shop-app", "shop-nginx"])
        let app = try #require(config.sources.first)
        #expect(app.file.multiline?.start == "^%{TIMESTAMP_ISO8601} ")
        let line = "2026-11-24 22:11:28,925 ERROR [shop.cart] [dd.trace_id=7170636375644965375 dd.span_id=1295274668589741838] - payment failed"
        guard case .record(let record) = parse(app.parser.makeSession(), line) else {
            Issue.record("the app line did not give a record")
            return
        }
        #expect(record.rule == "app-1")
        #expect(record.traceID == TraceID(high: nil, low: 7_170_636_375_644_965_375))
        #expect(record.spanID == SpanID(1_295_274_668_589_741_838))
        #expect(record.level == "ERROR")
        #expect(record.message == "payment failed")
        #expect(record.fields.first { $0.name == "logger" }?.value == .string("shop.cart"))

        let nginx = config.sources[1]
        #expect(nginx.file.patternSet.rawValue == "ecs")
        let access = #"10.0.0.7 - - [24/Nov/2026:22:11:28 +0000] "GET /cart?id=5 HTTP/1.1" 200 512 trace_id=4bf92f3577b34da6a3ce929d0e0e4736"#
        guard case .record(let hit) = parse(nginx.parser.makeSession(), access) else {
            Issue.record("the access line did not give a record")
            return
        }
        #expect(hit.traceID == TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736))
        #expect(hit.fields.first { $0.name == "status" }?.value == .integer(200))
    }

    @Test(arguments: [
        // The old array form, single quotes, a comment after a value.
        (#"filter { grok { match => ['message', 'a=%{INT:a}'] } }"#, ["a=%{INT:a}"]),
        // A hash of one pattern, commas between entries (not in the grammar, often written).
        (#"filter { grok { match => { "message" => "b=%{WORD:b}", } } }"#, ["b=%{WORD:b}"]),
        // Conditions with regular expressions, `in`, parentheses and braces inside strings.
        (#"""
        filter {
          if [message] =~ /^\s+at \{/ or ("x" in [tags] and [n] >= 2) {
            grok { match => { "[message]" => ["c=%{INT:c}", 'd=%{INT:d}'] } }   # two patterns
          } else { drop {} }
        }
        """#, ["c=%{INT:c}", "d=%{INT:d}"]),
    ])
    func logstashGrammar(_ text: String, _ expected: [String]) throws {
        let result = try LogstashImport.run(text, file: "p.conf", source: "p")
        let file = try #require(result.files.first)
        for pattern in expected { #expect(file.text.contains("grok: '\(pattern)'"), "\(file.text)") }
        // No file input: a placeholder path, reported.
        #expect(file.text.contains("paths: ['/var/log/CHANGE-ME/p/*.log']"))
        #expect(result.notCarried.contains { $0.what == "the files to tail for source 'p'" })
    }

    @Test func logstashEscapesAreKeptUnlessSupportEscapesIsOn() throws {
        let text = #"filter { grok { match => { "message" => "q=\"%{DATA:q}\" \\d" } } }"#
        let raw = try LogstashImport.run(text, file: "p.conf")
        #expect(raw.files.first?.text.contains(#"grok: 'q=\"%{DATA:q}\" \\d'"#) == true)
        let decoded = try LogstashImport.run(text, file: "p.conf", supportEscapes: true)
        #expect(decoded.files.first?.text.contains(#"grok: 'q="%{DATA:q}" \d'"#) == true)
    }

    @Test func logstashSyntaxErrorsNameTheLine() {
        do {
            _ = try LogstashImport.run("filter {\n  grok {\n    match { \"message\" => \"x\" }\n  }\n}\n", file: "bad.conf")
            Issue.record("a missing '=>' was accepted")
        } catch {
            #expect(error.description == "bad.conf:3:11: expected '=>' after 'match'")
        }
    }

    @Test func patternsDirIsCopiedOrReported() throws {
        let dir = NSTemporaryDirectory() + "tj-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/patterns", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "# ids\nSHOPID [A-Z]-%{INT}\n".write(toFile: dir + "/patterns/shop", atomically: true, encoding: .utf8)
        let text = #"filter { grok { patterns_dir => ["./patterns", "/nonexistent"] match => { "message" => "%{SHOPID:order}" } } }"#
        let result = try LogstashImport.run(text, file: dir + "/p.conf", source: "p")
        #expect(result.files.first?.text.contains("  SHOPID: '[A-Z]-%{INT}'") == true)
        #expect(result.notCarried.contains { $0.what == #"patterns_dir "/nonexistent""# })
    }

    // MARK: Datadog

    @Test func datadogGrokParserBecomesARuleFile() throws {
        let result = try DatadogImport.run(Data(try Self.fixture("pipelines.json").utf8), file: "pipelines.json")
        #expect(result.files.map(\.name) == ["checkout.yaml"])
        let text = try #require(result.files.first).text
        #expect(text.contains("source: 'checkout'\npaths: ['/var/log/CHANGE-ME/checkout/*.log']"))
        #expect(text.contains(#"  _ts: '%{date("yyyy-MM-dd HH:mm:ss,SSS"):timestamp}'"#))
        #expect(text.contains(#"  _ids: 'dd\.trace_id=%{notSpace:trace_id} dd\.span_id=%{notSpace:span_id}'"#))
        #expect(text.contains(#"""
              - name: 'traced'
                grok: '^(?:%{_ts} %{word:level} \[%{notSpace:logger}\] order=%{notSpace:order} %{_ids} - %{data:message})$'
                ids: { trace: auto, span: decimal }
              - name: 'untraced'
            """#))
        #expect(text.contains("samples:\n  - line: '2026-11-24 22:11:28,925 INFO [checkout.cart] order=A-1001"))

        let report = Set(result.notCarried.map { "\($0.location) | \($0.what)" })
        for expected in [
            #"pipeline "Checkout service" | filter query 'source:checkout'"#,
            #"pipeline "Checkout service" / processor "Order size" | category-processor"#,
            #"pipeline "Checkout service" / processor "UA" | user-agent-parser"#,
            #"pipeline "Checkout service" / processor "Parse checkout lines" | the files to tail for source 'checkout'"#,
        ] {
            #expect(report.contains(expected), "missing: \(expected)")
        }
        // The remappers were carried: their attributes are captured and renamed.
        #expect(!report.contains { $0.contains("remapper") })
        #expect(result.notes.contains { $0.contains("'dd.trace_id' renamed to 'trace_id'") })
    }

    @Test func importedDatadogFileLoadsWithItsSamples() throws {
        let result = try DatadogImport.run(Data(try Self.fixture("pipelines.json").utf8), file: "pipelines.json")
        let (dir, config) = try Self.load(result)
        defer { withExtendedLifetime(dir) {} }
        let source = try #require(config.sources.first)
        #expect(source.file.samples.count == 2)
        let line = "2026-11-24 22:11:28,925 INFO [checkout.cart] order=A-1001 dd.trace_id=7170636375644965375 dd.span_id=1295274668589741838 - cart paid"
        guard case .record(let record) = parse(source.parser.makeSession(), line) else {
            Issue.record("the sample did not give a record")
            return
        }
        #expect(record.rule == "traced")
        #expect(record.level == "INFO")
        #expect(record.message == "cart paid")
        #expect(record.traceID == TraceID(high: nil, low: 7_170_636_375_644_965_375))
        // Anchored to the whole line, as in Datadog.
        #expect(parse(source.parser.makeSession(), "x " + line).isUnmatched)
    }

    @Test func datadogWithoutGrokParsersImportsNothing() throws {
        let json = #"{"name": "json logs", "filter": {"query": "service:api"}, "processors": [{"type": "trace-id-remapper", "sources": ["trace"]}]}"#
        let result = try DatadogImport.run(Data(json.utf8), file: "p.json")
        #expect(result.files.isEmpty)
        #expect(result.notCarried.contains { $0.what == "remapper of trace to trace_id" })
    }
}

extension LineOutcome {
    var isUnmatched: Bool {
        if case .unmatched = self { return true }
        return false
    }
}
