import Foundation
import Rules
import Testing
import TracejoinAPI
import TracejoinModel

/// Numbers in tracejoin.yaml and rule files at the ends of 64 bits, refused with an error naming
/// the setting. Before, a size or duration whose unit overflowed 64 bits trapped while parsing,
/// and values that parsed overflowed later where the daemon used them (max_age into a cut-off in
/// nanoseconds, durations into deadlines and the tailer's wait in milliseconds, max_bytes less a
/// segment, multiline.max_bytes plus max_line_bytes for the read buffer).
@Suite("Configuration numbers at the limits")
struct ConfigLimitTests {
    @Test(arguments: [
        // 10^17 days overflowed the multiplication into seconds.
        ("retention: { max_age: 99999999999999999d }\n", "max_age"),
        // Beyond 292 years, the retention cut-off (max_age in nanoseconds) overflowed.
        ("retention: { max_age: 200000d }\n", "max_age"),
        ("retention: { interval: 9223372036854775807s }\n", "retention.interval"),
        ("reload: { interval: 999999999999999999m }\n", "reload.interval"),
        ("drain_timeout: 9223372036854775807ms\n", "drain_timeout"),
        // TiB times 10^10 overflowed 64 bits.
        ("retention: { max_bytes: 9999999999TiB }\n", "max_bytes"),
        // A negative size overflowed retention's target (max_bytes less a segment).
        ("retention: { max_bytes: \"-9223372036854775808\" }\n", "max_bytes"),
        ("intake: { max_body: 99999999999999999GB }\n", "intake.max_body"),
    ])
    func daemonConfigRefuses(_ yaml: String, _ setting: String) throws {
        let dir = try TempConfig(yaml: yaml)
        #expect {
            try DaemonConfig.load(directory: dir.path)
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            if !message.contains(setting) { Issue.record("got \(error)") }
            return error is ConfigError && message.contains(setting)
        }
    }

    @Test func daemonConfigTakesTheLongestDurations() throws {
        let dir = try TempConfig(yaml: "retention: { max_age: 106751d, max_bytes: 8191TiB }\n")
        let config = try DaemonConfig.load(directory: dir.path)
        #expect(config.retention.maxAgeSeconds == 106_751 * 86_400)
        #expect(config.retention.maxBytes == 8191 << 40)
    }

    static let rules = "source: a\npaths: [x]\nrules:\n  - name: r\n    grok: 'x'\n"

    @Test(arguments: [
        ("close_inactive: 9223372036854775807s\n", "close_inactive"),
        ("rotate_wait: 99999999999999999d\n", "rotate_wait"),
        ("partial_line_timeout: 9223372036854775807ms\n", "partial_line_timeout"),
        ("max_line_bytes: 99999999999999TiB\n", "max_line_bytes"),
        ("multiline: { start: 'x', max_bytes: 9999999999TiB }\n", "multiline.max_bytes"),
        // Accepted before, then the tailer sized its read buffer from it (1 TiB; Int64.max overflowed).
        ("multiline: { start: 'x', max_bytes: 1TiB }\n", "multiline.max_bytes"),
        ("multiline: { start: 'x', max_bytes: 9223372036854775807 }\n", "multiline.max_bytes"),
        ("multiline: { start: 'x', timeout: 99999999999999999h }\n", "multiline.timeout"),
    ])
    func ruleFileRefuses(_ setting: String, _ name: String) throws {
        let dir = try TempConfig(rules: ["a.yaml": Self.rules + setting])
        #expect {
            try RuleFile.load(path: dir.path + "/rules.d/a.yaml", configDirectory: dir.path)
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            if !message.contains(name) { Issue.record("got \(error)") }
            return error is ConfigError && message.contains(name)
        }
    }

    /// A source and a rule named with NUL (YAML's `"\0"`): the counters were keyed by the two
    /// names joined with NUL and split again, and a key of NULs only split into nothing, which
    /// trapped every `/v1/stats`, `/metrics` and status page.
    @Test func namesWithNULAreCountedUnderTheirNames() throws {
        let dir = try TempConfig(rules: ["a.yaml": "source: \"\\0\"\npaths: [x]\nrules:\n  - name: \"\\0\"\n    grok: 'x'\n  - name: r\n    grok: 'y'\n"])
        let counters = CounterRegistry()
        let source = try #require(try ConfigDirectory.load(dir.path, counters: counters).sources.first)
        #expect(source.file.source == "\u{0}" && source.file.rules.first?.name == "\u{0}")
        _ = parse(source.parser.makeSession(), "x")
        let snapshot = counters.snapshot()
        #expect(snapshot.keys.sorted() == ["\u{0}"])
        #expect(snapshot["\u{0}"]?.rules["\u{0}"]?.matched.value == 1)
        #expect(snapshot["\u{0}"]?.rules["r"]?.matched.value == 0)
    }

    @Test func ruleFileTakesSizesUpToItsBounds() throws {
        let dir = try TempConfig(rules: ["a.yaml": Self.rules + "multiline: { start: 'x', max_bytes: 64MiB }\nclose_inactive: 106751d\n"])
        let file = try RuleFile.load(path: dir.path + "/rules.d/a.yaml", configDirectory: dir.path)
        #expect(file.multiline?.maxBytes == 64 << 20)
        #expect(file.closeInactive == .seconds(106_751 * 86_400))
    }
}
