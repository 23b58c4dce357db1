import Foundation
@testable import QueryAPI
import TraceContext
import TracejoinAPI
import Testing
import TracejoinModel
import TracejoinSupport

/// Query parameters and stored times at the ends of what 64-bit nanoseconds hold: each of these
/// overflowed (a trap that stopped the daemon) before it was clamped.
@Suite("Query inputs at the limits")
struct QueryInputTests {
    /// `GET /v1/logs/unmatched?grace=…`: a grace further back than nanoseconds reach from now
    /// was `now - Int64.min`.
    @Test(arguments: ["1200-01-01T00:00:00Z", "99999999999999999d", "1677-01-01T00:00:00Z"])
    func graceBeyondNanosecondsIsTheLongest(_ text: String) throws {
        let now = Timestamps.now()
        let grace = try SpanRoutes.ago(Substring(text), "grace", now: now)
        #expect(grace == .max)
        // What the route does with it next.
        #expect(now - grace < 0)
    }

    @Test func graceAsADurationIsThatLongAgo() throws {
        let now = Timestamps.now()
        let grace = try SpanRoutes.ago("30s", "grace", now: now)
        #expect(abs(grace - 30 * 1_000_000_000) < 60 * 1_000_000_000)
    }

    /// `GET /api/dependencies?endTs=&lookback=`: milliseconds from the client, multiplied into
    /// nanoseconds.
    @Test(arguments: [
        (99_999_999_999_999, 86_400_000, Int64.max, Int64.max),
        (Int64.min, 1, Int64.min, Int64.min),
        (0, Int64.min, Int64.max, 0),
        (-9_300_000_000_000, 0, Int64.min, Int64.min),
        (1_764_000_000_000, 86_400_000, 1_763_913_600_000_000_000, 1_764_000_000_000_000_000),
    ] as [(Int64, Int64, Int64, Int64)])
    func dependencyWindowIsClamped(_ endTs: Int64, _ lookback: Int64, _ since: Int64, _ until: Int64) {
        let window = JaegerRoutes.dependencyWindow(endTs: endTs, lookback: lookback)
        #expect(window.since == since && window.until == until)
    }

    /// `GET /v1/traces` and the web view's list: spans may start anywhere a signed 64-bit
    /// number reaches (Datadog, NDJSON), so a trace's end less its start overflowed.
    @Test func traceDurationSaturates() {
        func summary(_ start: Int64, _ end: Int64) -> TraceSummary {
            TraceSummary(traceID: TraceID(high: nil, low: 1), rootName: nil, services: ["a"], start: start, end: end, spans: 2, errors: 0, logs: 0)
        }
        #expect(TracesDocument.Entry(summary(-9_000_000_000_000_000_000, 9_000_000_000_000_000_000)).duration_ns == .max)
        #expect(TracesDocument.Entry(summary(.min, 1)).duration_ns == .max)
        #expect(TracesDocument.Entry(summary(5, 3)).duration_ns == 0)
        #expect(TracesDocument.Entry(summary(1_000, 4_000)).duration_ns == 3_000)
    }

    /// The waterfall marks each joined line at its time: a line written in 1700 is 10^19 ns
    /// before a span of today, more than the difference holds. It is left off the bar.
    @Test func aLineFarFromItsSpanIsNoMark() {
        let trace = TraceID(high: 1, low: 2)
        let span = SpanRecord(traceID: trace, spanID: SpanID(3), parentID: nil, service: "svc", name: "op", resource: "op",
                              start: 1_764_000_000_000_000_000, duration: 1_000, error: false, protocolName: "ndjson")
        let line = LogRecord(traceID: trace, spanID: SpanID(3), time: "1700-01-01 00:00:00", level: "INFO", message: "old",
                             file: "/f", source: "s", rule: "r", raw: "1700-01-01 00:00:00 INFO old")
        let html = TracePage(StoredTrace(spans: [span], logs: [line]), id: trace).render().out
        #expect(html.contains("old"))
        #expect(!html.contains("class=\"mark\""))
    }
}
