import Foundation

/// Says where a protobuf payload that swift-protobuf refused is broken: the path of the field
/// and its byte offset (`resource_spans[0].scope_spans[0].spans[2].trace_id at byte 131: …`).
///
/// swift-protobuf reports what is wrong but not where. This walks the wire format by the schema
/// of the OTLP messages Tracejoin reads (`Protos/`), only after a decode has failed, so the
/// cost is paid by bad requests alone. Fields it does not know are skipped as protobuf does.
package enum ProtobufLocator {
    /// The messages walked.
    package enum Message {
        case traceRequest, resourceSpans, resource, scopeSpans, scope, span, event, status
        case keyValue, anyValue, arrayValue, kvlist
        case logsRequest, resourceLogs, scopeLogs, logRecord
    }

    /// What a field holds.
    enum Expected {
        case varint, fixed64, fixed32, bytes, string
        case message(Message)
    }

    struct Field {
        var name: String
        var expected: Expected
        var repeated = false
    }

    static func fields(_ m: Message) -> [UInt64: Field] {
        switch m {
        case .traceRequest: return [1: Field(name: "resource_spans", expected: .message(.resourceSpans), repeated: true)]
        case .resourceSpans:
            return [1: Field(name: "resource", expected: .message(.resource)),
                    2: Field(name: "scope_spans", expected: .message(.scopeSpans), repeated: true), 3: Field(name: "schema_url", expected: .string)]
        case .resource: return [1: Field(name: "attributes", expected: .message(.keyValue), repeated: true)]
        case .scopeSpans:
            return [1: Field(name: "scope", expected: .message(.scope)), 2: Field(name: "spans", expected: .message(.span), repeated: true),
                    3: Field(name: "schema_url", expected: .string)]
        case .scope: return [1: Field(name: "name", expected: .string), 2: Field(name: "version", expected: .string)]
        case .span:
            return [1: Field(name: "trace_id", expected: .bytes), 2: Field(name: "span_id", expected: .bytes),
                    3: Field(name: "trace_state", expected: .string), 4: Field(name: "parent_span_id", expected: .bytes),
                    5: Field(name: "name", expected: .string), 6: Field(name: "kind", expected: .varint),
                    7: Field(name: "start_time_unix_nano", expected: .fixed64), 8: Field(name: "end_time_unix_nano", expected: .fixed64),
                    9: Field(name: "attributes", expected: .message(.keyValue), repeated: true),
                    11: Field(name: "events", expected: .message(.event), repeated: true), 15: Field(name: "status", expected: .message(.status)),
                    16: Field(name: "flags", expected: .fixed32)]
        case .event:
            return [1: Field(name: "time_unix_nano", expected: .fixed64), 2: Field(name: "name", expected: .string),
                    3: Field(name: "attributes", expected: .message(.keyValue), repeated: true)]
        case .status: return [2: Field(name: "message", expected: .string), 3: Field(name: "code", expected: .varint)]
        case .keyValue: return [1: Field(name: "key", expected: .string), 2: Field(name: "value", expected: .message(.anyValue))]
        case .anyValue:
            return [1: Field(name: "string_value", expected: .string), 2: Field(name: "bool_value", expected: .varint),
                    3: Field(name: "int_value", expected: .varint), 4: Field(name: "double_value", expected: .fixed64),
                    5: Field(name: "array_value", expected: .message(.arrayValue)), 6: Field(name: "kvlist_value", expected: .message(.kvlist)),
                    7: Field(name: "bytes_value", expected: .bytes)]
        case .arrayValue: return [1: Field(name: "values", expected: .message(.anyValue), repeated: true)]
        case .kvlist: return [1: Field(name: "values", expected: .message(.keyValue), repeated: true)]
        case .logsRequest: return [1: Field(name: "resource_logs", expected: .message(.resourceLogs), repeated: true)]
        case .resourceLogs:
            return [1: Field(name: "resource", expected: .message(.resource)),
                    2: Field(name: "scope_logs", expected: .message(.scopeLogs), repeated: true), 3: Field(name: "schema_url", expected: .string)]
        case .scopeLogs:
            return [1: Field(name: "scope", expected: .message(.scope)), 2: Field(name: "log_records", expected: .message(.logRecord), repeated: true),
                    3: Field(name: "schema_url", expected: .string)]
        case .logRecord:
            return [1: Field(name: "time_unix_nano", expected: .fixed64), 11: Field(name: "observed_time_unix_nano", expected: .fixed64),
                    2: Field(name: "severity_number", expected: .varint), 3: Field(name: "severity_text", expected: .string),
                    5: Field(name: "body", expected: .message(.anyValue)), 6: Field(name: "attributes", expected: .message(.keyValue), repeated: true),
                    8: Field(name: "flags", expected: .fixed32), 9: Field(name: "trace_id", expected: .bytes),
                    10: Field(name: "span_id", expected: .bytes), 12: Field(name: "event_name", expected: .string)]
        }
    }

    struct Fault: Error {
        var path: String
        var offset: Int
        var what: String
        var description: String { "\(path.isEmpty ? "message" : path) at byte \(offset): \(what)" }
    }

    /// Where `data`, read as `message`, first breaks the wire format; `nil` if the walk finds
    /// nothing wrong (then the decoder's own error is all there is to say).
    package static func locate(_ data: Data, as message: Message) -> String? {
        data.withUnsafeBytes { raw -> String? in locate(raw, as: message) }
    }

    /// The same, over bytes already in memory (the wire decoder's input).
    package static func locate(_ raw: UnsafeRawBufferPointer, as message: Message) -> String? {
        do throws(Fault) {
            try walk(raw, 0, raw.count, message, path: "", depth: 0)
            return nil
        } catch {
            return error.description
        }
    }

    static func walk(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ message: Message, path: String, depth: Int) throws(Fault) {
        guard depth < 100 else { throw Fault(path: path, offset: start, what: "nested more than 100 messages deep") }
        let known = fields(message)
        var seen: [UInt64: Int] = [:]
        var i = start
        while i < end {
            let fieldStart = i
            guard let tag = varint(b, &i, end) else { throw Fault(path: path, offset: fieldStart, what: "truncated or overlong field tag") }
            let number = tag >> 3, wire = tag & 7
            guard number != 0, number < 1 << 29 else { throw Fault(path: path, offset: fieldStart, what: "invalid field number \(number)") }
            let field = known[number]
            var name = field?.name ?? "field \(number)"
            if let field, field.repeated {
                name += "[\(seen[number, default: 0])]"
                seen[number, default: 0] += 1
            }
            let here = path.isEmpty ? name : path + "." + name
            func mismatch(_ type: String) -> Fault {
                Fault(path: here, offset: fieldStart, what: "wire type \(wire) (\(type)) where the schema has \(field.map { "\($0.expected)" } ?? "?")")
            }
            switch wire {
            case 0:
                if let e = field?.expected, case .varint = e {} else if field != nil { throw mismatch("varint") }
                guard varint(b, &i, end) != nil else { throw Fault(path: here, offset: fieldStart, what: "truncated or overlong varint") }
            case 1, 5:
                let size = wire == 1 ? 8 : 4
                if let e = field?.expected {
                    switch (e, size) {
                    case (.fixed64, 8), (.fixed32, 4): break
                    default: throw mismatch(size == 8 ? "64-bit" : "32-bit")
                    }
                }
                guard end - i >= size else { throw Fault(path: here, offset: fieldStart, what: "\(size)-byte value runs past the end (\(end - i) bytes left)") }
                i += size
            case 2:
                let lengthAt = i
                guard let length = varint(b, &i, end) else { throw Fault(path: here, offset: lengthAt, what: "truncated or overlong length") }
                guard length <= UInt64(end - i) else {
                    throw Fault(path: here, offset: lengthAt, what: "length \(length) runs past the end of its message (\(end - i) bytes left)")
                }
                let valueEnd = i + Int(length)
                switch field?.expected {
                case .message(let sub)?: try walk(b, i, valueEnd, sub, path: here, depth: depth + 1)
                case .string?:
                    guard String(validating: b[i..<valueEnd], as: UTF8.self) != nil else {
                        throw Fault(path: here, offset: i, what: "string is not valid UTF-8")
                    }
                case .bytes?, nil: break
                default: throw mismatch("length-delimited")
                }
                i = valueEnd
            default:
                throw Fault(path: here, offset: fieldStart, what: "wire type \(wire) is not valid here")
            }
        }
    }

    static func varint(_ b: UnsafeRawBufferPointer, _ i: inout Int, _ end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while i < end, shift < 64 {
            let byte = b[i]
            i += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
