import Foundation
import TraceContext
import TracejoinModel

/// Decodes the Datadog trace-agent payloads, v0.4 and v0.5 (shared/clients.md §2).
///
/// A payload is a list of trace chunks; the high half of a 128-bit trace ID comes as 16 hex
/// digits in `meta["_dd.p.tid"]` on the chunk's first span and applies to every span of the chunk.
public enum DatadogDecoder {
    public enum Version: String, Sendable {
        case v04 = "v0.4"
        case v05 = "v0.5"
    }

    /// What was wrong and where: byte offset, and the trace chunk / span / field being read.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func decode(_ body: UnsafeRawBufferPointer, version: Version) throws(Failure) -> [SpanRecord] {
        var reader = MsgPackReader(body)
        var context = Context()
        do {
            let spans: [SpanRecord]
            switch version {
            case .v04: spans = try decodeV04(&reader, &context)
            case .v05: spans = try decodeV05(&reader, &context)
            }
            guard reader.isAtEnd else { throw MsgPackReader.Failure(offset: reader.offset, message: "bytes after the payload") }
            return spans
        } catch {
            throw Failure(message: "\(context)\(error)")
        }
    }

    /// Where decoding is, for error messages.
    struct Context: CustomStringConvertible {
        var chunk: Int?
        var span: Int?
        var field: String?
        var description: String {
            var parts: [String] = []
            if let chunk { parts.append("trace chunk \(chunk)") }
            if let span { parts.append("span \(span)") }
            if let field { parts.append("field \(field)") }
            return parts.isEmpty ? "" : parts.joined(separator: ", ") + ": "
        }
    }

    /// One span's fields as read, before the chunk's high trace half is applied.
    struct RawSpan {
        var service = "", name = "", resource = "", type = ""
        var traceID: UInt64 = 0, spanID: UInt64 = 0, parentID: UInt64 = 0
        var start: Int64 = 0, duration: Int64 = 0, error: Int64 = 0
        var meta: [String: String] = [:]
        var metrics: [String: Double] = [:]
        /// v0.4's `span_links`.
        var links: [SpanDetails.Link] = []
    }

    // MARK: v0.4: array of chunks; a chunk is an array of spans; a span is a map.

    static func decodeV04(_ r: inout MsgPackReader, _ c: inout Context) throws(MsgPackReader.Failure) -> [SpanRecord] {
        try chunks(&r, &c, version: .v04) { (r, c) throws(MsgPackReader.Failure) in
                var s = RawSpan()
                let fields = try r.readMapHeader()
                for _ in 0..<fields {
                    c.field = nil
                    let key = try r.readStringBytes()
                    c.field = String(decoding: key, as: UTF8.self)
                    switch c.field! {
                    case "service": s.service = try r.readString()
                    case "name": s.name = try r.readString()
                    case "resource": s.resource = try r.readString()
                    case "type": s.type = try r.readString()
                    case "trace_id": s.traceID = try r.readUInt64()
                    case "span_id": s.spanID = try r.readUInt64()
                    case "parent_id": s.parentID = try r.readNil() ? 0 : try r.readUInt64()
                    case "start": s.start = try r.readInt64()
                    case "duration": s.duration = try r.readInt64()
                    case "error": s.error = try r.readNil() ? 0 : try r.readInt64()
                    case "meta":
                        for _ in 0..<(try r.readMapHeader()) { s.meta[try r.readString()] = try r.readString() }
                    case "metrics":
                        for _ in 0..<(try r.readMapHeader()) { s.metrics[try r.readString()] = try r.readDouble() }
                    case "span_links":
                        // [{trace_id, trace_id_high, span_id, attributes: {string: string}, tracestate, flags}],
                        // the trace-agent's SpanLink; a link to a zero ID is left out.
                        for _ in 0..<(try r.readArrayHeader()) {
                            var low: UInt64 = 0, high: UInt64 = 0, span: UInt64 = 0
                            var attributes: [SpanAttribute] = []
                            for _ in 0..<(try r.readMapHeader()) {
                                switch try r.readString() {
                                case "trace_id": low = try r.readUInt64()
                                case "trace_id_high": high = try r.readUInt64()
                                case "span_id": span = try r.readUInt64()
                                case "attributes":
                                    for _ in 0..<(try r.readMapHeader()) { attributes.append(SpanAttribute(try r.readString(), .string(try r.readString()))) }
                                default: try r.skip()
                                }
                            }
                            if (low != 0 || high != 0) && span != 0 {
                                s.links.append(SpanDetails.Link(traceID: TraceID(high: high == 0 ? nil : high, low: low), spanID: SpanID(span),
                                                                attributes: attributes))
                            }
                        }
                    default:
                        // meta_struct, span_events, and whatever comes next.
                        try r.skip()
                    }
                }
                c.field = nil
                return s
        }
    }

    /// The chunks of a payload: an array of arrays of spans, each span read by `span`.
    static func chunks(_ r: inout MsgPackReader, _ c: inout Context, version: Version,
                       span: (inout MsgPackReader, inout Context) throws(MsgPackReader.Failure) -> RawSpan) throws(MsgPackReader.Failure) -> [SpanRecord] {
        var out: [SpanRecord] = []
        let chunks = try r.readArrayHeader()
        for chunk in 0..<chunks {
            c.chunk = chunk
            let count = try r.readArrayHeader()
            var raw: [RawSpan] = []
            // Not `count`: it is bounded only by the bytes left (a span can be one byte, an empty
            // map) and a RawSpan takes 128, so reserving it asked for 128 times the payload.
            raw.reserveCapacity(min(count, 1024))
            for index in 0..<count {
                c.span = index
                c.field = nil
                let at = r.offset
                let s = try span(&r, &c)
                c.field = nil
                // Checked as each span is read, not once the chunk is: a chunk of empty maps held a
                // RawSpan per byte of payload until its end.
                try check(s, at: at)
                raw.append(s)
            }
            c.span = nil
            c.field = nil
            try out.append(contentsOf: chunkSpans(raw, version: version, &c))
        }
        return out
    }

    // MARK: v0.5: [string table, chunks]; a span is a 12-element array of string indices and values.

    static func decodeV05(_ r: inout MsgPackReader, _ c: inout Context) throws(MsgPackReader.Failure) -> [SpanRecord] {
        guard try r.readArrayHeader() == 2 else {
            throw MsgPackReader.Failure(offset: 0, message: "a v0.5 payload is a 2-element array [string table, traces]")
        }
        var table: [String] = []
        let strings = try r.readArrayHeader()
        // As for spans: `strings` is bounded only by the bytes left, one per string (16 each here).
        table.reserveCapacity(min(strings, 1024))
        for _ in 0..<strings { table.append(try r.readString()) }
        func string(_ r: inout MsgPackReader) throws(MsgPackReader.Failure) -> String {
            let at = r.offset
            let index = try r.readUInt64()
            guard index < UInt64(table.count) else {
                throw MsgPackReader.Failure(offset: at, message: "string index \(index) is outside the table of \(table.count)")
            }
            return table[Int(index)]
        }
        return try chunks(&r, &c, version: .v05) { (r, c) throws(MsgPackReader.Failure) in
                let at = r.offset
                guard try r.readArrayHeader() == 12 else {
                    throw MsgPackReader.Failure(offset: at, message: "a v0.5 span is an array of exactly 12 elements")
                }
                var s = RawSpan()
                c.field = "service"; s.service = try string(&r)
                c.field = "name"; s.name = try string(&r)
                c.field = "resource"; s.resource = try string(&r)
                c.field = "trace_id"; s.traceID = try r.readUInt64()
                c.field = "span_id"; s.spanID = try r.readUInt64()
                c.field = "parent_id"; s.parentID = try r.readUInt64()
                c.field = "start"; s.start = try r.readInt64()
                c.field = "duration"; s.duration = try r.readInt64()
                c.field = "error"; s.error = try r.readInt64()
                c.field = "meta"
                for _ in 0..<(try r.readMapHeader()) { s.meta[try string(&r)] = try string(&r) }
                c.field = "metrics"
                for _ in 0..<(try r.readMapHeader()) { s.metrics[try string(&r)] = try r.readDouble() }
                c.field = "type"; s.type = try string(&r)
                return s
        }
    }

    /// The chunk's spans as records, with the high trace half from `_dd.p.tid` applied to all.
    static func chunkSpans(_ raw: [RawSpan], version: Version, _ c: inout Context) throws(MsgPackReader.Failure) -> [SpanRecord] {
        var high: UInt64?
        if let tid = raw.lazy.compactMap({ $0.meta["_dd.p.tid"] }).first {
            // Through the ID parser: UInt64(_:radix:) would also take a sign ("+00000000000000f").
            let bad = MsgPackReader.Failure(offset: 0, message: "meta _dd.p.tid '\(tid.prefix(40))' is not 16 hex digits")
            guard tid.utf8.count == 16 else { throw bad }
            do { high = try SpanID.parse(tid, encoding: .hex)?.value } catch { throw bad }
        }
        var spans: [SpanRecord] = []
        spans.reserveCapacity(raw.count)
        for s in raw {
            var record = SpanRecord(
                traceID: TraceID(high: high, low: s.traceID), spanID: SpanID(s.spanID),
                parentID: s.parentID == 0 ? nil : SpanID(s.parentID), service: s.service, name: s.name,
                resource: s.resource.isEmpty ? s.name : s.resource, type: s.type, start: s.start, duration: s.duration,
                error: s.error != 0, meta: s.meta, metrics: s.metrics, protocolName: "datadog-\(version.rawValue)")
            record.details.links = s.links + DatadogMeta.links(s.meta)
            if let events = DatadogMeta.events(s.meta) {
                record.details.events = events
                record.meta["events"] = nil
            }
            if !record.details.links.isEmpty { record.meta["_dd.span_links"] = nil }
            spans.append(record)
        }
        return spans
    }

    /// What every span must hold (`at`: the byte where it begins).
    static func check(_ s: RawSpan, at offset: Int) throws(MsgPackReader.Failure) {
        guard s.traceID != 0 else { throw MsgPackReader.Failure(offset: offset, message: "trace_id is 0") }
        guard s.spanID != 0 else { throw MsgPackReader.Failure(offset: offset, message: "span_id is 0") }
        guard s.duration >= 0 else { throw MsgPackReader.Failure(offset: offset, message: "duration is negative") }
        // The span's end, start + duration, is what the trace view and search compute: it must
        // fit in 64 bits.
        guard !s.start.addingReportingOverflow(s.duration).overflow else {
            throw MsgPackReader.Failure(offset: offset, message: "start \(s.start) + duration \(s.duration) ns is beyond 2262")
        }
    }
}


