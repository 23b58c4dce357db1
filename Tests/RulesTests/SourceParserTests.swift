import Foundation
import Rules
import TraceContext
import Testing
import TracejoinModel

@Suite("Parsing lines with a rule file")
struct SourceParserTests {
    let session: any LineParserSession

    init() throws {
        let dir = try TempConfig(rules: ["checkout.yaml": ddtraceRules])
        session = try #require(try ConfigDirectory.load(dir.path).sources.first).parser.makeSession()
    }

    @Test func ddtraceLineWith128BitHexTrace() throws {
        let line = "2026-11-24 22:11:28,925 INFO [rc.app] [rc_common.py:144] [dd.service=rc-demo dd.env=test dd.version=1.0.0 dd.trace_id=6b060b9000000000638337cabfd009ff dd.span_id=1295274668589741838] - request 1 received"
        guard case .record(let r) = parse(session, line) else {
            Issue.record("expected a record")
            return
        }
        #expect(r.traceID == TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff))
        #expect(r.spanID == SpanID(1_295_274_668_589_741_838))
        #expect(r.time == "2026-11-24 22:11:28,925")
        #expect(r.level == "INFO")
        #expect(r.message == "request 1 received")
        #expect(r.rule == "python-ddtrace")
        #expect(r.source == "checkout")
        #expect(r.file == "/logs/app.log")
        #expect(r.raw == line)
        #expect(r.fields.map(\.name) == ["logger", "file", "line"])
        #expect(r.idError == nil)
    }

    @Test func decimalAbove2To63StaysExact() throws {
        let line = "2026-11-24 22:11:28,925 INFO [a] [b.py:1] [dd.trace_id=18446744073709551615 dd.span_id=9223372036854775808] - x"
        guard case .record(let r) = parse(session, line) else {
            Issue.record("expected a record")
            return
        }
        #expect(r.traceID == TraceID(high: nil, low: .max))
        #expect(r.spanID == SpanID(1 << 63))
    }

    @Test func secondRuleUsesItsOwnEncodings() throws {
        // 16 digits: decimal under `auto`, but this rule says hex.
        guard case .record(let r) = parse(session, "trace_id=457dcf6aef3b9e387c5151ce8d6c2902 span_id=1234567890123456 hello") else {
            Issue.record("expected a record")
            return
        }
        #expect(r.rule == "otel")
        #expect(r.spanID == SpanID(0x1234_5678_9012_3456))
        #expect(r.message == "hello")
    }

    @Test func zeroIDsMeanNoTrace() {
        let line = "2026-11-24 22:11:28,925 INFO [a] [b.py:1] [dd.trace_id=0 dd.span_id=0] - outside"
        guard case .noTrace(let rule, _) = parse(session, line) else {
            Issue.record("expected noTrace")
            return
        }
        #expect(rule == "python-ddtrace")
    }

    @Test func invalidSpanIDIsKeptWithTheReason() {
        // A hex span ID where the rule says decimal: never guessed.
        let line = "2026-11-24 22:11:28,925 INFO [a] [b.py:1] [dd.trace_id=12 dd.span_id=ce3a6d2cb615fac0] - x"
        guard case .record(let r) = parse(session, line) else {
            Issue.record("expected a record")
            return
        }
        #expect(r.traceID == TraceID(high: nil, low: 12))
        #expect(r.spanID == nil)
        #expect(r.idError?.hasPrefix("span_id: 'c' at offset 0 is not a decimal digit") == true)
        #expect(r.fields.contains(LogRecord.Field(name: "span_id", value: "ce3a6d2cb615fac0")))
    }

    @Test func unmatchedLine() {
        guard case .unmatched = parse(session, "something else entirely") else {
            Issue.record("expected unmatched")
            return
        }
    }

    @Test func invalidUTF8IsCarriedAsReplacementCharacters() {
        var bytes = Array("trace_id=00000000000000000000000000000abc span_id=00000000000000ab caf".utf8)
        bytes.append(0xE9)  // Latin-1 é: not UTF-8
        let outcome = bytes.withUnsafeBufferPointer { session.parse($0, file: "f") }
        guard case .record(let r) = outcome else {
            Issue.record("expected a record")
            return
        }
        #expect(r.message == "caf\u{FFFD}")
        #expect(r.traceID == TraceID(high: 0, low: 0xabc))
    }

    /// A valid UTF-8 line becomes one string; the parsed text stays ranges of it, and reads the
    /// same as strings of its own would.
    @Test func parsedTextIsKeptAsRangesOfTheLine() throws {
        let line = "2026-11-24 22:11:28,925 WARNING [rc.app] [rc_common.py:144] [dd.service=rc-demo dd.env=test dd.version=1.0.0 dd.trace_id=17140740446427694127 dd.span_id=1295274668589741838] - é request 2"
        guard case .record(let r) = parse(session, line) else {
            Issue.record("expected a record")
            return
        }
        guard case .inLine(let range)? = r.messageText else {
            Issue.record("message not kept as a range: \(String(describing: r.messageText))")
            return
        }
        #expect(Array(Array(line.utf8)[range]) == Array("é request 2".utf8))
        #expect(r.message == "é request 2" && r.level == "WARNING" && r.time == "2026-11-24 22:11:28,925")
        #expect(r.fields == [.init(name: "logger", value: "rc.app"), .init(name: "file", value: "rc_common.py"), .init(name: "line", value: "144")])
        #expect(r.traceIDRange.map { Array(Array(line.utf8)[$0]) } == Array("17140740446427694127".utf8))
        #expect(r.spanIDRange.map { Array(Array(line.utf8)[$0]) } == Array("1295274668589741838".utf8))
    }

    /// A line that is not valid UTF-8 is shown with U+FFFD: its string no longer has the line's
    /// byte offsets, so parsed text gets strings of its own.
    @Test func invalidUTF8GetsStringsOfItsOwn() {
        var bytes = Array("trace_id=00000000000000000000000000000abc span_id=00000000000000ab caf".utf8)
        bytes.append(0xE9)
        guard case .record(let r) = bytes.withUnsafeBufferPointer({ session.parse($0, file: "f") }) else {
            Issue.record("expected a record")
            return
        }
        guard case .own("caf\u{FFFD}")? = r.messageText else {
            Issue.record("expected the message as its own string, got \(String(describing: r.messageText))")
            return
        }
        #expect(r.traceIDRange == nil)
    }
}

