import Foundation
import TraceContext
import TracejoinModel
import TracejoinSupport

/// Rows in ClickHouse's JSONEachRow, one object a line, with the columns of
/// ``ClickHouseSchema``. IDs are written as unsigned integers (exact: never a Double) and in
/// their text forms: the trace as 32 hex when its high half is known (else empty), its low half
/// in hex and in Datadog's decimal, the span in hex.
public enum ExportRows {
    public static func logs(_ logs: [ExportedLog], host: String, into w: inout JSONWriter) {
        for l in logs {
            let r = l.record
            let time = r.effectiveNanoseconds ?? l.ingested
            w.objectStart()
            w.member("host", host)
            w.member("id", UInt64(bitPattern: l.id))
            w.member("date", date(time))
            w.member("time_ns", time)
            w.member("ingested_ns", l.ingested)
            trace(r.traceID, into: &w)
            w.member("span_id", r.spanID?.value ?? 0)
            w.member("span_id_hex", r.spanID?.hex ?? "")
            w.member("service", service(of: r))
            w.member("level", r.level ?? "")
            w.member("message", r.message ?? "")
            w.member("raw", r.raw)
            w.member("source", r.source)
            w.member("rule", r.rule)
            w.member("file", r.file)
            var fields = JSONWriter(capacity: 256)
            fields.objectStart()
            for f in r.fields {
                fields.key(f.name)
                fields.value(f.value)
            }
            fields.objectEnd()
            w.member("fields", String(decoding: fields.bytes, as: UTF8.self))
            w.member("id_error", r.idError ?? "")
            w.member("version", UInt64(bitPattern: l.ingested))
            w.objectEnd()
            w.lineEnd()
        }
    }

    public static func spans(_ spans: [ExportedSpan], host: String, into w: inout JSONWriter) {
        for e in spans {
            let s = e.span
            w.objectStart()
            w.member("host", host)
            w.member("date", date(s.start))
            trace(s.traceID, into: &w)
            w.member("span_id", s.spanID.value)
            w.member("span_id_hex", s.spanID.hex)
            w.member("parent_id", s.parentID?.value ?? 0)
            w.member("service", s.service)
            w.member("name", s.name)
            w.member("resource", s.resource)
            w.member("type", s.type)
            w.member("start_ns", s.start)
            w.member("duration_ns", s.duration)
            w.member("error", Int64(s.error ? 1 : 0))
            var meta = JSONWriter(capacity: 256)
            meta.objectStart()
            for (k, v) in s.meta.sorted(by: { $0.key < $1.key }) { meta.member(k, v) }
            meta.objectEnd()
            w.member("meta", String(decoding: meta.bytes, as: UTF8.self))
            var metrics = JSONWriter(capacity: 128)
            metrics.objectStart()
            for (k, v) in s.metrics.sorted(by: { $0.key < $1.key }) {
                metrics.key(k)
                metrics.value(.float(v))
            }
            metrics.objectEnd()
            w.member("metrics", String(decoding: metrics.bytes, as: UTF8.self))
            w.member("protocol", s.protocolName)
            w.member("version", UInt64(bitPattern: e.received))
            w.objectEnd()
            w.lineEnd()
        }
    }

    static func trace(_ id: TraceID?, into w: inout JSONWriter) {
        w.member("trace_id", id?.high != nil ? id!.hex : "")
        w.member("trace_hi", id?.high ?? 0)
        w.member("trace_hi_known", Int64(id?.high != nil ? 1 : 0))
        w.member("trace_lo", id?.low ?? 0)
        w.member("trace_lo_hex", id.map { SpanID($0.low).hex } ?? "")
        w.member("trace_lo_dd", id?.lowDecimal ?? "")
    }

    /// The service a line names in its fields (`service.name`, `service`, `dd.service`), if any.
    static func service(of r: LogRecord) -> String {
        for f in r.fields where f.name == "service.name" || f.name == "service" || f.name == "dd.service" {
            if case .string(let s) = f.value { return s }
        }
        return ""
    }

    /// `YYYY-MM-DD` (UTC) of a time in nanoseconds, for the partition column.
    static func date(_ ns: Int64) -> String {
        String(Timestamps.iso8601(nanoseconds: max(0, ns)).prefix(10))
    }
}