/// What ddtrace writes into `meta` when the payload has no field for it: links as
/// `_dd.span_links` (v0.5, or an agent without native links) and events as `events` (its default,
/// `DD_TRACE_NATIVE_SPAN_EVENTS` off), both JSON. Read into the span's details; anything
/// malformed is left in `meta` as it came.
enum DatadogMeta {
    /// `[{"trace_id": "<32 hex>", "span_id": "<16 hex>", "attributes": {…}}]`
    static func links(_ meta: [String: String]) -> [SpanDetails.Link] {
        guard let text = meta["_dd.span_links"], let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            return []
        }
        return array.compactMap { link in
            guard let t = link["trace_id"] as? String, let trace = try? TraceID.parse(t, encoding: .hex),
                  let sp = link["span_id"] as? String, let span = try? SpanID.parse(sp, encoding: .hex) else { return nil }
            return SpanDetails.Link(traceID: trace, spanID: span, attributes: attributes(link["attributes"]))
        }
    }

    /// `[{"name": …, "time_unix_nano": …, "attributes": {…}}]`
    static func events(_ meta: [String: String]) -> [SpanDetails.Event]? {
        guard let text = meta["events"], let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            return nil
        }
        var out: [SpanDetails.Event] = []
        for event in array {
            guard let name = event["name"] as? String, let time = (event["time_unix_nano"] as? NSNumber)?.int64Value else { return nil }
            out.append(SpanDetails.Event(time: time, name: name, attributes: attributes(event["attributes"])))
        }
        return out
    }

    static func attributes(_ any: Any?) -> [SpanAttribute] {
        guard let map = any as? [String: Any] else { return [] }
        return map.sorted { $0.key < $1.key }.map { key, value in
            if let s = value as? String { return SpanAttribute(key, .string(s)) }
            if let n = value as? NSNumber { return SpanAttribute(key, .string(n.stringValue)) }
            return SpanAttribute(key, .string(String(describing: value)))
        }
    }
}
