import TraceContext
import TracejoinModel
import TracejoinSupport

/// `GET /v1/logs`: newest first; pass `next_cursor` back as `cursor` for the next page. Each
/// line of `GET /v1/follow` is one ``Entry``.
///
/// The server writes it by hand (``json(_:next:)``, with ``RecordJSON``); clients read it into
/// this type. Both are here, side by side.
public struct LogsPage: Codable, Sendable, Equatable {
    public var logs: [Entry]
    public var next_cursor: String?

    public init(logs: [Entry], next_cursor: String?) {
        self.logs = logs
        self.next_cursor = next_cursor
    }

    /// A stored line with its place in the index.
    public struct Entry: Codable, Sendable, Equatable {
        /// The line's arrival id, `""` where it has none (unmatched samples).
        public var id: String
        /// When it was stored (RFC 3339), `""` where unknown.
        public var ingested_at: String
        public var trace_id: String?
        public var trace_id_dd: String?
        public var log: TraceDocument.Log

        /// What ``RecordJSON/entry(id:ingested:_:to:)`` writes.
        public init(id: Int64?, ingested: Int64?, _ r: LogRecord) {
            self.id = id.map(String.init) ?? ""
            ingested_at = ingested.map { Timestamps.iso8601(nanoseconds: $0) } ?? ""
            trace_id = r.traceID?.hex
            trace_id_dd = r.traceID?.lowDecimal
            log = TraceDocument.Log(r)
        }
    }

    /// The page, written by hand: the server's form.
    public static func json(_ records: [(id: Int64, ingested: Int64, record: LogRecord)], next: String?) -> [UInt8] {
        var w = JSONWriter(capacity: 256 + 512 * records.count)
        w.objectStart()
        w.key("logs")
        w.arrayStart()
        for e in records { RecordJSON.entry(id: e.id, ingested: e.ingested, e.record, to: &w) }
        w.arrayEnd()
        w.member("next_cursor", next)
        w.objectEnd()
        return w.bytes
    }
}

extension RecordJSON {
    /// A stored line with its place in the index (``LogsPage/Entry``): `id`, `ingested_at`,
    /// `trace_id`, `trace_id_dd`, `log`.
    public static func entry(id: Int64?, ingested: Int64?, _ r: LogRecord, to w: inout JSONWriter) {
        w.objectStart()
        w.member("id", id.map(String.init) ?? "")
        w.member("ingested_at", ingested.map { Timestamps.iso8601(nanoseconds: $0) } ?? "")
        w.member("trace_id", r.traceID?.hex)
        w.member("trace_id_dd", r.traceID?.lowDecimal)
        w.key("log")
        log(r, to: &w)
        w.objectEnd()
    }
}
