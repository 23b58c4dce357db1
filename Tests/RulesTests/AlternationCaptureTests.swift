import Rules
import Testing
import TraceContext
import TracejoinModel

/// A field captured in several branches of an alternation takes the value of the branch that
/// matched: for every correlator field, in a second and third branch (issue 22).
@Suite("Captures in alternations")
struct AlternationCaptureTests {
    static let rule = #"""
        source: alt
        paths: [x]
        rules:
          - name: three-forms
            grok: '(?:A %{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} t=%{TRACEID:trace_id} s=%{SPANID:span_id} %{GREEDYDATA:message}|B %{LOGLEVEL:level} %{TIMESTAMP_ISO8601:timestamp} s=%{SPANID:span_id} t=%{TRACEID:trace_id} %{GREEDYDATA:message}|C \[%{GREEDYDATA:message}\] %{TRACEID:trace_id}/%{SPANID:span_id} %{LOGLEVEL:level} @%{TIMESTAMP_ISO8601:timestamp})'
            ids: { trace: decimal, span: decimal }
        """#

    @Test(arguments: [
        "A 2026-12-06T10:00:00Z WARN t=42 s=7 the first form",
        "B WARN 2026-12-06T10:00:00Z s=7 t=42 the first form",
        "C [the first form] 42/7 WARN @2026-12-06T10:00:00Z",
    ])
    func everyBranchGivesEveryField(_ line: String) throws {
        let source = try loadSource(Self.rule)
        let r = try #require(record(parse(source.parser.makeSession(), line)))
        #expect(r.traceID == TraceID(high: nil, low: 42))
        #expect(r.spanID == SpanID(7))
        #expect(r.time == "2026-12-06T10:00:00Z")
        #expect(r.level == "WARN")
        #expect(r.message == "the first form")
    }

    @Test func rawNamedGroupsMayRepeatInAlternatives() throws {
        let source = try loadSource(#"""
            source: raw
            paths: [x]
            rules:
              - name: raw
                grok: '(?:id=(?<trace_id>\d+) (?<user>\w+)|(?<user>\w+) trace (?<trace_id>\d+))'
                ids: { trace: decimal, span: decimal }
            """#)
        for line in ["id=99 alice", "alice trace 99"] {
            let r = try #require(record(parse(source.parser.makeSession(), line)))
            #expect(r.traceID == TraceID(high: nil, low: 99), "\(line)")
            #expect(field(r, "user") == .string("alice"), "\(line)")
        }
    }

    /// `pattern_set: ecs` captures Logstash's ECS paths, flattened to dotted names.
    @Test func ecsPatternSetCapturesECSNames() throws {
        let line = #"10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "-" "curl/8""#
        let legacy = try loadSource("""
            source: web
            paths: [x]
            keep_untraced: true
            rules:
              - name: combined
                grok: '%{HTTPD_COMBINEDLOG}'
            """)
        let ecs = try loadSource("""
            source: web
            paths: [x]
            keep_untraced: true
            pattern_set: ecs
            rules:
              - name: combined
                grok: '%{HTTPD_COMBINEDLOG}'
            """)
        let l = try #require(anyRecord(parse(legacy.parser.makeSession(), line)))
        #expect(field(l, "clientip") == .string("10.0.0.1"))
        #expect(field(l, "verb") == .string("GET"))
        let e = try #require(anyRecord(parse(ecs.parser.makeSession(), line)))
        #expect(field(e, "source.address") == .string("10.0.0.1"))
        #expect(field(e, "http.request.method") == .string("GET"))
        #expect(field(e, "clientip") == nil)
    }

    @Test func anUnknownPatternSetIsAnErrorAtItsLine() throws {
        #expect(throws: ConfigErrors.self) {
            _ = try loadSource("""
                source: web
                paths: [x]
                pattern_set: ecs-v8
                rules:
                  - name: r
                    grok: '%{GREEDYDATA:message}'
                """)
        }
    }
}

/// The record of a line, with or without a trace ID.
func anyRecord(_ outcome: LineOutcome) -> LogRecord? {
    switch outcome {
    case .record(let r): r
    case .noTrace(_, let r): r
    case .unmatched: nil
    }
}
