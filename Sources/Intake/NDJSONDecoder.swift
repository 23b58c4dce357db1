import Foundation
import TraceContext
import TracejoinModel

/// Decodes Tracejoin's own span format: one JSON object per line.
///
/// ```
/// {"trace_id":"…","span_id":"…","parent_id":"…","service":"…","name":"…","resource":"…",
///  "type":"…","start":<unix ns>,"duration":<ns>,"error":0|1,"meta":{"k":"v"},
///  "events":[{"time":<unix ns>,"name":"…","attributes":{"k":"v"|number|bool}}],
///  "links":[{"trace_id":"…","span_id":"…","attributes":{…}}]}
/// ```
/// IDs must be JSON strings in any accepted form: a JSON number is refused, because whatever
/// produced it may already have rounded a 64-bit ID through a double. Unknown keys are ignored.
public enum NDJSONDecoder {
    /// Why a payload was refused: which line and what is wrong with it.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number in the request body.
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Decodes every line of `body`; fails on the first bad line (so nothing is stored).
    public static func decode(_ body: some Collection<UInt8>) throws(Failure) -> [SpanRecord] {
        var spans: [SpanRecord] = []
        var lineNumber = 0
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            // Blank lines (and a trailing newline) carry nothing.
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            do {
                spans.append(try decodeLine(Data(line)))
            } catch {
                throw Failure(line: lineNumber, message: error.message)
            }
        }
        return inheritHighHalves(spans)
    }

    /// As in a Datadog chunk, a high half carried by one span (`_dd.p.tid` or a 32-hex
    /// trace_id) applies to the spans of the same request with the same low half and none.
    static func inheritHighHalves(_ spans: [SpanRecord]) -> [SpanRecord] {
        var highs: [UInt64: UInt64] = [:]
        for span in spans {
            if let high = span.traceID.high { highs[span.traceID.low] = high }
        }
        guard !highs.isEmpty else { return spans }
        return spans.map { span in
            var span = span
            if span.traceID.high == nil { span.traceID.high = highs[span.traceID.low] }
            return span
        }
    }

    struct Wire: Decodable {
        var trace_id: String
        var span_id: String
        var parent_id: String?
        var service: String?
        var name: String?
        var resource: String?
        var type: String?
        var start: Integer?
        var duration: Integer?
        var error: Flag?
        var meta: [String: String]?
        var events: [WireEvent]?
        var links: [WireLink]?
    }

    /// An event: an exception, a retry. Without `time`, at the span's start.
    struct WireEvent: Decodable {
        var time: Integer?
        var name: String
        var attributes: [String: FieldValue]?
    }

    /// A link to a span of this trace or another (a batch's producer, a retried request).
    struct WireLink: Decodable {
        var trace_id: String
        var span_id: String
        var attributes: [String: FieldValue]?
    }

    /// Attributes in key order (a JSON object has none of its own).
    static func attributes(_ map: [String: FieldValue]?) -> [SpanAttribute] {
        (map ?? [:]).sorted { $0.key < $1.key }.map { SpanAttribute($0.key, $0.value) }
    }

    /// A whole number of nanoseconds. Wrapped so that a fraction or an out-of-range value is
    /// reported with the field's name.
    struct Integer: Decodable {
        var value: Int64
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            do {
                value = try c.decode(Int64.self)
            } catch {
                throw DecodingError.typeMismatch(Int64.self, .init(codingPath: decoder.codingPath, debugDescription: "not a 64-bit integer"))
            }
        }
    }

    /// `error` as 0/1 or false/true.
    struct Flag: Decodable {
        var value: Bool
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                value = b
            } else {
                let n = try c.decode(Int.self)
                guard n == 0 || n == 1 else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be 0 or 1")
                }
                value = n == 1
            }
        }
    }

    struct LineError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func decodeLine(_ line: Data) throws(LineError) -> SpanRecord {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: line)
        } catch let error as DecodingError {
            throw LineError(explain(error))
        } catch {
            throw LineError("not valid JSON")
        }
        guard var traceID = try id(wire.trace_id, "trace_id", TraceID.parse) else {
            throw LineError("trace_id is zero or empty; a span needs a trace ID")
        }
        if let tid = wire.meta?["_dd.p.tid"] {
            traceID = try applyHighHalf(tid, to: traceID)
        }
        guard let spanID = try id(wire.span_id, "span_id", SpanID.parse) else {
            throw LineError("span_id is zero or empty; a span needs a span ID")
        }
        let parentID = try wire.parent_id.flatMap { (text) throws(LineError) in try id(text, "parent_id", SpanID.parse) }
        if let d = wire.duration?.value, d < 0 { throw LineError("duration must not be negative") }
        // The span's end, start + duration, is what the trace view and search compute: it must fit in 64 bits.
        if let d = wire.duration?.value, let s = wire.start?.value, s.addingReportingOverflow(d).overflow {
            throw LineError("start \(s) + duration \(d) ns is beyond 2262")
        }
        var links: [SpanDetails.Link] = []
        for (i, link) in (wire.links ?? []).enumerated() {
            guard let trace = try id(link.trace_id, "links[\(i)].trace_id", TraceID.parse),
                  let span = try id(link.span_id, "links[\(i)].span_id", SpanID.parse) else {
                throw LineError("links[\(i)]: a link needs a trace ID and a span ID that are not zero")
            }
            links.append(SpanDetails.Link(traceID: trace, spanID: span, attributes: attributes(link.attributes)))
        }
        var span = SpanRecord(
            traceID: traceID, spanID: spanID, parentID: parentID, service: wire.service ?? "", name: wire.name ?? "",
            resource: wire.resource ?? wire.name ?? "", type: wire.type ?? "", start: wire.start?.value ?? 0,
            duration: wire.duration?.value ?? 0, error: wire.error?.value ?? false, meta: wire.meta ?? [:], protocolName: "ndjson")
        span.details.events = (wire.events ?? []).map {
            SpanDetails.Event(time: $0.time?.value ?? span.start, name: $0.name, attributes: attributes($0.attributes))
        }
        span.details.links = links
        return span
    }

    /// Datadog's convention: a 64-bit `trace_id` plus the high half as 16 hex digits in
    /// `meta["_dd.p.tid"]`. Honoured here too, so a span can arrive as (high, low).
    static func applyHighHalf(_ tid: String, to id: TraceID) throws(LineError) -> TraceID {
        let high: TraceID?
        do {
            high = try TraceID.parse(tid, encoding: .hex)
        } catch {
            throw LineError("meta._dd.p.tid: \(error.message)")
        }
        guard tid.utf8.count == 16 else {
            throw LineError("meta._dd.p.tid must be 16 hex digits (the high 64 bits of the trace ID)")
        }
        // All zeros: the tracer says nothing about a high half.
        guard let high else { return id }
        if let known = id.high, known != high.low {
            throw LineError("meta._dd.p.tid (\(tid)) contradicts the high half of trace_id (\(id.hex))")
        }
        return TraceID(high: high.low, low: id.low)
    }

    /// Parses an ID field in any accepted form (`auto`), naming the field on failure.
    private static func id<ID>(
        _ text: String, _ field: String, _ parse: (String, IDEncoding) throws(IDParseError) -> ID?
    ) throws(LineError) -> ID? {
        do {
            return try parse(text, .auto)
        } catch {
            throw LineError("\(field): \(error.message)")
        }
    }

    static let idFields: Set = ["trace_id", "span_id", "parent_id"]

    /// A decoding error as one sentence naming the field.
    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String { context.pathDescription }
        switch error {
        case .keyNotFound(let key, _):
            return "missing required field \(key.stringValue)"
        case .typeMismatch(let type, let context):
            let field = path(context)
            if idFields.contains(context.codingPath.last?.stringValue ?? "") {
                return "\(field) must be a JSON string such as \"1295274668589741838\": IDs sent as JSON numbers may already have been rounded to a double"
            }
            return "\(field) has the wrong type (expected \(describe(type)))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null (expected \(describe(type)))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "cannot decode: \(error)"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int64.Type, is Int.Type: return "a whole number"
        case is Bool.Type: return "a boolean"
        case is [String: String].Type, is [String: Any].Type: return "an object of strings"
        default: return "\(type)"
        }
    }
}

extension DecodingError.Context {
    /// `resourceSpans[0].scopeSpans`: where in the document the error is.
    var pathDescription: String {
        // `links[0].trace_id`: an index follows its array's name without a dot.
        codingPath.reduce(into: "") { text, key in
            if let i = key.intValue {
                text += "[\(i)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
    }
}
