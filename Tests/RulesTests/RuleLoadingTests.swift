import Foundation
import Rules
import TraceContext
import Testing
import TracejoinModel

/// A temporary configuration directory, removed when the test ends.
final class TempConfig {
    let path: String

    init(yaml: String = "", rules: [String: String] = [:], patterns: [String: String] = [:]) throws {
        path = NSTemporaryDirectory() + "tj-rules-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: path + "/rules.d", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: path + "/patterns.d", withIntermediateDirectories: true)
        try yaml.write(toFile: path + "/tracejoin.yaml", atomically: true, encoding: .utf8)
        for (name, text) in rules { try text.write(toFile: path + "/rules.d/" + name, atomically: true, encoding: .utf8) }
        for (name, text) in patterns { try text.write(toFile: path + "/patterns.d/" + name, atomically: true, encoding: .utf8) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let ddtraceRules = #"""
source: checkout
paths: ["logs/*.log", "/var/log/checkout/app.log"]
exclude: ["*.gz"]
patterns:
  DDIDS: 'dd\.trace_id=%{TRACEID:trace_id} dd\.span_id=%{SPANID:span_id}'
rules:
  - name: python-ddtrace
    grok: '%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} \[%{DATA:logger}\] \[%{DATA:file}:%{INT:line}\] \[.*?%{DDIDS}\] - %{GREEDYDATA:message}'
    ids: { trace: auto, span: decimal }
  - name: otel
    grok: 'trace_id=%{TRACEID:trace_id} span_id=%{SPANID:span_id} %{GREEDYDATA:message}'
    ids: { trace: hex, span: hex }
"""#

@Suite("Configuration directory")
struct RuleLoadingTests {
    @Test func loadsSettingsAndResolvesPathsAgainstTheDirectory() throws {
        let dir = try TempConfig(
            yaml: "state_dir: ../state\nquery: { socket: q.sock, mode: \"0640\" }\nretention: { max_age: 7d, max_bytes: 5GiB }\n",
            rules: ["checkout.yaml": ddtraceRules])
        let config = try ConfigDirectory.load(dir.path)
        let parent = (dir.path as NSString).deletingLastPathComponent
        #expect(config.daemon.stateDirectory == parent + "/state")
        #expect(config.daemon.query.socketPath == dir.path + "/q.sock")
        #expect(config.daemon.query.mode == 0o640)
        #expect(config.daemon.intake.socketPath == dir.path + "/run/intake.sock")
        #expect(config.daemon.intake.mode == 0o660)
        #expect(config.daemon.retention.maxAgeSeconds == 7 * 86400)
        #expect(config.daemon.retention.maxBytes == 5 << 30)
        let source = try #require(config.sources.first)
        #expect(source.file.source == "checkout")
        #expect(source.file.paths == [dir.path + "/logs/*.log", "/var/log/checkout/app.log"])
        #expect(source.file.exclude == ["*.gz"])
        #expect(source.file.rules.map(\.name) == ["python-ddtrace", "otel"])
    }

    @Test func worldWritableSocketIsRefused() throws {
        let dir = try TempConfig(yaml: "intake: { mode: \"0666\" }\n")
        #expect {
            try ConfigDirectory.load(dir.path)
        } throws: { error in
            let e = (error as? ConfigErrors)?.errors.first
            return e?.line == 1 && e?.message.contains("world-writable") == true
        }
    }

    @Test(arguments: [
        ("source: a\npaths: [x]\nrules:\n  - name: r\n    grok: '%{NOPE:x}'\n", 5, 12, "unknown pattern 'NOPE'"),
        // PCRE2 finds the missing ')' at the end of the expression: offset 12, column 12 + 12.
        ("source: a\npaths: [x]\nrules:\n  - name: r\n    grok: 'a %{INT:x} ('\n", 5, 24, "missing closing parenthesis"),
        // An error inside literal text maps to its exact column: PCRE2 points at the 'a' of 'z-a' (offset 6).
        ("source: a\npaths: [x]\nrules:\n  - name: r\n    grok: \"ab [z-a] %{INT:n}\"\n", 5, 18, "range out of order"),
        ("source: a\npaths: [x]\nrulez: []\n", 3, 1, "did you mean 'rules'?"),
        ("source: a\nrules: []\n", 1, 1, "missing 'paths'"),
        ("source: a\npaths: [x]\nrules:\n  - name: r\n    grok: x\n    ids: { trace: octal }\n", 6, 19, "ids.trace must be auto, decimal or hex"),
        ("source: a\npaths: [x\nrules: []\n", 3, 6, "YAML syntax error"),
        ("source: a\npaths: [x]\nrules:\n  - name: r\n    grok: '%{INT:n:frob}'\n", 5, 12, "unknown conversion 'frob'"),
    ])
    func errorsNameFileLineAndColumn(_ text: String, _ line: Int, _ column: Int, _ words: String) throws {
        let dir = try TempConfig(rules: ["bad.yaml": text])
        #expect {
            try ConfigDirectory.load(dir.path)
        } throws: { error in
            guard let e = (error as? ConfigErrors)?.errors.first else { return false }
            let ok = e.file == dir.path + "/rules.d/bad.yaml" && e.line == line && e.column == column && e.message.contains(words)
            if !ok { Issue.record("got \(e)") }
            return ok
        }
    }

    @Test func everyBrokenFileIsReported() throws {
        let dir = try TempConfig(rules: [
            "a.yaml": "source: a\npaths: [x]\nrules:\n  - name: r\n    grok: '%{NOPE}'\n",
            "b.yaml": "nonsense: true\n",
            "c.yaml": ddtraceRules,
        ], patterns: ["extra.grok": "GOOD \\d+\nbad-name x\n"])
        #expect {
            try ConfigDirectory.load(dir.path)
        } throws: { error in
            let files = (error as? ConfigErrors)?.errors.map { ($0.file as NSString).lastPathComponent } ?? []
            return Set(files) == ["a.yaml", "b.yaml", "extra.grok"]
        }
    }

    @Test func patternFilesAreUsableFromRules() throws {
        let dir = try TempConfig(
            rules: ["x.yaml": "source: a\npaths: [x]\nrules:\n  - name: r\n    grok: '%{ORDER:order} trace=%{TRACEID:trace_id}'\n"],
            patterns: ["shop.grok": "# comment\n\nORDER order-%{INT}\n"])
        let config = try ConfigDirectory.load(dir.path)
        let session = try #require(config.sources.first).parser.makeSession()
        guard case .record(let record) = parse(session, "order-42 trace=99") else {
            Issue.record("no record")
            return
        }
        #expect(record.fields == [LogRecord.Field(name: "order", value: "order-42")])
        #expect(record.traceID == TraceID(high: nil, low: 99))
    }

    @Test func missingConfigFileIsAnError() {
        #expect {
            try ConfigDirectory.load("/nonexistent-tracejoin-config")
        } throws: { error in
            (error as? ConfigErrors)?.errors.first?.description == "/nonexistent-tracejoin-config/tracejoin.yaml: cannot read file (missing or not readable)"
        }
    }
}

func parse(_ session: any LineParserSession, _ line: String) -> LineOutcome {
    var line = line
    return line.withUTF8 { session.parse($0, file: "/logs/app.log") }
}
