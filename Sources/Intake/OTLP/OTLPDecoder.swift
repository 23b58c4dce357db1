import Foundation
import SwiftProtobuf
import TraceContext
import TracejoinModel
import TracejoinSupport

/// Decodes OTLP/HTTP trace exports: protobuf (walked straight from the bytes by
/// `OTLPWireDecoder`, which accepts what swift-protobuf with the message definitions in
/// `Protos/otlp_trace.proto` accepts) and OTLP/JSON (hex IDs, lowerCamelCase keys, 64-bit
/// integers possibly as strings).
public enum OTLPDecoder {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// An attribute value or a log body, whatever encoding it came in.
    indirect enum Value {
        case string(String), bool(Bool), int(Int64), double(Double)
        case bytes(Data)
        case array([Value])
        case kvlist([(String, Value)])
        case empty
    }

    /// One span, as either encoding gives it.
    struct Input {
        var traceID: [UInt8]
        var spanID: [UInt8]
        var parentSpanID: [UInt8]
        var name: String
        var kind: Int
        var start: UInt64
        var end: UInt64
        var attributes: [(String, Value)]
        var resource: [(String, Value)]
        var statusCode: Int
        var statusMessage: String
        /// (time, name, attributes)
        var events: [(UInt64, String, [(String, Value)])] = []
        /// (trace ID, span ID, attributes)
        var links: [([UInt8], [UInt8], [(String, Value)])] = []
    }

    // MARK: Protobuf

    /// Decoded straight from the bytes (`OTLPWireDecoder`): no messages are built, so a span
    /// costs one pass and one copy of its strings.
    public static func decodeProtobuf(_ body: Data) throws(Failure) -> [SpanRecord] {
        // Data.withUnsafeBytes rethrows untyped: the typed result is carried out.
        var result: Result<[SpanRecord], Failure> = .success([])
        body.withUnsafeBytes { raw in
            do throws(Failure) {
                result = .success(try OTLPWireDecoder.decode(raw))
            } catch {
                result = .failure(error)
            }
        }
        switch result {
        case .success(let spans): return spans
        case .failure(let error): throw error
        }
    }

    /// The same request decoded through swift-protobuf's messages, then `decode(_:)`: what
    /// `decodeProtobuf` did before the wire decoder, kept as its reference (the differential
    /// tests, the otlp-protobuf fuzz target, the benchmark's "swift-protobuf messages" line).
    package static func decodeProtobufMessages(_ body: Data) throws(Failure) -> [SpanRecord] {
        let request: Tracejoin_Otlp_ExportTraceServiceRequest
        do {
            request = try Tracejoin_Otlp_ExportTraceServiceRequest(serializedBytes: body)
        } catch {
            throw Failure(message: "not an OTLP ExportTraceServiceRequest (protobuf): " + (ProtobufLocator.locate(body, as: .traceRequest) ?? "\(error)"))
        }
        return try decode(request)
    }

