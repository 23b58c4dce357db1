import Foundation
import TracejoinModel

/// OTLP/JSON (the OTLP specification's JSON encoding): IDs are hex strings (not base64),
/// keys lowerCamelCase, 64-bit integers strings or numbers, enums numbers or names.
extension OTLPDecoder {
    public static func decodeJSON(_ body: Data) throws(Failure) -> [SpanRecord] {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: body)
        } catch let error as DecodingError {
            throw Failure(message: "not OTLP/JSON: \(explain(error))")
        } catch {
            throw Failure(message: "not OTLP/JSON: \(error)")
        }
        var inputs: [Input] = []
        for rs in request.resourceSpans ?? [] {
            let resource = (rs.resource?.attributes ?? []).map { ($0.key, $0.value?.value ?? .empty) }
            for scope in rs.scopeSpans ?? [] {
                for (index, s) in (scope.spans ?? []).enumerated() {
                    func hex(_ text: String?, _ field: String) throws(Failure) -> [UInt8] {
                        guard let text, !text.isEmpty else { return [] }
                        guard let bytes = Self.hexBytes(text) else {
                            throw Failure(message: "span \(index): \(field) '\(text.prefix(40))' is not hex")
                        }
                        return bytes
                    }
                    var links: [([UInt8], [UInt8], [(String, Value)])] = []
                    for l in s.links ?? [] {
                        links.append((try hex(l.traceId, "links.traceId"), try hex(l.spanId, "links.spanId"),
                                      (l.attributes ?? []).map { ($0.key, $0.value?.value ?? .empty) }))
                    }
                    inputs.append(Input(
                        traceID: try hex(s.traceId, "traceId"), spanID: try hex(s.spanId, "spanId"),
                        parentSpanID: try hex(s.parentSpanId, "parentSpanId"), name: s.name ?? "", kind: s.kind?.value ?? 0,
                        start: s.startTimeUnixNano?.value ?? 0, end: s.endTimeUnixNano?.value ?? 0,
                        attributes: (s.attributes ?? []).map { ($0.key, $0.value?.value ?? .empty) }, resource: resource,
                        statusCode: s.status?.code?.value ?? 0, statusMessage: s.status?.message ?? "",
                        events: (s.events ?? []).map { e in
                            (e.timeUnixNano?.value ?? 0, e.name ?? "", (e.attributes ?? []).map { ($0.key, $0.value?.value ?? .empty) })
                        },
                        links: links))
                }
            }
        }
        return try records(inputs)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            // Digits only: UInt8(_:radix:) would also take a sign ("+f").
            guard let h = nibble(chars[i]), let l = nibble(chars[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func explain(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.pathDescription
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    struct Request: Decodable { var resourceSpans: [ResourceSpans]? }
    struct ResourceSpans: Decodable {
        var resource: Resource?
        var scopeSpans: [ScopeSpans]?
    }
    struct Resource: Decodable { var attributes: [KeyValue]? }
    struct ScopeSpans: Decodable { var spans: [Span]? }
    struct Span: Decodable {
        var traceId: String?
        var spanId: String?
        var parentSpanId: String?
        var name: String?
        var kind: EnumValue?
        var startTimeUnixNano: UInt64Value?
        var endTimeUnixNano: UInt64Value?
        var attributes: [KeyValue]?
        var status: Status?
        var events: [Event]?
        var links: [Link]?
    }
    struct Event: Decodable {
        var timeUnixNano: UInt64Value?
        var name: String?
        var attributes: [KeyValue]?
    }
    struct Link: Decodable {
        var traceId: String?
        var spanId: String?
        var attributes: [KeyValue]?
    }
    struct Status: Decodable {
        var code: EnumValue?
        var message: String?
    }
    struct KeyValue: Decodable {
        var key: String
        var value: AnyValue?
    }

    /// `{"stringValue": …}`, `{"intValue": "5"}`, `{"arrayValue": {"values": […]}}`, …
    struct AnyValue: Decodable {
        var value: Value
        enum Keys: String, CodingKey { case stringValue, boolValue, intValue, doubleValue, arrayValue, kvlistValue, bytesValue }
        struct ArrayValue: Decodable { var values: [AnyValue]? }
        struct KeyValueList: Decodable { var values: [KeyValue]? }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            if let s = try c.decodeIfPresent(String.self, forKey: .stringValue) {
                value = .string(s)
            } else if let b = try c.decodeIfPresent(Bool.self, forKey: .boolValue) {
                value = .bool(b)
            } else if let i = try c.decodeIfPresent(Int64Value.self, forKey: .intValue) {
                value = .int(i.value)
            } else if let d = try c.decodeIfPresent(DoubleValue.self, forKey: .doubleValue) {
                value = .double(d.value)
            } else if let a = try c.decodeIfPresent(ArrayValue.self, forKey: .arrayValue) {
                value = .array((a.values ?? []).map(\.value))
            } else if let l = try c.decodeIfPresent(KeyValueList.self, forKey: .kvlistValue) {
                value = .kvlist((l.values ?? []).map { ($0.key, $0.value?.value ?? .empty) })
            } else if let b = try c.decodeIfPresent(String.self, forKey: .bytesValue) {
                // The protobuf JSON mapping writes bytes in base64.
                guard let data = Data(base64Encoded: b) else {
                    throw DecodingError.dataCorruptedError(forKey: .bytesValue, in: c, debugDescription: "bytesValue is not base64")
                }
                value = .bytes(data)
            } else {
                value = .empty
            }
        }
    }

    /// A double as a JSON number, or as the strings the protobuf JSON mapping uses for
    /// non-finite values and may use for any.
    struct DoubleValue: Decodable {
        var value: Double
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                switch s {
                case "NaN": value = .nan
                case "Infinity": value = .infinity
                case "-Infinity": value = -.infinity
                default:
                    guard let d = Double(s) else {
                        throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s.prefix(40))' is not a number")
                    }
                    value = d
                }
            } else {
                value = try c.decode(Double.self)
            }
        }
    }

    /// A 64-bit integer as a JSON number or string (the protobuf JSON mapping writes strings).
    struct JSONInteger<Value: FixedWidthInteger & Decodable & Sendable>: Decodable {
        var value: Value
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self), let v = Value(s) {
                value = v
            } else {
                value = try c.decode(Value.self)
            }
        }
    }

    typealias UInt64Value = JSONInteger<UInt64>
    typealias Int64Value = JSONInteger<Int64>

    /// An enum as its number or its name (`"SPAN_KIND_SERVER"`, `"STATUS_CODE_ERROR"`).
    struct EnumValue: Decodable {
        var value: Int
        static let names = [
            "SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
            "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5, "STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
        ]
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) {
                value = n
            } else {
                let name = try c.decode(String.self)
                guard let n = Self.names[name] else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown enum value '\(name)'")
                }
                value = n
            }
        }
    }
}
