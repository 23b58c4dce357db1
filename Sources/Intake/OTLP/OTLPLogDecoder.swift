import Foundation
import SwiftProtobuf
import TraceContext
import TracejoinModel
import TracejoinSupport

/// OTLP log exports (ExportLogsServiceRequest, protobuf or OTLP/JSON) as log lines.
///
/// A log record becomes a ``LogRecord`` like a tailed line: its trace and span IDs (bytes) are
/// its IDs; severity text (or, without it, the severity number's name) is the level; the body is
/// the message (a structured body as JSON); `time_unix_nano`, or the observed time when that is
/// unset, is the time; the resource's `service.name`, the attributes and the event name are its
/// fields. The stored line reads `TIME LEVEL MESSAGE`, with time, level and message as ranges
/// of it. The rule is `otlp`; the source is configurable (`intake.otlp_logs.source`).
public enum OTLPLogDecoder {
    public typealias Failure = OTLPDecoder.Failure

    /// How records are named and which are kept.
    public struct Options: Sendable {
        public var source: String
        /// Keep records without a trace ID (otherwise counted only, as a rule file without
        /// `keep_untraced` does).
        public var keepUntraced: Bool
        /// Stored as the record's `file`: where it came from (`otlp/grpc`, `otlp/http`).
        public var origin: String
        public init(source: String = "otlp", keepUntraced: Bool = false, origin: String = "otlp/http") {
            self.source = source
            self.keepUntraced = keepUntraced
            self.origin = origin
        }
    }

    /// The rule name OTLP log records are stored and counted under.
    public static let rule = "otlp"

    /// What a request gave.
    public struct Decoded: Sendable {
        /// The records to store.
        public var records: [LogRecord]
        /// Records in the request.
        public var total: Int
        /// Records with a trace ID.
        public var traced: Int
    }

    /// One log record, as either encoding gives it.
    struct Input {
        var traceID: [UInt8]
        var spanID: [UInt8]
        var time: UInt64
        var observed: UInt64
        var severityNumber: Int
        var severityText: String
        var body: OTLPDecoder.Value?
        var attributes: [(String, OTLPDecoder.Value)]
        var resource: [(String, OTLPDecoder.Value)]
        var eventName: String
    }

    // MARK: Protobuf

    public static func decodeProtobuf(_ body: Data, options: Options) throws(Failure) -> Decoded {
        let request: Tracejoin_Otlp_ExportLogsServiceRequest
        do {
            request = try Tracejoin_Otlp_ExportLogsServiceRequest(serializedBytes: body)
        } catch {
            throw Failure(message: "not an OTLP ExportLogsServiceRequest (protobuf): " + (ProtobufLocator.locate(body, as: .logsRequest) ?? "\(error)"))
        }
        return try decode(request, options: options)
    }

    /// The records of a decoded request (the gRPC service gets it decoded).
    package static func decode(_ request: Tracejoin_Otlp_ExportLogsServiceRequest, options: Options) throws(Failure) -> Decoded {
        var inputs: [Input] = []
        for resourceLogs in request.resourceLogs {
            let resource = resourceLogs.resource.attributes.map { ($0.key, OTLPDecoder.value($0.value)) }
            for scope in resourceLogs.scopeLogs {
                for r in scope.logRecords {
                    inputs.append(Input(
                        traceID: Array(r.traceID), spanID: Array(r.spanID), time: r.timeUnixNano, observed: r.observedTimeUnixNano,
                        severityNumber: Int(r.severityNumber), severityText: r.severityText,
                        body: r.hasBody ? OTLPDecoder.value(r.body) : nil,
                        attributes: r.attributes.map { ($0.key, OTLPDecoder.value($0.value)) }, resource: resource,
                        eventName: r.eventName))
                }
            }
        }
        return try records(inputs, options: options)
    }

    /// The response to a successful export: an empty ExportLogsServiceResponse.
    public static func emptyProtobufResponse() -> Data {
        (try? Tracejoin_Otlp_ExportLogsServiceResponse().serializedData()) ?? Data()
    }

    // MARK: JSON

