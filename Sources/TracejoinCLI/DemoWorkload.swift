import Foundation
import TraceContext

/// Two requests of a pretend checkout service, as ddtrace 4.x would log and report them:
/// one with a 128-bit trace ID (logged as 32 hex) and one with a 64-bit ID (logged in decimal,
/// chosen above 2^63 so that a signed or floating-point parser would visibly break it).
struct DemoWorkload {
    struct Span {
        var id: SpanID
        var parent: SpanID?
        var service: String
        var name: String
        var resource: String
        var startOffsetMs: Int64
        var durationMs: Int64
        var error: Bool
        var logs: [(level: String, logger: String, line: Int, message: String)]
    }

    struct Trace {
        var id: TraceID
        var spans: [Span]
        var start: Date
        /// How ddtrace writes the ID in logs: 32 hex when it does not fit 64 bits, else decimal.
        var shownID: String { id.high != nil ? id.hex : id.lowDecimal }
        var logCount: Int { spans.reduce(0) { $0 + $1.logs.count } }
    }

    var traces: [Trace]
    var logLines: [String]
    var ndjson: String
    var spanCount: Int { traces.reduce(0) { $0 + $1.spans.count } }

    static func make(now: Date) -> DemoWorkload {
        var rng = SystemRandomNumberGenerator()
        func spanID() -> SpanID { SpanID(UInt64.random(in: 1...UInt64.max, using: &rng)) }
        let seconds = UInt64(now.timeIntervalSince1970)
        // ddtrace's 128-bit IDs: unix seconds in the top 32 bits, then 32 zero bits, then random.
        let wide = TraceID(high: seconds << 32, low: UInt64.random(in: 1...UInt64.max, using: &rng))
        let narrow = TraceID(high: nil, low: UInt64.random(in: (1 << 63)...UInt64.max, using: &rng))

        func request(_ id: TraceID, start: Date, order: Int, fail: Bool) -> Trace {
            let root = spanID(), db = spanID(), payment = spanID()
            return Trace(id: id, spans: [
                Span(id: root, parent: nil, service: "checkout", name: "flask.request", resource: "POST /checkout",
                     startOffsetMs: 0, durationMs: 48, error: fail,
                     logs: [("INFO", "checkout.app", 41, "order \(order) received"),
                            fail ? ("ERROR", "checkout.app", 77, "order \(order) failed: payment declined") : ("INFO", "checkout.app", 80, "order \(order) confirmed")]),
                Span(id: db, parent: root, service: "checkout-db", name: "postgres.query", resource: "SELECT * FROM carts WHERE id = %s",
                     startOffsetMs: 3, durationMs: 9, error: false,
                     logs: [("DEBUG", "checkout.db", 112, "cart loaded with 3 items")]),
                Span(id: payment, parent: root, service: "payments", name: "requests.request", resource: "POST /v1/charges",
                     startOffsetMs: 14, durationMs: 30, error: fail,
                     logs: [fail ? ("WARNING", "checkout.payments", 58, "charge refused by the card issuer") : ("INFO", "checkout.payments", 61, "charge accepted")]),
            ], start: start)
        }
        let traces = [
            request(wide, start: now, order: 1001, fail: false),
            request(narrow, start: now.addingTimeInterval(0.2), order: 1002, fail: true),
        ]

        var lines: [String] = []
        lines.append(logLine(at: now.addingTimeInterval(-1), "INFO", "checkout.app", 12, trace: "0", span: "0", "checkout service starting"))
        var spans: [String] = []
        for trace in traces {
            for span in trace.spans {
                for (i, log) in span.logs.enumerated() {
                    let at = trace.start.addingTimeInterval(Double(span.startOffsetMs + Int64(i)) / 1000)
                    lines.append(logLine(at: at, log.level, log.logger, log.line, trace: trace.shownID, span: span.id.decimal, log.message))
                }
                spans.append(ndjsonSpan(trace, span))
            }
        }
        return DemoWorkload(traces: traces, logLines: lines, ndjson: spans.joined(separator: "\n") + "\n")
    }

    /// Datadog's documented stdlib format (shared/clients.md §4a).
    static func logLine(at date: Date, _ level: String, _ logger: String, _ line: Int, trace: String, span: String, _ message: String) -> String {
        "\(timestamp(date)) \(level) [\(logger)] [app.py:\(line)] [dd.service=checkout dd.env=demo dd.version=1.0.0 dd.trace_id=\(trace) dd.span_id=\(span)] - \(message)"
    }

    /// Python's default `asctime`: `2026-11-24 22:11:28,925`, in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d,%03d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, millis)
    }

    static func ndjsonSpan(_ trace: Trace, _ span: Span) -> String {
        let startNs = Int64(trace.start.timeIntervalSince1970 * 1000) * 1_000_000 + span.startOffsetMs * 1_000_000
        var fields = [
            #""trace_id":"\#(trace.id.hex)""#,
            #""span_id":"\#(span.id.decimal)""#,
            #""service":"\#(span.service)""#,
            #""name":"\#(span.name)""#,
            #""resource":"\#(span.resource)""#,
            #""start":\#(startNs)"#,
            #""duration":\#(span.durationMs * 1_000_000)"#,
            #""error":\#(span.error ? 1 : 0)"#,
        ]
        if let parent = span.parent { fields.append(#""parent_id":"\#(parent.decimal)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
