import Foundation
import TraceContext
import TracejoinModel

/// Zipkin's v2 JSON (`POST /api/v2/spans`): a list of spans, as Zipkin's own libraries and the
/// OpenTelemetry Zipkin exporter send them.
///
/// `traceId` is 16 or 32 hex digits, `id` and `parentId` 16; `timestamp` and `duration` are
/// microseconds; the service is `localEndpoint.serviceName`. `tags` become the span's meta, with
/// `span.kind` (`kind`, lowercased), `peer.service` (`remoteEndpoint.serviceName`) and
/// `zipkin.shared`; a span with an `error` tag is an error. Every span is checked before any is
/// stored; a bad one is named by its place in the list and its field.
public enum ZipkinDecoder {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    struct WireSpan: Decodable {
        var traceId: String?
        var id: String?
        var parentId: String?
        var name: String?
        var kind: String?
        var timestamp: Int64?
        var duration: Int64?
        var localEndpoint: Endpoint?
        var remoteEndpoint: Endpoint?
        var tags: [String: String]?
        var shared: Bool?
        var annotations: [Annotation]?
    }

    /// A Zipkin annotation: an event at a time (µs) in a span, kept as a span event.
    struct Annotation: Decodable {
        var timestamp: Int64?
        var value: String?
    }

    struct Endpoint: Decodable {
        var serviceName: String?
    }

    public static func decode(_ body: Data) throws(Failure) -> [SpanRecord] {
        let wire: [WireSpan]
        do {
            wire = try JSONDecoder().decode([WireSpan].self, from: body)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            throw Failure(message: "not a Zipkin v2 span list: \(where_(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw Failure(message: "\(where_(context.codingPath + [key])): missing")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Failure(message: "\(where_(context.codingPath)): null")
        } catch {
            throw Failure(message: "not a Zipkin v2 span list: \(error)")
        }
        var spans: [SpanRecord] = []
        spans.reserveCapacity(wire.count)
        for (index, w) in wire.enumerated() {
            func fail(_ field: String, _ why: String) -> Failure { Failure(message: "span \(index): \(field): \(why)") }
            guard let traceText = w.traceId else { throw fail("traceId", "missing") }
            guard traceText.utf8.count == 16 || traceText.utf8.count == 32 else {
                throw fail("traceId", "'\(traceText)' has \(traceText.utf8.count) characters; Zipkin trace IDs are 16 or 32 hex digits")
            }
            let parsedTrace: TraceID?
            do {
                parsedTrace = try TraceID.parse(traceText, encoding: .hex)
            } catch {
                throw fail("traceId", error.message)
            }
            guard let traceID = parsedTrace else { throw fail("traceId", "is zero") }
            func span(_ text: String?, _ field: String) throws(Failure) -> SpanID? {
                guard let text else { return nil }
                guard text.utf8.count == 16 else { throw fail(field, "'\(text)' is not 16 hex digits") }
                do {
                    return try SpanID.parse(text, encoding: .hex)
                } catch {
                    throw fail(field, error.message)
                }
            }
            guard let spanID = try span(w.id, "id") else { throw fail("id", w.id == nil ? "missing" : "is zero") }
            let parentID = try span(w.parentId, "parentId")
            guard (w.timestamp ?? 0) >= 0, (w.duration ?? 0) >= 0 else { throw fail("timestamp", "negative") }
            // µs to ns must fit in 64 bits (up to the year 2262).
            guard (w.timestamp ?? 0) <= Int64.max / 1000 else { throw fail("timestamp", "\(w.timestamp ?? 0) µs is beyond 2262") }
            guard (w.duration ?? 0) <= Int64.max / 1000 else { throw fail("duration", "\(w.duration ?? 0) µs is too long") }
            // So must the end, start + duration (what the trace view and search compute).
            let start = (w.timestamp ?? 0) * 1000, duration = (w.duration ?? 0) * 1000
            guard !start.addingReportingOverflow(duration).overflow else {
                throw fail("duration", "\(w.duration ?? 0) µs from timestamp \(w.timestamp ?? 0) µs ends beyond 2262")
            }
            var meta = w.tags ?? [:]
            if let kind = w.kind { meta["span.kind"] = kind.lowercased() }
            if let peer = w.remoteEndpoint?.serviceName { meta["peer.service"] = peer }
            if w.shared == true { meta["zipkin.shared"] = "true" }
            let name = w.name ?? ""
            var record = SpanRecord(
                traceID: traceID, spanID: spanID, parentID: parentID, service: w.localEndpoint?.serviceName ?? "", name: name,
                resource: name, type: w.kind?.lowercased() ?? "", start: start, duration: duration,
                error: w.tags?["error"] != nil, meta: meta, protocolName: "zipkin")
            for (i, a) in (w.annotations ?? []).enumerated() {
                guard let time = a.timestamp, time >= 0, time <= Int64.max / 1000 else {
                    throw fail("annotations[\(i)].timestamp", "missing, negative or beyond 2262")
                }
                record.details.events.append(SpanDetails.Event(time: time * 1000, name: a.value ?? ""))
            }
            spans.append(record)
        }
        return spans
    }

    private static func where_(_ path: [any CodingKey]) -> String {
        guard let first = path.first else { return "the body" }
        var text = first.intValue.map { "span \($0)" } ?? first.stringValue
        for key in path.dropFirst() { text += key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
        return text
    }
}