    /// The spans of a request decoded into swift-protobuf's messages: the reference path
    /// (`decodeProtobufMessages`); the intake's routes, HTTP and gRPC, decode with `OTLPWireDecoder`.
    package static func decode(_ request: Tracejoin_Otlp_ExportTraceServiceRequest) throws(Failure) -> [SpanRecord] {
        var inputs: [Input] = []
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes.map { ($0.key, value($0.value)) }
            for scope in resourceSpans.scopeSpans {
                for s in scope.spans {
                    inputs.append(Input(
                        traceID: Array(s.traceID), spanID: Array(s.spanID), parentSpanID: Array(s.parentSpanID), name: s.name,
                        kind: s.kind.rawValue, start: s.startTimeUnixNano, end: s.endTimeUnixNano,
                        attributes: s.attributes.map { ($0.key, value($0.value)) }, resource: resource,
                        statusCode: s.status.code.rawValue, statusMessage: s.status.message,
                        events: s.events.map { ($0.timeUnixNano, $0.name, $0.attributes.map { ($0.key, value($0.value)) }) },
                        links: links(inUnknownFieldsOf: s)))
                }
            }
        }
        return try records(inputs)
    }

    /// A span's links (`repeated Link links = 13`), which the generated message does not
    /// name: swift-protobuf keeps them among the unknown fields, as wire bytes, read here
    /// (`Link`: trace_id = 1, span_id = 2, attributes = 4; malformed ones are skipped).
    static func links(inUnknownFieldsOf span: Tracejoin_Otlp_Span) -> [([UInt8], [UInt8], [(String, Value)])] {
        let bytes = Array(span.unknownFields.data)
        guard !bytes.isEmpty else { return [] }
        var out: [([UInt8], [UInt8], [(String, Value)])] = []
        var wire = WireReader(bytes[...])
        while let (field, payload) = wire.next() {
            guard field == 13, let payload else { continue }
            var link = WireReader(payload)
            var trace: [UInt8] = [], spanID: [UInt8] = [], attributes: [(String, Value)] = []
            while let (f, p) = link.next() {
                guard let p else { continue }
                switch f {
                case 1: trace = Array(p)
                case 2: spanID = Array(p)
                case 4:
                    if let kv = try? Tracejoin_Otlp_KeyValue(serializedBytes: Array(p)) { attributes.append((kv.key, value(kv.value))) }
                default: break
                }
            }
            if link.failed { continue }
            out.append((trace, spanID, attributes))
        }
        return out
    }

    /// Protobuf's wire format, just enough to walk fields: each field number with its bytes
    /// when length-delimited (`nil` for the other wire types, which are skipped).
    struct WireReader {
        var rest: ArraySlice<UInt8>
        private(set) var failed = false
        init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

        private mutating func varint() -> UInt64? {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while let b = rest.first, shift < 64 {
                rest = rest.dropFirst()
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
            return nil
        }

        mutating func next() -> (UInt64, ArraySlice<UInt8>?)? {
            guard !rest.isEmpty, !failed else { return nil }
            guard let key = varint() else {
                failed = true
                return nil
            }
            switch key & 7 {
            case 0:
                guard varint() != nil else { failed = true; return nil }
                return (key >> 3, nil)
            case 1:
                guard rest.count >= 8 else { failed = true; return nil }
                rest = rest.dropFirst(8)
                return (key >> 3, nil)
            case 5:
                guard rest.count >= 4 else { failed = true; return nil }
                rest = rest.dropFirst(4)
                return (key >> 3, nil)
            case 2:
                guard let length = varint(), length <= UInt64(rest.count) else { failed = true; return nil }
                let payload = rest.prefix(Int(length))
                rest = rest.dropFirst(Int(length))
                return (key >> 3, payload)
            default:
                failed = true
                return nil
            }
        }
    }

    static func value(_ v: Tracejoin_Otlp_AnyValue) -> Value {
        switch v.value {
        case .stringValue(let s): return .string(s)
        case .boolValue(let b): return .bool(b)
        case .intValue(let i): return .int(i)
        case .doubleValue(let d): return .double(d)
        case .arrayValue(let a): return .array(a.values.map(value))
        case .kvlistValue(let l): return .kvlist(l.values.map { ($0.key, value($0.value)) })
        case .bytesValue(let b): return .bytes(b)
        case nil: return .empty
        }
    }

    /// A value as span metadata shows it: scalars as text, lists as `[a,b]`, key-value lists
    /// as `{k=v}`, bytes in base64.
    static func describe(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bytes(let b): return b.base64EncodedString()
        case .array(let a): return "[" + a.map(describe).joined(separator: ",") + "]"
        case .kvlist(let l): return "{" + l.map { "\($0.0)=\(describe($0.1))" }.joined(separator: ",") + "}"
        case .empty: return ""
        }
    }

    /// A value as JSON (a structured log body): lists as arrays, key-value lists as objects,
    /// bytes as a base64 string.
    static func writeJSON(_ v: Value, to out: inout [UInt8]) {
        switch v {
        case .string(let s): JSONWriter.append(string: s, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): JSONWriter.append(value: .float(d), to: &out)
        case .bytes(let b): JSONWriter.append(string: b.base64EncodedString(), to: &out)
        case .empty: out.append(contentsOf: "null".utf8)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeJSON(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .kvlist(let l):
            out.append(UInt8(ascii: "{"))
            for (i, (k, e)) in l.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.append(string: k, to: &out)
                out.append(UInt8(ascii: ":"))
                writeJSON(e, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The response for an encoding: an empty ExportTraceServiceResponse.
    public static func emptyProtobufResponse() -> Data {
        (try? Tracejoin_Otlp_ExportTraceServiceResponse().serializedData()) ?? Data()
    }

    /// The response to a metrics export: an empty ExportMetricsServiceResponse.
    public static func emptyMetricsResponse() -> Data {
        (try? Tracejoin_Otlp_ExportMetricsServiceResponse().serializedData()) ?? Data()
    }

    // MARK: Mapping

    /// The resource attributes a request copies into its spans, counted as they are copied.
    ///
    /// Each span keeps its resource's attributes (in `meta` and its details), so a request's
    /// spans hold its resource once per span: a 1 MiB resource over 100,000 spans of a few bytes
    /// each, well inside `intake.max_body`, would become 100 GB. The copies are bounded instead:
    /// past ``limit`` the request is refused, naming the span and the resource's size.
    struct ResourceCopies {
        /// The most resource attribute text one request may copy into its spans. An SDK's batch
        /// (512 spans, OpenTelemetry's default) with 2 kB of resource attributes copies 1 MB.
        static let limit = 64 << 20
        private(set) var bytes = 0
        /// The last resource measured: the spans of one ResourceSpans share its array.
        private var last: (base: UnsafeRawPointer?, count: Int, bytes: Int)?

        mutating func add(_ resource: [(String, Value)], span index: Int) throws(Failure) {
            let base = resource.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
            let size: Int
            if let last, last.base == base, last.count == resource.count {
                size = last.bytes
            } else {
                size = resource.reduce(0) { $0 &+ $1.0.utf8.count &+ Self.size($1.1) }
                last = (base, resource.count, size)
            }
            let (total, overflow) = bytes.addingReportingOverflow(size)
            guard !overflow, total <= Self.limit else {
                throw Failure(message: "span \(index): its resource's attributes (\(size) bytes) copied to each span of the request "
                              + "come to more than \(Self.limit >> 20) MiB: send fewer spans in a request, or a smaller resource")
            }
            bytes = total
        }

        /// A value's size as text, near enough to bound what copying it costs.
        static func size(_ value: Value) -> Int {
            switch value {
            case .string(let s): s.utf8.count
            case .bytes(let d): d.count &* 2
            case .array(let a): a.reduce(2) { $0 &+ size($1) &+ 1 }
            case .kvlist(let l): l.reduce(2) { $0 &+ $1.0.utf8.count &+ size($1.1) &+ 4 }
            case .bool, .int, .double, .empty: 8
            }
        }
    }

    /// Spans as records. Resource `service.name` is the service; `resource.name` (as ddtrace's
    /// OTLP exporter sends it) or the span name is the resource; string attributes go to meta,
    /// numbers to metrics; STATUS_CODE_ERROR marks an error.
    static func records(_ inputs: [Input]) throws(Failure) -> [SpanRecord] {
        var out: [SpanRecord] = []
        out.reserveCapacity(inputs.count)
        var copied = ResourceCopies()
        for (index, s) in inputs.enumerated() {
            func fail(_ message: String) -> Failure { Failure(message: "span \(index): \(message)") }
            try copied.add(s.resource, span: index)
            guard s.traceID.count == 16 else { throw fail("trace_id must be 16 bytes, got \(s.traceID.count)") }
            guard s.spanID.count == 8 else { throw fail("span_id must be 8 bytes, got \(s.spanID.count)") }
            guard s.parentSpanID.isEmpty || s.parentSpanID.count == 8 else {
                throw fail("parent_span_id must be empty or 8 bytes, got \(s.parentSpanID.count)")
            }
            let high = bigEndian(s.traceID[0..<8]), low = bigEndian(s.traceID[8..<16])
            guard high != 0 || low != 0 else { throw fail("trace_id is all zeros") }
            let spanID = bigEndian(s.spanID[...])
            guard spanID != 0 else { throw fail("span_id is all zeros") }
            let parent = s.parentSpanID.isEmpty ? 0 : bigEndian(s.parentSpanID[...])
            guard s.start <= UInt64(Int64.max), s.end <= UInt64(Int64.max) else { throw fail("a timestamp is beyond 2262") }
            var meta: [String: String] = [:]
            var metrics: [String: Double] = [:]
            for (key, value) in s.resource where key != "service.name" {
                put(value, "resource." + key, &meta, &metrics)
            }
            for (key, value) in s.attributes { put(value, key, &meta, &metrics) }
            if !s.statusMessage.isEmpty { meta["otel.status_description"] = s.statusMessage }
            if let kind = ["", "internal", "server", "client", "producer", "consumer"][safe: s.kind], !kind.isEmpty {
                meta["span.kind"] = kind
            }
            let service = s.resource.first { $0.0 == "service.name" }.map { describe($0.1) } ?? ""
            let resourceName = meta["resource.name"] ?? s.name
            var details = SpanDetails()
            details.resource = s.resource.map { attribute($0.0, $0.1) }
            details.typed = s.attributes.compactMap { key, value in
                switch value {
                case .bool, .int, .bytes: return attribute(key, value)
                default: return nil
                }
            }
            for (time, name, attributes) in s.events {
                guard time <= UInt64(Int64.max) else { throw fail("an event's time is beyond 2262") }
                details.events.append(SpanDetails.Event(time: Int64(time), name: name, attributes: attributes.map { attribute($0.0, $0.1) }))
            }
            for (trace, span, attributes) in s.links {
                // A link to an unusable ID says nothing: left out, as Jaeger's translator does.
                guard trace.count == 16, span.count == 8 else { continue }
                let linkHigh = bigEndian(trace[0..<8]), linkLow = bigEndian(trace[8..<16]), linkSpan = bigEndian(span[...])
                guard linkHigh != 0 || linkLow != 0, linkSpan != 0 else { continue }
                details.links.append(SpanDetails.Link(traceID: TraceID(high: linkHigh, low: linkLow), spanID: SpanID(linkSpan),
                                                      attributes: attributes.map { attribute($0.0, $0.1) }))
            }
            var record = SpanRecord(
                traceID: TraceID(high: high, low: low), spanID: SpanID(spanID), parentID: parent == 0 ? nil : SpanID(parent),
                service: service, name: meta["operation.name"] ?? s.name, resource: resourceName, type: meta["span.type"] ?? "",
                start: Int64(s.start), duration: s.end >= s.start ? Int64(s.end - s.start) : 0, error: s.statusCode == 2,
                meta: meta, metrics: metrics, protocolName: "otlp")
            record.details = details
            out.append(record)
        }
        return out
    }

    /// A value with its type: scalars as they are, lists and key-value lists as text.
    /// An attribute with its type; bytes as base64 text marked binary.
    static func attribute(_ key: String, _ value: Value) -> SpanAttribute {
        if case .bytes(let b) = value { return SpanAttribute(key, .string(b.base64EncodedString()), isBinary: true) }
        return SpanAttribute(key, typed(value))
    }

    static func typed(_ value: Value) -> FieldValue {
        switch value {
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .int(let i): return .integer(i)
        case .double(let d): return .float(d)
        case .empty: return .null
        default: return .string(describe(value))
        }
    }

    static func put(_ value: Value, _ key: String, _ meta: inout [String: String], _ metrics: inout [String: Double]) {
        switch value {
        case .int(let i): metrics[key] = Double(i)
        case .double(let d): metrics[key] = d
        default: meta[key] = describe(value)
        }
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