    public static func decodeJSON(_ body: Data, options: Options) throws(Failure) -> Decoded {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: body)
        } catch let error as DecodingError {
            throw Failure(message: "not OTLP/JSON logs: \(OTLPDecoder.explain(error))")
        } catch {
            throw Failure(message: "not OTLP/JSON logs: \(error)")
        }
        var inputs: [Input] = []
        for rl in request.resourceLogs ?? [] {
            let resource = (rl.resource?.attributes ?? []).map { ($0.key, $0.value?.value ?? .empty) }
            for scope in rl.scopeLogs ?? [] {
                for r in scope.logRecords ?? [] {
                    let index = inputs.count
                    func hex(_ text: String?, _ field: String) throws(Failure) -> [UInt8] {
                        guard let text, !text.isEmpty else { return [] }
                        guard let bytes = OTLPDecoder.hexBytes(text) else {
                            throw Failure(message: "log record \(index): \(field) '\(text.prefix(40))' is not hex")
                        }
                        return bytes
                    }
                    inputs.append(Input(
                        traceID: try hex(r.traceId, "traceId"), spanID: try hex(r.spanId, "spanId"),
                        time: r.timeUnixNano?.value ?? 0, observed: r.observedTimeUnixNano?.value ?? 0,
                        severityNumber: r.severityNumber?.value ?? 0, severityText: r.severityText ?? "",
                        body: r.body?.value, attributes: (r.attributes ?? []).map { ($0.key, $0.value?.value ?? .empty) },
                        resource: resource, eventName: r.eventName ?? ""))
                }
            }
        }
        return try records(inputs, options: options)
    }

    struct Request: Decodable { var resourceLogs: [ResourceLogs]? }
    struct ResourceLogs: Decodable {
        var resource: OTLPDecoder.Resource?
        var scopeLogs: [ScopeLogs]?
    }
    struct ScopeLogs: Decodable { var logRecords: [LogRecordJSON]? }
    struct LogRecordJSON: Decodable {
        var timeUnixNano: OTLPDecoder.UInt64Value?
        var observedTimeUnixNano: OTLPDecoder.UInt64Value?
        var severityNumber: Severity?
        var severityText: String?
        var body: OTLPDecoder.AnyValue?
        var attributes: [OTLPDecoder.KeyValue]?
        var traceId: String?
        var spanId: String?
        var eventName: String?
    }

    /// A severity as its number or its name (`"SEVERITY_NUMBER_INFO"`).
    struct Severity: Decodable {
        var value: Int
        init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) {
                value = n
                return
            }
            let name = try c.decode(String.self)
            let prefix = "SEVERITY_NUMBER_"
            guard name.hasPrefix(prefix) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown severity '\(name.prefix(40))'")
            }
            let rest = name.dropFirst(prefix.count)
            if rest == "UNSPECIFIED" {
                value = 0
                return
            }
            // TRACE, TRACE2…TRACE4, DEBUG…, FATAL4: six names of four steps each.
            let letters = rest.prefix { $0.isLetter }
            let step = rest.dropFirst(letters.count)
            guard let base = severityNames.firstIndex(of: String(letters)), step.isEmpty || ["2", "3", "4"].contains(step) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown severity '\(name.prefix(40))'")
            }
            value = base * 4 + 1 + (Int(step) ?? 1) - 1
        }
    }

    static let severityNames = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]

    /// The level a severity number stands for: 1–4 TRACE, 5–8 DEBUG, … 21–24 FATAL.
    static func level(severityNumber n: Int) -> String? {
        guard n >= 1, n <= 24 else { return nil }
        return severityNames[(n - 1) / 4]
    }

    // MARK: Mapping

    static func records(_ inputs: [Input], options: Options) throws(Failure) -> Decoded {
        var out: [LogRecord] = []
        out.reserveCapacity(inputs.count)
        var traced = 0
        var serviceNameBytes = 0
        for (index, r) in inputs.enumerated() {
            func fail(_ message: String) -> Failure { Failure(message: "log record \(index): \(message)") }
            // An unset ID is empty or all zeros (the SDK writes zeros outside a span).
            var traceID: TraceID?
            if r.traceID.contains(where: { $0 != 0 }) {
                guard r.traceID.count == 16 else { throw fail("trace_id must be 16 bytes, got \(r.traceID.count)") }
                traceID = TraceID(high: OTLPDecoder.bigEndian(r.traceID[0..<8]), low: OTLPDecoder.bigEndian(r.traceID[8..<16]))
            } else if !r.traceID.isEmpty && r.traceID.count != 16 {
                throw fail("trace_id must be 16 bytes, got \(r.traceID.count)")
            }
            var spanID: SpanID?
            if r.spanID.contains(where: { $0 != 0 }) {
                guard r.spanID.count == 8 else { throw fail("span_id must be 8 bytes, got \(r.spanID.count)") }
                spanID = SpanID(OTLPDecoder.bigEndian(r.spanID[...]))
            } else if !r.spanID.isEmpty && r.spanID.count != 8 {
                throw fail("span_id must be 8 bytes, got \(r.spanID.count)")
            }
            if spanID != nil && traceID == nil { throw fail("span_id is set without a trace_id") }
            let nanoseconds = r.time != 0 ? r.time : r.observed
            guard nanoseconds <= UInt64(Int64.max) else { throw fail("time_unix_nano is beyond 2262") }
            if traceID != nil { traced += 1 } else if !options.keepUntraced { continue }

            // The stored line: TIME LEVEL MESSAGE, each part a range of it.
            var raw: [UInt8] = []
            var time: LogRecord.Text?, level: LogRecord.Text?, message: LogRecord.Text?
            func part(_ text: some Sequence<UInt8>) -> LogRecord.Text {
                if !raw.isEmpty { raw.append(UInt8(ascii: " ")) }
                let start = raw.count
                raw.append(contentsOf: text)
                return .inLine(start..<raw.count)
            }
            if nanoseconds != 0 { time = part(Timestamps.iso8601(nanoseconds: Int64(nanoseconds)).utf8) }
            if let name = r.severityText.isEmpty ? Self.level(severityNumber: r.severityNumber) : r.severityText {
                level = part(name.utf8)
            }
            switch r.body {
            case .string(let s)?: message = part(s.utf8)
            case let body?:
                var json: [UInt8] = []
                OTLPDecoder.writeJSON(body, to: &json)
                message = part(json)
            case nil:
                if !r.eventName.isEmpty { message = part(r.eventName.utf8) }
            }

            var fields: [LogRecord.FieldText] = []
            if let service = r.resource.first(where: { $0.0 == "service.name" }) {
                let name = OTLPDecoder.describe(service.1)
                // Each record keeps its resource's service name: bounded as spans' resources are
                // (OTLPDecoder.ResourceCopies), so a huge name on many tiny records is refused.
                let (total, overflow) = serviceNameBytes.addingReportingOverflow(name.utf8.count)
                guard !overflow, total <= OTLPDecoder.ResourceCopies.limit else {
                    throw fail("its resource's service.name (\(name.utf8.count) bytes) copied to each record of the request comes to "
                               + "more than \(OTLPDecoder.ResourceCopies.limit >> 20) MiB: send fewer records in a request, or a shorter name")
                }
                serviceNameBytes = total
                fields.append(.init(name: "service.name", value: .own(.string(name))))
            }
            if !r.eventName.isEmpty { fields.append(.init(name: "event.name", value: .own(.string(r.eventName)))) }
            for (key, value) in r.attributes {
                fields.append(.init(name: key, value: .own(fieldValue(value))))
            }
            out.append(LogRecord(
                traceID: traceID, spanID: spanID, raw: String(decoding: raw, as: UTF8.self), time: time, level: level, message: message,
                fields: fields, file: options.origin, source: options.source, rule: rule,
                timeNanoseconds: nanoseconds != 0 ? Int64(nanoseconds) : nil))
        }
        return Decoded(records: out, total: inputs.count, traced: traced)
    }

    static func fieldValue(_ v: OTLPDecoder.Value) -> FieldValue {
        switch v {
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .int(let i): return .integer(i)
        case .double(let d): return .float(d)
        case .empty: return .null
        case .bytes, .array, .kvlist:
            var json: [UInt8] = []
            OTLPDecoder.writeJSON(v, to: &json)
            return .string(String(decoding: json, as: UTF8.self))
        }
    }
}
