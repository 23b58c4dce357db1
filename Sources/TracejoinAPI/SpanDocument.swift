import TraceContext
import TracejoinModel
import TracejoinSupport

/// `GET /v1/spans/{id}`: one span (its `children` empty) with its log lines; and
/// `GET /v1/spans/{id}/logs`, which carries only `logs`.
///
/// The server writes both by hand (``json(_:logs:logsOnly:)``); clients read them into this
/// type (a span's document has no `logs` at the top, a lines-only one nothing else).
public struct SpanDocument: Codable, Sendable, Equatable {
    public var trace_id: String?
    public var trace_id_dd: String?
    public var span: TraceDocument.Span?
    public var logs: [TraceDocument.Log]?

    public init(trace_id: String?, trace_id_dd: String?, span: TraceDocument.Span?, logs: [TraceDocument.Log]?) {
        self.trace_id = trace_id
        self.trace_id_dd = trace_id_dd
        self.span = span
        self.logs = logs
    }

    /// What ``json(_:logs:logsOnly:)`` writes, as a value.
    public init(_ span: SpanRecord, logs: [LogRecord], logsOnly: Bool) {
        if logsOnly {
            self.init(trace_id: nil, trace_id_dd: nil, span: nil, logs: logs.map { TraceDocument.Log($0) })
        } else {
            self.init(trace_id: span.traceID.hex, trace_id_dd: span.traceID.lowDecimal,
                      span: TraceDocument.Span(span, logs: logs, children: []), logs: nil)
        }
    }

    /// The document, written by hand: the server's form.
    public static func json(_ span: SpanRecord, logs: [LogRecord], logsOnly: Bool) -> [UInt8] {
        var w = JSONWriter(capacity: 1024 + 512 * logs.count)
        w.objectStart()
        if logsOnly {
            w.key("logs")
            w.arrayStart()
            for r in logs { RecordJSON.log(r, to: &w) }
            w.arrayEnd()
        } else {
            w.member("trace_id", span.traceID.hex)
            w.member("trace_id_dd", span.traceID.lowDecimal)
            w.key("span")
            RecordJSON.span(span, logs: logs, to: &w) { w in
                w.arrayStart()
                w.arrayEnd()
            }
        }
        w.objectEnd()
        return w.bytes
    }
}
