import Foundation
import TracejoinModel

/// Decodes an OTLP ExportTraceServiceRequest (protobuf) straight from its bytes: the wire walk
/// builds the decoder's `Input`s itself, with no swift-protobuf messages between, and
/// `OTLPDecoder.records(_:)` maps them as before.
///
/// It accepts and refuses exactly what the message-based path (`OTLPDecoder.decodeProtobufMessages`,
/// swift-protobuf 1.39's `BinaryDecoder` over `Protos/otlp_trace.proto`, links read from the
/// span's unknown fields) accepts and refuses, and gives the same spans, so swapping one for the
/// other changes only the speed. That is why it copies the library's rules rather than the
/// protobuf spec's where they differ:
/// - a field of a known number but the wrong wire type is skipped as an unknown field;
/// - a field seen twice: the last scalar wins, a message field is merged (a second `status`
///   sets only what it carries, a second `resource` adds attributes, a second `array_value` of
///   the same AnyValue appends), a oneof set again takes the later value;
/// - strings (keys, names, string values, `trace_state`, the scope's name and version, the
///   status message) must be UTF-8; bytes and unknown fields are not checked;
/// - enums (`kind`, `code`) are the varint's low 32 bits, as a signed number;
/// - tags: at most 5 bytes, wire types 0–5, field number not 0; an unknown group (wire type 3)
///   is skipped to its matching end (wire type 4 anywhere else is an error), as protobuf's
///   deprecated groups are still valid wire format;
/// - nesting: at most 100 messages deep (groups count), the request itself being the first;
/// - links (`Span.links = 13`, not in the message definition) are read as the message path
///   read them out of the unknown fields: leniently, a malformed link is left out, a link
///   attribute that does not decode is left out, and no link after an unknown group in the
///   same span is read (the unknown-field reader stopped there).
///
/// Every offset and length read from the input is checked against the end of the enclosing
/// message before it is used, so no input traps. A refusal names the field path and the byte
/// offset, as `ProtobufLocator` does (its text is used when it finds the break, so messages
/// stay what they were).
package enum OTLPWireDecoder {
    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(OTLPDecoder.Failure) -> [SpanRecord] {
        switch decoded(bytes) {
        case .spans(let spans): return spans
        case .malformed(let place): throw OTLPDecoder.Failure(message: "not an OTLP ExportTraceServiceRequest (protobuf): " + place)
        case .refused(let failure): throw failure
        }
    }

    /// A request's outcome, with the two refusals apart: the gRPC service answers bytes that
    /// are not the message from its deserializer, and logs refused spans with the peer.
    package enum Decoded: Sendable {
        case spans([SpanRecord])
        /// The bytes are not an ExportTraceServiceRequest: where they break (field path and
        /// byte offset).
        case malformed(place: String)
        /// The request is whole, its spans are not (an ID of the wrong size, all zeros, …).
        case refused(OTLPDecoder.Failure)
    }

    package static func decoded(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        let inputs: [OTLPDecoder.Input]
        do throws(Fault) {
            inputs = try Walker(b: bytes).request()
        } catch {
            return .malformed(place: ProtobufLocator.locate(bytes, as: .traceRequest) ?? error.description)
        }
        do throws(OTLPDecoder.Failure) {
            return .spans(try OTLPDecoder.records(inputs))
        } catch {
            return .refused(error)
        }
    }

    /// Where the walk stopped: the path is collected from the inside out as the error unwinds
    /// (so a success pays nothing for it).
    struct Fault: Error {
        var reversedPath: [String] = []
        var offset: Int
        var what: String

        init(_ field: String? = nil, offset: Int, _ what: String) {
            if let field { reversedPath = [field] }
            self.offset = offset
            self.what = what
        }

        func under(_ name: String) -> Fault {
            var f = self
            f.reversedPath.append(name)
            return f
        }

        var description: String {
            let path = reversedPath.reversed().joined(separator: ".")
            return "\(path.isEmpty ? "message" : path) at byte \(offset): \(what)"
        }
    }

    typealias Value = OTLPDecoder.Value
    typealias Attributes = [(String, Value)]

    /// swift-protobuf's default `messageDepthLimit`.
    static let depthLimit = 100

    /// The walk over one request's bytes. Every function takes the bounds of the message it
    /// reads (`start..<end`, already checked to lie within the buffer) and the message's depth
    /// (`level`, the request being 1).
    struct Walker {
        let b: UnsafeRawBufferPointer

        // MARK: Messages

        func request() throws(Fault) -> [OTLPDecoder.Input] {
            var inputs: [OTLPDecoder.Input] = []
            // An empty body is an empty request (swift-protobuf decodes nothing, at no depth).
            var i = 0, n = 0
            let end = b.count
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                if field == 1, wire == 2 {
                    let (s, e) = try body(&i, end, "resource_spans[\(n)]")
                    do throws(Fault) {
                        try resourceSpans(s, e, level: 2, into: &inputs)
                    } catch {
                        throw error.under("resource_spans[\(n)]")
                    }
                    n += 1
                } else {
                    try skip(field, wire, at, &i, end, level: 1)
                }
            }
            return inputs
        }

        /// Appends the spans of one ResourceSpans, each with the resource's attributes (all of
        /// them: a `resource` given twice is merged, and applies to every span of the message).
        func resourceSpans(_ start: Int, _ end: Int, level: Int, into inputs: inout [OTLPDecoder.Input]) throws(Fault) {
            try enter(level, start)
            let first = inputs.count
            var resource: Attributes = []
            var i = start, n = 0
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (1, 2):
                    let (s, e) = try body(&i, end, "resource")
                    do throws(Fault) {
                        try self.resource(s, e, level: level + 1, into: &resource)
                    } catch {
                        throw error.under("resource")
                    }
                case (2, 2):
                    let (s, e) = try body(&i, end, "scope_spans[\(n)]")
                    do throws(Fault) {
                        try scopeSpans(s, e, level: level + 1, into: &inputs)
                    } catch {
                        throw error.under("scope_spans[\(n)]")
                    }
                    n += 1
                default:
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
            if !resource.isEmpty {
                for k in first..<inputs.count { inputs[k].resource = resource }
            }
        }

        func resource(_ start: Int, _ end: Int, level: Int, into attributes: inout Attributes) throws(Fault) {
            try enter(level, start)
            var i = start, n = attributes.count
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                if field == 1, wire == 2 {
                    let (s, e) = try body(&i, end, "attributes[\(n)]")
                    do throws(Fault) {
                        attributes.append(try keyValue(s, e, level: level + 1))
                    } catch {
                        throw error.under("attributes[\(n)]")
                    }
                    n += 1
                } else {
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        func scopeSpans(_ start: Int, _ end: Int, level: Int, into inputs: inout [OTLPDecoder.Input]) throws(Fault) {
            try enter(level, start)
            var i = start, n = 0
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (1, 2):
                    let (s, e) = try body(&i, end, "scope")
                    do throws(Fault) {
                        try scope(s, e, level: level + 1)
                    } catch {
                        throw error.under("scope")
                    }
                case (2, 2):
                    let (s, e) = try body(&i, end, "spans[\(n)]")
                    do throws(Fault) {
                        inputs.append(try span(s, e, level: level + 1))
                    } catch {
                        throw error.under("spans[\(n)]")
                    }
                    n += 1
                default:
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        /// InstrumentationScope: nothing of it is kept, but its name and version are strings
        /// and must be UTF-8, as swift-protobuf checks them.
        func scope(_ start: Int, _ end: Int, level: Int) throws(Fault) {
            try enter(level, start)
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                if field == 1 || field == 2, wire == 2 {
                    _ = try string(&i, end, field == 1 ? "name" : "version")
                } else {
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        func span(_ start: Int, _ end: Int, level: Int) throws(Fault) -> OTLPDecoder.Input {
            try enter(level, start)
            var traceID = 0..<0, spanID = 0..<0, parentSpanID = 0..<0
            var name = "", kind = 0
            var startTime: UInt64 = 0, endTime: UInt64 = 0
            var attributes: Attributes = []
            var events: [(UInt64, String, Attributes)] = []
            var links: [([UInt8], [UInt8], Attributes)] = []
            var statusMessage = "", statusCode = 0
            /// The message path read links from the unknown fields with a reader that stops
            /// at a group: links after one are not read.
            var linksStopped = false
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (1, 2): traceID = try bytes(&i, end, "trace_id")
                case (2, 2): spanID = try bytes(&i, end, "span_id")
                case (3, 2): _ = try string(&i, end, "trace_state")
                case (4, 2): parentSpanID = try bytes(&i, end, "parent_span_id")
                case (5, 2): name = try string(&i, end, "name")
                case (6, 0): kind = try enumValue(&i, end, "kind")
                case (7, 1): startTime = try fixed64(&i, end, "start_time_unix_nano")
                case (8, 1): endTime = try fixed64(&i, end, "end_time_unix_nano")
                case (9, 2):
                    let n = attributes.count
                    let (s, e) = try body(&i, end, "attributes[\(n)]")
                    do throws(Fault) {
                        attributes.append(try keyValue(s, e, level: level + 1))
                    } catch {
                        throw error.under("attributes[\(n)]")
                    }
                case (11, 2):
                    let n = events.count
                    let (s, e) = try body(&i, end, "events[\(n)]")
                    do throws(Fault) {
                        events.append(try event(s, e, level: level + 1))
                    } catch {
                        throw error.under("events[\(n)]")
                    }
                case (15, 2):
                    let (s, e) = try body(&i, end, "status")
                    do throws(Fault) {
                        try status(s, e, level: level + 1, message: &statusMessage, code: &statusCode)
                    } catch {
                        throw error.under("status")
                    }
                case (16, 5):
                    guard end - i >= 4 else { throw Fault("flags", offset: at, "4-byte value runs past the end (\(end - i) bytes left)") }
                    i += 4
                default:
                    // An unknown field, or a known one of another wire type: skipped, and kept
                    // by swift-protobuf among the unknown fields, where links were read.
                    let valueAt = i
                    try skip(field, wire, at, &i, end, level: level)
                    if wire == 3 {
                        linksStopped = true
                    } else if field == 13, wire == 2, !linksStopped {
                        // skip() has checked the length; read it again to find the payload.
                        var p = valueAt
                        if let length = Self.varint(b, &p, i), length == UInt64(i - p), let read = link(p, i) {
                            links.append(read)
                        }
                    }
                }
            }
            return OTLPDecoder.Input(
                traceID: array(traceID), spanID: array(spanID), parentSpanID: array(parentSpanID), name: name,
                kind: kind, start: startTime, end: endTime, attributes: attributes, resource: [],
                statusCode: statusCode, statusMessage: statusMessage, events: events, links: links)
        }

        func event(_ start: Int, _ end: Int, level: Int) throws(Fault) -> (UInt64, String, Attributes) {
            try enter(level, start)
            var time: UInt64 = 0, name = "", attributes: Attributes = []
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (1, 1): time = try fixed64(&i, end, "time_unix_nano")
                case (2, 2): name = try string(&i, end, "name")
                case (3, 2):
                    let n = attributes.count
                    let (s, e) = try body(&i, end, "attributes[\(n)]")
                    do throws(Fault) {
                        attributes.append(try keyValue(s, e, level: level + 1))
                    } catch {
                        throw error.under("attributes[\(n)]")
                    }
                default:
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
            return (time, name, attributes)
        }

        /// Merges a Status into what earlier ones of the same span set.
        func status(_ start: Int, _ end: Int, level: Int, message: inout String, code: inout Int) throws(Fault) {
            try enter(level, start)
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (2, 2): message = try string(&i, end, "message")
                case (3, 0): code = try enumValue(&i, end, "code")
                default: try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        func keyValue(_ start: Int, _ end: Int, level: Int) throws(Fault) -> (String, Value) {
            try enter(level, start)
            var key = "", value = Value.empty
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (1, 2): key = try string(&i, end, "key")
                case (2, 2):
                    // A second `value` merges into the first, as a singular message field does.
                    let (s, e) = try body(&i, end, "value")
                    do throws(Fault) {
                        try anyValue(s, e, level: level + 1, into: &value)
                    } catch {
                        throw error.under("value")
                    }
                default:
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
            return (key, value)
        }

        /// Merges an AnyValue into `value` (`.empty` when none was set): a oneof member
        /// replaces what was set, except that an array (key-value list) given again while
        /// the value is an array (key-value list) appends to it.
        func anyValue(_ start: Int, _ end: Int, level: Int, into value: inout Value) throws(Fault) {
            try enter(level, start)
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                switch (field, wire) {
                case (1, 2): value = .string(try string(&i, end, "string_value"))
                case (2, 0): value = .bool(try varint(&i, end, "bool_value") != 0)
                case (3, 0): value = .int(Int64(bitPattern: try varint(&i, end, "int_value")))
                case (4, 1): value = .double(Double(bitPattern: try fixed64(&i, end, "double_value")))
                case (5, 2):
                    let (s, e) = try body(&i, end, "array_value")
                    var values: [Value] = []
                    if case .array(let existing) = value { values = existing }
                    value = .empty  // so that `values` is the only reference while it grows
                    do throws(Fault) {
                        try arrayValue(s, e, level: level + 1, into: &values)
                    } catch {
                        throw error.under("array_value")
                    }
                    value = .array(values)
                case (6, 2):
                    let (s, e) = try body(&i, end, "kvlist_value")
                    var values: Attributes = []
                    if case .kvlist(let existing) = value { values = existing }
                    value = .empty
                    do throws(Fault) {
                        try kvlist(s, e, level: level + 1, into: &values)
                    } catch {
                        throw error.under("kvlist_value")
                    }
                    value = .kvlist(values)
                case (7, 2):
                    let range = try bytes(&i, end, "bytes_value")
                    value = .bytes(Data(UnsafeRawBufferPointer(rebasing: b[range])))
                default:
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        func arrayValue(_ start: Int, _ end: Int, level: Int, into values: inout [Value]) throws(Fault) {
            try enter(level, start)
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                if field == 1, wire == 2 {
                    let n = values.count
                    let (s, e) = try body(&i, end, "values[\(n)]")
                    var element = Value.empty
                    do throws(Fault) {
                        try anyValue(s, e, level: level + 1, into: &element)
                    } catch {
                        throw error.under("values[\(n)]")
                    }
                    values.append(element)
                } else {
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        func kvlist(_ start: Int, _ end: Int, level: Int, into values: inout Attributes) throws(Fault) {
            try enter(level, start)
            var i = start
            while i < end {
                let at = i
                let (field, wire) = try tag(&i, end)
                if field == 1, wire == 2 {
                    let n = values.count
                    let (s, e) = try body(&i, end, "values[\(n)]")
                    do throws(Fault) {
                        values.append(try keyValue(s, e, level: level + 1))
                    } catch {
                        throw error.under("values[\(n)]")
                    }
                } else {
                    try skip(field, wire, at, &i, end, level: level)
                }
            }
        }

        /// One Link's payload, read as `OTLPDecoder.links(inUnknownFieldsOf:)` read it with its
        /// `WireReader`: trace_id = 1, span_id = 2, attributes = 4 when length-delimited, other
        /// fields skipped without checking their tags; `nil` (the link left out) when the
        /// payload does not walk (a truncated field, a group, wire type 6 or 7). An attribute is
        /// decoded on its own, as a whole KeyValue message, and left out if that fails.
        func link(_ start: Int, _ end: Int) -> ([UInt8], [UInt8], Attributes)? {
            var trace: [UInt8] = [], spanID: [UInt8] = [], attributes: Attributes = []
            var i = start
            while i < end {
                guard let key = Self.varint(b, &i, end) else { return nil }
                switch key & 7 {
                case 0:
                    guard Self.varint(b, &i, end) != nil else { return nil }
                case 1:
                    guard end - i >= 8 else { return nil }
                    i += 8
                case 5:
                    guard end - i >= 4 else { return nil }
                    i += 4
                case 2:
                    guard let length = Self.varint(b, &i, end), length <= UInt64(end - i) else { return nil }
                    let s = i, e = i + Int(length)
                    i = e
                    switch key >> 3 {
                    case 1: trace = array(s..<e)
                    case 2: spanID = array(s..<e)
                    case 4:
                        // `Tracejoin_Otlp_KeyValue(serializedBytes:)`: a message of its own, the
                        // first level of its own depth count.
                        do throws(Fault) {
                            attributes.append(try keyValue(s, e, level: 1))
                        } catch {}
                    default: break
                    }
                default:
                    return nil
                }
            }
            return (trace, spanID, attributes)
        }

        // MARK: Fields

        /// Fails when a message is nested deeper than swift-protobuf allows.
        @inline(__always)
        func enter(_ level: Int, _ start: Int) throws(Fault) {
            guard level <= OTLPWireDecoder.depthLimit else {
                throw Fault(offset: start, "nested more than \(OTLPWireDecoder.depthLimit) messages deep")
            }
        }

        /// A field's tag, read as swift-protobuf's `BinaryDecoder.nextFieldNumber` reads it: at
        /// most 5 bytes (the fifth at most 15), a wire type of 0–5 but not 4 (an end of group
        /// outside a group), a field number other than 0. `i < end` on entry.
        @inline(__always)
        func tag(_ i: inout Int, _ end: Int) throws(Fault) -> (Int, UInt8) {
            let at = i
            let c0 = b[i]
            let wire = c0 & 7
            guard wire <= 5 else { throw Fault(offset: at, "wire type \(wire) is not valid") }
            var field: Int
            if c0 < 0x80 {
                field = Int(c0) >> 3
                i += 1
            } else {
                func overlong() -> Fault { Fault(offset: at, "truncated or overlong field tag") }
                field = Int(c0 & 0x7f) >> 3
                guard end - at >= 2 else { throw overlong() }
                let c1 = b[at + 1]
                field |= Int(c1 & 0x7f) << 4
                if c1 < 0x80 {
                    i += 2
                } else {
                    guard end - at >= 3 else { throw overlong() }
                    let c2 = b[at + 2]
                    field |= Int(c2 & 0x7f) << 11
                    if c2 < 0x80 {
                        i += 3
                    } else {
                        guard end - at >= 4 else { throw overlong() }
                        let c3 = b[at + 3]
                        field |= Int(c3 & 0x7f) << 18
                        if c3 < 0x80 {
                            i += 4
                        } else {
                            guard end - at >= 5 else { throw overlong() }
                            let c4 = b[at + 4]
                            guard c4 <= 15 else { throw overlong() }
                            field |= Int(c4) << 25
                            i += 5
                        }
                    }
                }
            }
            guard field != 0 else { throw Fault(offset: at, "invalid field number 0") }
            guard wire != 4 else { throw Fault("field \(field)", offset: at, "end of a group that was not started") }
            return (field, wire)
        }

        /// Skips a field not read (unknown, or of another wire type than its number's), as
        /// swift-protobuf's `skipOver` does: a group to its matching end, one level deeper.
        /// `at` is where its tag starts, `i` just after the tag.
        func skip(_ field: Int, _ wire: UInt8, _ at: Int, _ i: inout Int, _ end: Int, level: Int) throws(Fault) {
            func name() -> String { "field \(field)" }
            switch wire {
            case 0:
                guard Self.varint(b, &i, end) != nil else { throw Fault(name(), offset: at, "truncated or overlong varint") }
            case 1, 5:
                let size = wire == 1 ? 8 : 4
                guard end - i >= size else { throw Fault(name(), offset: at, "\(size)-byte value runs past the end (\(end - i) bytes left)") }
                i += size
            case 2:
                let lengthAt = i
                guard let length = Self.varint(b, &i, end) else { throw Fault(name(), offset: lengthAt, "truncated or overlong length") }
                guard length <= UInt64(end - i) else {
                    throw Fault(name(), offset: lengthAt, "length \(length) runs past the end of its message (\(end - i) bytes left)")
                }
                i += Int(length)
            case 3:
                guard level + 1 <= OTLPWireDecoder.depthLimit else {
                    throw Fault(name(), offset: at, "nested more than \(OTLPWireDecoder.depthLimit) messages deep")
                }
                while true {
                    guard i < end else { throw Fault(name(), offset: at, "group does not end before its message does") }
                    // Tags inside a group are read as any varint below 2^32 (swift-protobuf's
                    // `getTagWithoutUpdatingFieldStart`), not with the 5-byte limit above.
                    let innerAt = i
                    guard let t = Self.varint(b, &i, end), t < UInt64(UInt32.max), t >> 3 != 0, t & 7 <= 5 else {
                        throw Fault(name(), offset: innerAt, "invalid tag in a group")
                    }
                    let innerField = Int(t >> 3), innerWire = UInt8(t & 7)
                    if innerWire == 4 {
                        guard innerField == field else { throw Fault(name(), offset: innerAt, "group ends with field \(innerField)") }
                        return
                    }
                    do throws(Fault) {
                        try skip(innerField, innerWire, innerAt, &i, end, level: level + 1)
                    } catch {
                        throw error.under(name())
                    }
                }
            default:
                throw Fault(name(), offset: at, "wire type \(wire) is not valid here")
            }
        }

        /// A length-delimited field's bounds (swift-protobuf's `getFieldBodyBytes`: under 2 GiB
        /// and within the enclosing message). `i` is just after the tag; on return, after the field.
        @inline(__always)
        func body(_ i: inout Int, _ end: Int, _ name: @autoclosure () -> String) throws(Fault) -> (Int, Int) {
            let lengthAt = i
            guard let length = Self.varint(b, &i, end) else { throw Fault(name(), offset: lengthAt, "truncated or overlong length") }
            guard length < 0x7fff_ffff, length <= UInt64(end - i) else {
                throw Fault(name(), offset: lengthAt, "length \(length) runs past the end of its message (\(end - i) bytes left)")
            }
            let start = i
            i += Int(length)
            return (start, i)
        }

        @inline(__always)
        func bytes(_ i: inout Int, _ end: Int, _ name: @autoclosure () -> String) throws(Fault) -> Range<Int> {
            let (s, e) = try body(&i, end, name())
            return s..<e
        }

        /// A string field, which must be UTF-8 (swift-protobuf refuses the message otherwise).
        @inline(__always)
        func string(_ i: inout Int, _ end: Int, _ name: @autoclosure () -> String) throws(Fault) -> String {
            let (s, e) = try body(&i, end, name())
            let raw = UnsafeRawBufferPointer(rebasing: b[s..<e])
            var ascii = true
            for byte in raw where byte >= 0x80 {
                ascii = false
                break
            }
            if ascii { return String(decoding: raw, as: UTF8.self) }
            guard let text = String(validating: raw, as: UTF8.self) else { throw Fault(name(), offset: s, "string is not valid UTF-8") }
            return text
        }

        @inline(__always)
        func varint(_ i: inout Int, _ end: Int, _ name: @autoclosure () -> String) throws(Fault) -> UInt64 {
            let at = i
            guard let v = Self.varint(b, &i, end) else { throw Fault(name(), offset: at, "truncated or overlong varint") }
            return v
        }

        /// An enum (proto3, open): the varint's low 32 bits as a signed number.
        @inline(__always)
        func enumValue(_ i: inout Int, _ end: Int, _ name: @autoclosure () -> String) throws(Fault) -> Int {
            Int(Int32(truncatingIfNeeded: try varint(&i, end, name())))
        }

        @inline(__always)
        func fixed64(_ i: inout Int, _ end: Int, _ name: @autoclosure () -> String) throws(Fault) -> UInt64 {
            guard end - i >= 8 else { throw Fault(name(), offset: i, "8-byte value runs past the end (\(end - i) bytes left)") }
            let v = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
            return v
        }

        @inline(__always)
        func array(_ range: Range<Int>) -> [UInt8] {
            range.isEmpty ? [] : Array(UnsafeRawBufferPointer(rebasing: b[range]))
        }

        /// A varint of at most 10 bytes (the tenth's high bits dropped, as swift-protobuf and
        /// the old link reader both do); `nil` when it is longer or runs past `end`.
        @inline(__always)
        static func varint(_ b: UnsafeRawBufferPointer, _ i: inout Int, _ end: Int) -> UInt64? {
            guard i < end else { return nil }
            let c0 = b[i]
            i += 1
            if c0 < 0x80 { return UInt64(c0) }
            var value = UInt64(c0 & 0x7f)
            var shift: UInt64 = 7
            while i < end, shift <= 63 {
                let c = b[i]
                i += 1
                value |= UInt64(c & 0x7f) &<< shift
                if c < 0x80 { return value }
                shift += 7
            }
            return nil
        }
    }
}
