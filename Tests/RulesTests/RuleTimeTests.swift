import Rules
import Testing
import TracejoinModel

/// A rule file's `timezone:` and `time_format:` decide the time stored with each line.
@Suite("Rule times")
struct RuleTimeTests {
    @Test func aZonelessTimeIsReadInTheFilesZone() throws {
        let source = try loadSource("""
            source: py
            paths: [x]
            timezone: Asia/Tokyo
            rules:
              - name: r
                grok: '^%{TIMESTAMP_ISO8601:timestamp} t=%{INT:trace_id} %{GREEDYDATA:message}$'
            """)
        let r = try #require(record(parse(source.parser.makeSession(), "2026-12-06 15:35:02,123 t=5 hello")))
        // 15:35:02.123 in Tokyo is 06:35:02.123 UTC.
        #expect(r.timeNanoseconds == 1_796_538_902_123_000_000)
        #expect(r.time == "2026-12-06 15:35:02,123")
    }

    @Test func aTimeFormatReadsWhatIsNotRecognised() throws {
        let source = try loadSource("""
            source: app
            paths: [x]
            timezone: UTC
            time_format: 'dd.MM.yyyy HH:mm:ss'
            rules:
              - name: r
                grok: '^\\[%{DATA:timestamp}\\] t=%{INT:trace_id}$'
            """)
        let r = try #require(record(parse(source.parser.makeSession(), "[06.12.2026 06:35:02] t=5")))
        #expect(r.timeNanoseconds == 1_796_538_902_000_000_000)
    }

    @Test func jsonRulesReadEpochMillisecondsExactly() throws {
        let source = try loadSource("""
            source: py
            paths: [x]
            rules:
              - name: j
                json: { trace_id: tid, timestamp: ts }
            """)
        let r = try #require(record(parse(source.parser.makeSession(), #"{"tid": "5", "ts": 1765002902123}"#)))
        #expect(r.timeNanoseconds == 1_765_002_902_123_000_000)
    }

    @Test func anUnknownZoneIsAnErrorAtItsLine() throws {
        #expect {
            _ = try loadSource("""
                source: py
                paths: [x]
                timezone: Mars/Olympus_Mons
                rules:
                  - name: r
                    grok: '%{GREEDYDATA:message}'
                """)
        } throws: { error in
            "\(error)".contains(":3:") && "\(error)".contains("Mars/Olympus_Mons")
        }
    }
}
