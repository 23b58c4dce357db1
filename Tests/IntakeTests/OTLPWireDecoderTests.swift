import Foundation
import Intake
import SwiftProtobuf
import TraceContext
import Testing
import TracejoinModel

/// The wire decoder (`OTLPDecoder.decodeProtobuf`) against swift-protobuf's messages
/// (`OTLPDecoder.decodeProtobufMessages`, what the intake ran before): on every input, both
/// refuse or both give equal spans.
@Suite("OTLP protobuf straight from the bytes")
struct OTLPWireDecoderTests {
    // MARK: Both ways

    enum Outcome {
        case spans([SpanRecord])
        case refused(String)
    }

    static func viaWire(_ bytes: [UInt8]) -> Outcome {
        do throws(OTLPDecoder.Failure) {
            return .spans(try OTLPDecoder.decodeProtobuf(Data(bytes)).map { $0.nanMarked() })
        } catch {
            return .refused(error.message)
        }
    }

    static func viaMessages(_ bytes: [UInt8]) -> Outcome {
        do throws(OTLPDecoder.Failure) {
            return .spans(try OTLPDecoder.decodeProtobufMessages(Data(bytes)).map { $0.nanMarked() })
        } catch {
            return .refused(error.message)
        }
    }

    /// Checks that both ways agree on `bytes`; returns the wire decoder's outcome. A refusal of
    /// the wire format must name a place (`at byte`), and be the message path's own text
    /// whenever that one named a place too (both then come from `ProtobufLocator`).
    @discardableResult
    static func agree(_ bytes: [UInt8], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let wire = viaWire(bytes), messages = viaMessages(bytes)
        switch (wire, messages) {
        case (.spans(let a), .spans(let b)):
            #expect(a.count == b.count, "\(what): \(a.count) spans by the wire, \(b.count) by the messages", sourceLocation: sourceLocation)
            for (index, (x, y)) in zip(a, b).enumerated() where x != y {
                Issue.record("\(what): span \(index) differs\n wire:     \(x)\n messages: \(y)", sourceLocation: sourceLocation)
                break
            }
        case (.refused(let a), .refused(let b)):
            if b.hasPrefix("not an OTLP") {
                #expect(a.hasPrefix("not an OTLP ExportTraceServiceRequest (protobuf): ") && a.contains(" at byte "), "\(what): \(a)",
                        sourceLocation: sourceLocation)
                if b.contains(" at byte ") { #expect(a == b, "\(what)", sourceLocation: sourceLocation) }
            } else {
                #expect(a == b, "\(what)", sourceLocation: sourceLocation)
            }
        case (.spans, .refused(let b)):
            Issue.record("\(what): the wire decoder accepted what the messages refuse (\(b))", sourceLocation: sourceLocation)
        case (.refused(let a), .spans):
            Issue.record("\(what): the wire decoder refused what the messages accept (\(a))", sourceLocation: sourceLocation)
        }
        return wire
    }

    static func spans(_ outcome: Outcome) -> [SpanRecord]? {
        if case .spans(let s) = outcome { return s }
        return nil
    }

    // MARK: Requests built with the generated messages

    @Test func everyKindOfAttributeEventLinkAndStatus() throws {
        var g = Generator(seed: 1)
        var request = Tracejoin_Otlp_ExportTraceServiceRequest()
        var rs = Tracejoin_Otlp_ResourceSpans()
        rs.resource.attributes = [kv("service.name", .string("checkout")), kv("host.name", .string("web-1")), kv("pid", .int(42))]
        var scope = Tracejoin_Otlp_ScopeSpans()
        scope.scope.name = "io.opentelemetry.x"
        scope.scope.version = "1.2"
        var span = Tracejoin_Otlp_Span()
        span.traceID = Data([0x45, 0x7d, 0xcf, 0x6a, 0xef, 0x3b, 0x9e, 0x38, 0x7c, 0x51, 0x51, 0xce, 0x8d, 0x6c, 0x29, 0x02])
        span.spanID = Data([0xce, 0x3a, 0x6d, 0x2c, 0xb6, 0x15, 0xfa, 0xc0])
        span.parentSpanID = Data([0, 0, 0, 0, 0, 0, 0, 7])
        span.name = "GET /cart"
        span.kind = .server
        span.startTimeUnixNano = 1_764_000_000_123_456_789
        span.endTimeUnixNano = 1_764_000_000_125_456_789
        span.traceState = "rojo=00f067aa0ba902b7"
        span.flags = 0x301
        span.attributes = [
            kv("http.route", .string("/cart")), kv("http.status_code", .int(500)), kv("ratio", .double(0.25)), kv("cached", .bool(true)),
            kv("blob", .bytes([0, 1, 2, 0xff])), kv("empty", nil),
            kv("list", .array([.string("a"), .int(-1), .bool(false), .double(1.5), .array([.string("deep")])])),
            kv("map", .kvlist([("k", .string("v")), ("n", .int(Int64.min)), ("inner", .kvlist([("x", .bytes([9]))]))])),
            kv("resource.name", .string("cart")),
        ]
        var event = Tracejoin_Otlp_Span.Event()
        event.timeUnixNano = 1_764_000_000_124_000_000
        event.name = "exception"
        event.attributes = [kv("exception.type", .string("Boom")), kv("exception.escaped", .bool(false))]
        span.events = [event, Tracejoin_Otlp_Span.Event()]
        span.status.code = .error
        span.status.message = "boom"
        // Links are not in the generated message: written by hand into its unknown fields.
        var links = Wire()
        links.field(13, bytes: wire { l in
            l.field(1, bytes: Array(repeating: 0x11, count: 16))
            l.field(2, bytes: Array(repeating: 0x22, count: 8))
            l.field(3, bytes: Array("k=v".utf8))
            l.field(4, bytes: serialized(kv("link.kind", .string("follows"))))
            l.field(4, bytes: serialized(kv("link.n", .int(3))))
            l.field(5, varint: 1)
            l.field(6, fixed32: 1)
        })
        links.field(13, bytes: wire { l in  // an unusable ID: left out
            l.field(1, bytes: Array(repeating: 0, count: 16))
            l.field(2, bytes: Array(repeating: 0x22, count: 8))
        })
        span = try withUnknown(span, links.bytes)
        scope.spans = [span]
        rs.scopeSpans = [scope]
        request.resourceSpans = [rs, g.resourceSpans(careless: false)]

        let bytes = Array(try request.serializedData())
        let decoded = try #require(Self.spans(Self.agree(bytes, "a request with every kind of field")))
        let s = try #require(decoded.first)
        #expect(s.traceID == TraceID(high: 0x457d_cf6a_ef3b_9e38, low: 0x7c51_51ce_8d6c_2902) && s.spanID == SpanID(0xce3a_6d2c_b615_fac0))
        #expect(s.parentID == SpanID(7) && s.service == "checkout" && s.name == "GET /cart" && s.resource == "cart")
        #expect(s.start == 1_764_000_000_123_456_789 && s.duration == 2_000_000 && s.error)
        #expect(s.meta["otel.status_description"] == "boom" && s.meta["span.kind"] == "server" && s.meta["resource.host.name"] == "web-1")
        #expect(s.metrics["http.status_code"] == 500 && s.metrics["ratio"] == 0.25 && s.metrics["resource.pid"] == 42)
        #expect(s.meta["list"] == "[a,-1,false,1.5,[deep]]" && s.meta["map"] == "{k=v,n=-9223372036854775808,inner={x=CQ==}}")
        #expect(s.meta["blob"] == "AAEC/w==" && s.meta["empty"] == "" && s.meta["cached"] == "true")
        #expect(s.details.typed.contains(SpanAttribute("blob", .string("AAEC/w=="), isBinary: true)))
        #expect(s.details.typed.contains(SpanAttribute("http.status_code", .integer(500))))
        #expect(s.details.resource.map(\.key) == ["service.name", "host.name", "pid"])
        #expect(s.details.events.count == 2 && s.details.events[0].name == "exception" && s.details.events[0].attributes.count == 2)
        #expect(s.details.links == [SpanDetails.Link(traceID: TraceID(high: 0x1111_1111_1111_1111, low: 0x1111_1111_1111_1111), spanID: SpanID(0x2222_2222_2222_2222),
                                                     attributes: [SpanAttribute("link.kind", .string("follows")), SpanAttribute("link.n", .integer(3))])])
    }

    /// 500 seeded random requests: several resources and scopes, every attribute type nested
    /// a few deep, events, links with attributes, statuses, unknown fields of every wire type,
    /// and in some requests IDs of the wrong size or all zeros (refused by both alike).
    @Test func randomRequestsDecodeAlike() throws {
        var accepted = 0
        for seed in 0..<500 {
            var g = Generator(seed: UInt64(seed))
            let bytes = Array(try g.request().serializedData())
            if Self.spans(Self.agree(bytes, "seed \(seed)")) != nil { accepted += 1 }
        }
        #expect(accepted > 250, "only \(accepted) of 500 random requests were accepted: the generator is too careless")
    }

    /// The same requests with bytes changed (flipped, dropped, inserted, a chunk repeated):
    /// most become malformed; whatever they become, both ways must agree.
    @Test func mutatedRequestsDecodeAlike() throws {
        for seed in 0..<300 {
            var g = Generator(seed: UInt64(seed) &+ 10_000)
            let original = Array(try g.request().serializedData())
            guard !original.isEmpty else { continue }
            for round in 0..<8 {
                var bytes = original
                for _ in 0...g.int(0...2) {
                    let at = g.int(0...(bytes.count - 1))
                    switch g.int(0...4) {
                    case 0: bytes[at] ^= UInt8(1 << g.int(0...7))
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(UInt8.random(in: 0...255, using: &g.rng), at: at)
                    case 3: bytes[at] = [0x00, 0x7f, 0x80, 0xff, 0x0b, 0x0c, 0x03, 0x04][g.int(0...7)]
                    default:
                        let end = min(bytes.count, at + g.int(1...24))
                        bytes.insert(contentsOf: bytes[at..<end], at: at)
                    }
                    if bytes.isEmpty { break }
                }
                Self.agree(bytes, "seed \(seed), mutation \(round)")
            }
        }
    }

    /// Cut at every byte: never a trap; refused by both, or (cut between whole fields) the
    /// same shorter request for both.
    @Test func truncatedAtEveryOffset() throws {
        var g = Generator(seed: 7)
        var request = g.request()
        request.resourceSpans.append(g.resourceSpans(careless: false))
        let bytes = Array(try request.serializedData())
        var refused = 0
        for cut in 0..<bytes.count {
            if case .refused = Self.agree(Array(bytes[..<cut]), "cut at \(cut) of \(bytes.count)") { refused += 1 }
        }
        #expect(refused > bytes.count / 2)
    }

    // MARK: Wire details the generated messages never write

    /// A request written by hand, optionally with unknown fields of every wire type (varint,
    /// fixed64, length-delimited, fixed32, a group with fields inside) in every message.
    static func handRequest(noise: Bool) -> [UInt8] {
        // A group among a span's unknown fields stops the reading of its links (see
        // linksAreReadAsTheUnknownFieldReaderReadThem): before the span's link, none.
        func n(_ w: inout Wire, groups: Bool = true) {
            guard noise else { return }
            w.field(1000, varint: 300)
            w.field(1001, fixed64: 0xdead_beef)
            w.field(1002, bytes: [1, 2, 3])
            w.field(1003, fixed32: 7)
            guard groups else { return }
            w.group(1004) { g in
                g.field(1, varint: 1)
                g.field(2, bytes: [0xff])
                g.group(3) { $0.field(1, fixed64: 1) }
            }
        }
        func anyString(_ s: String) -> [UInt8] { wire { w in n(&w); w.field(1, bytes: Array(s.utf8)); n(&w) } }
        func keyValue(_ key: String, _ value: [UInt8]) -> [UInt8] { wire { w in n(&w); w.field(1, bytes: Array(key.utf8)); w.field(2, bytes: value); n(&w) } }
        let array = wire { w in n(&w); w.field(5, bytes: wire { a in n(&a); a.field(1, bytes: anyString("x")); n(&a); a.field(1, bytes: anyString("y")) }) }
        let kvlist = wire { w in w.field(6, bytes: wire { l in n(&l); l.field(1, bytes: keyValue("k", anyString("v"))); n(&l) }) }
        let span = wire { s in
            n(&s, groups: false)
            s.field(1, bytes: Array(repeating: 0xab, count: 16))
            s.field(2, bytes: Array(repeating: 0xcd, count: 8))
            n(&s, groups: false)
            s.field(5, bytes: Array("op".utf8))
            s.field(6, varint: 3)
            s.field(7, fixed64: 1_000)
            s.field(8, fixed64: 3_000)
            s.field(9, bytes: keyValue("a", array))
            s.field(9, bytes: keyValue("m", kvlist))
            s.field(10, varint: 2)  // dropped_attributes_count
            s.field(11, bytes: wire { e in n(&e); e.field(1, fixed64: 2_000); e.field(2, bytes: Array("ev".utf8)); e.field(4, varint: 1); n(&e) })
            s.field(12, varint: 0)  // dropped_events_count
            s.field(13, bytes: wire { l in
                l.field(1, bytes: Array(repeating: 0x01, count: 16))
                l.field(2, bytes: Array(repeating: 0x02, count: 8))
                l.field(4, bytes: keyValue("lk", anyString("lv")))
            })
            s.field(14, varint: 0)  // dropped_links_count
            s.field(15, bytes: wire { st in n(&st); st.field(2, bytes: Array("bad".utf8)); st.field(3, varint: 2); n(&st) })
            s.field(16, fixed32: 1)
            n(&s)
        }
        let resource = wire { r in n(&r); r.field(1, bytes: keyValue("service.name", anyString("svc"))); r.field(2, varint: 0); n(&r) }
        let scopeSpans = wire { ss in
            n(&ss)
            ss.field(1, bytes: wire { sc in sc.field(1, bytes: Array("lib".utf8)); n(&sc); sc.field(2, bytes: Array("1".utf8)) })
            ss.field(2, bytes: span)
            ss.field(3, bytes: Array("https://schema".utf8))  // schema_url
            n(&ss)
        }
        return wire { req in
            n(&req)
            req.field(1, bytes: wire { rs in n(&rs); rs.field(1, bytes: resource); rs.field(2, bytes: scopeSpans); rs.field(3, bytes: []); n(&rs) })
            n(&req)
        }
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let plain = try #require(Self.spans(Self.agree(Self.handRequest(noise: false), "without unknown fields")))
        let noisy = try #require(Self.spans(Self.agree(Self.handRequest(noise: true), "with unknown fields")))
        #expect(plain == noisy)
        let s = try #require(noisy.first)
        #expect(s.service == "svc" && s.name == "op" && s.meta["span.kind"] == "client" && s.error && s.meta["otel.status_description"] == "bad")
        #expect(s.meta["a"] == "[x,y]" && s.meta["m"] == "{k=v}" && s.details.events.map(\.name) == ["ev"])
        #expect(s.details.links.count == 1 && s.details.links.first?.attributes == [SpanAttribute("lk", .string("lv"))])
    }

    /// A field given twice: the last scalar wins, messages merge (a second resource adds its
    /// attributes to every span of its ResourceSpans, even spans before it; a second status
    /// sets only what it carries; arrays of the same value append), a oneof takes the later.
    @Test func repeatedFieldsMergeAsSwiftProtobufMergesThem() throws {
        func value(_ build: (inout Wire) -> Void) -> [UInt8] { wire(build) }
        func keyValue(_ key: String, _ values: [[UInt8]]) -> [UInt8] {
            wire { w in
                w.field(1, bytes: Array(key.utf8))
                for v in values { w.field(2, bytes: v) }
            }
        }
        let span = wire { s in
            s.field(1, bytes: Array(repeating: 0x01, count: 16))
            s.field(1, bytes: Array(repeating: 0x03, count: 16))
            s.field(2, bytes: Array(repeating: 0x02, count: 8))
            s.field(5, bytes: Array("first".utf8))
            s.field(5, bytes: Array("second".utf8))
            s.field(15, bytes: wire { $0.field(2, bytes: Array("message".utf8)); $0.field(3, varint: 2) })
            s.field(15, bytes: wire { $0.field(3, varint: 1) })
            s.field(9, bytes: keyValue("appended", [value { $0.field(5, bytes: wire { $0.field(1, bytes: value { $0.field(3, varint: 1) }) }) },
                                                    value { $0.field(5, bytes: wire { $0.field(1, bytes: value { $0.field(3, varint: 2) }) }) }]))
            s.field(9, bytes: keyValue("replaced", [value { $0.field(1, bytes: Array("text".utf8)) }, value { $0.field(2, varint: 7) }]))
            s.field(9, bytes: keyValue("oneof", [value { $0.field(1, bytes: Array("text".utf8)); $0.field(3, varint: UInt64(bitPattern: -5)) }]))
            s.field(9, bytes: keyValue("then array", [value { $0.field(6, bytes: []) }, value { $0.field(5, bytes: []) }]))
            s.field(6, varint: 0x1_0000_0002)  // an enum is the low 32 bits: server
        }
        let resourceSpans = wire { rs in
            rs.field(1, bytes: wire { $0.field(1, bytes: keyValue("service.name", [value { $0.field(1, bytes: Array("svc".utf8)) }])) })
            rs.field(2, bytes: wire { $0.field(2, bytes: span) })
            rs.field(1, bytes: wire { $0.field(1, bytes: keyValue("late", [value { $0.field(1, bytes: Array("yes".utf8)) }])) })
        }
        let bytes = wire { $0.field(1, bytes: resourceSpans) }
        let s = try #require(Self.spans(Self.agree(bytes, "fields given twice"))?.first)
        #expect(s.traceID == TraceID(high: 0x0303_0303_0303_0303, low: 0x0303_0303_0303_0303) && s.name == "second")
        #expect(s.meta["otel.status_description"] == "message" && !s.error)
        #expect(s.meta["appended"] == "[1,2]" && s.meta["replaced"] == "true" && s.metrics["oneof"] == -5 && s.meta["then array"] == "[]")
        #expect(s.meta["resource.late"] == "yes" && s.service == "svc" && s.meta["span.kind"] == "server")
    }

    /// Links as the message path read them from the unknown fields: a malformed link is left
    /// out, an attribute that does not decode is left out, and links after a group are not read.
    @Test func linksAreReadAsTheUnknownFieldReaderReadThem() throws {
        func link(_ n: UInt8, attribute: [UInt8]? = nil) -> [UInt8] {
            wire { l in
                l.field(1, bytes: Array(repeating: n, count: 16))
                l.field(2, bytes: Array(repeating: n, count: 8))
                if let attribute { l.field(4, bytes: attribute) }
            }
        }
        let badKey = wire { $0.field(1, bytes: [0xff, 0xfe]) }  // a key that is not UTF-8
        let span = wire { s in
            s.field(1, bytes: Array(repeating: 0x09, count: 16))
            s.field(2, bytes: Array(repeating: 0x09, count: 8))
            s.field(13, bytes: link(1))
            s.field(13, bytes: link(2) + [0x0a, 0x05, 0x01])  // ends inside a field: left out
            s.field(13, bytes: link(3, attribute: badKey))  // kept, without the attribute
            s.field(13, varint: 4)  // not length-delimited: not a link
            s.group(20) { $0.field(1, varint: 1) }
            s.field(13, bytes: link(5))  // after a group: not read
        }
        let bytes = wire { $0.field(1, bytes: wire { $0.field(2, bytes: wire { $0.field(2, bytes: span) }) }) }
        let s = try #require(Self.spans(Self.agree(bytes, "odd links"))?.first)
        #expect(s.details.links.map(\.spanID) == [SpanID(0x0101_0101_0101_0101), SpanID(0x0303_0303_0303_0303)])
        #expect(s.details.links.allSatisfy { $0.attributes.isEmpty })
    }

    /// swift-protobuf's depth limit, 100 messages counting the request: AnyValue arrays nested
    /// 47 deep reach it (the span's KeyValue is 5 deep, its AnyValue 6, each array 2 more), 48 pass it.
    @Test(arguments: [46, 47, 48, 49])
    func nestingIsBoundedAsSwiftProtobufBoundsIt(_ arrays: Int) throws {
        var value = wire { $0.field(1, bytes: Array("leaf".utf8)) }
        for _ in 0..<arrays { value = wire { [value] w in w.field(5, bytes: wire { $0.field(1, bytes: value) }) } }
        let span = wire { s in
            s.field(1, bytes: Array(repeating: 0x09, count: 16))
            s.field(2, bytes: Array(repeating: 0x09, count: 8))
            s.field(9, bytes: wire { $0.field(1, bytes: Array("deep".utf8)); $0.field(2, bytes: value) })
        }
        let bytes = wire { $0.field(1, bytes: wire { $0.field(2, bytes: wire { $0.field(2, bytes: span) }) }) }
        let outcome = Self.agree(bytes, "\(arrays) arrays deep")
        #expect((Self.spans(outcome) != nil) == (arrays <= 47), "\(arrays) arrays deep")
    }

    /// Groups nested in an unknown field count toward the same limit.
    @Test(arguments: [90, 96, 97, 120])
    func nestedGroupsAreBounded(_ depth: Int) throws {
        var group = Wire()
        func nest(_ w: inout Wire, _ left: Int) {
            guard left > 0 else { return w.field(1, varint: 1) }
            w.group(7) { nest(&$0, left - 1) }
        }
        nest(&group, depth)
        let span = wire { s in
            s.field(1, bytes: Array(repeating: 0x09, count: 16))
            s.field(2, bytes: Array(repeating: 0x09, count: 8))
            s.bytes += group.bytes
        }
        let bytes = wire { $0.field(1, bytes: wire { $0.field(2, bytes: wire { $0.field(2, bytes: span) }) }) }
        Self.agree(bytes, "groups \(depth) deep")
    }

    static let malformed: [(String, [UInt8])] = [
        ("an 11-byte varint", [UInt8(0x30)] + [UInt8](repeating: 0xff, count: 10) + [UInt8(0x01)]),  // kind
        ("wire type 6", [0x2e, 0x00]),
        ("wire type 7", [0x2f, 0x00]),
        ("field number 0", [0x02, 0x00]),
        ("an end of group never started", [0x2c]),
        ("a group that does not end", [0xa3, 0x01, 0x08, 0x01]),
        ("a group ended by another field", [0xa3, 0x01, 0xac, 0x02]),
        ("a fixed64 cut short", [0x39, 1, 2, 3]),
        ("a fixed32 cut short", [0x85, 0x01, 1, 2]),
        ("a length past the end", [0x2a, 0x05, 0x61]),
        ("a 6-byte tag", [0xaa, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00]),
        ("a string that is not UTF-8", [0x2a, 0x02, 0xc3, 0x28]),
        ("a surrogate in a string", [0x2a, 0x03, 0xed, 0xa0, 0x80]),
    ]

    @Test(arguments: Self.malformed)
    func malformedSpansAreRefusedByBoth(_ what: String, _ spanField: [UInt8]) throws {
        let span: [UInt8] = [0x0a, 16] + [UInt8](repeating: 0x09, count: 16) + [0x12, 8] + [UInt8](repeating: 0x09, count: 8) + spanField
        let bytes = wire { $0.field(1, bytes: wire { $0.field(2, bytes: wire { $0.field(2, bytes: span) }) }) }
        guard case .refused(let message) = Self.agree(bytes, what) else {
            Issue.record("\(what): accepted")
            return
        }
        #expect(message.contains("resource_spans[0].scope_spans[0].spans[0]"), "\(what): \(message)")
    }

    /// When `ProtobufLocator` sees nothing wrong (it reads tags of any length), the wire
    /// decoder's own place is given, in the same form.
    @Test func aPlaceIsNamedWhereTheLocatorSeesNone() {
        let span: [UInt8] = [0xaa, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00]  // field 5 in a 6-byte tag
        let bytes = wire { $0.field(1, bytes: wire { $0.field(2, bytes: wire { $0.field(2, bytes: span) }) }) }
        guard case .refused(let message) = Self.agree(bytes, "a 6-byte tag") else {
            Issue.record("accepted")
            return
        }
        #expect(message == "not an OTLP ExportTraceServiceRequest (protobuf): resource_spans[0].scope_spans[0].spans[0] at byte 6: truncated or overlong field tag")
    }

    @Test func theDecoderTakesRawBytes() throws {
        let bytes = Self.handRequest(noise: true)
        let direct = try bytes.withUnsafeBytes { raw throws(OTLPDecoder.Failure) in try OTLPWireDecoder.decode(raw) }
        let reference = try OTLPDecoder.decodeProtobufMessages(Data(bytes))
        #expect(direct == reference)
        let empty = try OTLPDecoder.decodeProtobuf(Data())
        #expect(empty.isEmpty)
    }
}

// MARK: - Helpers

/// Protobuf's wire format written by hand: what the generated messages never write (links,
/// unknown fields, groups, fields twice, broken bytes).
struct Wire {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func field(_ field: Int, varint value: UInt64) {
        tag(field, 0)
        varint(value)
    }

    mutating func field(_ field: Int, fixed64 value: UInt64) {
        tag(field, 1)
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }

    mutating func field(_ field: Int, fixed32 value: UInt32) {
        tag(field, 5)
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }

    mutating func field(_ field: Int, bytes payload: [UInt8]) {
        tag(field, 2)
        varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func group(_ field: Int, _ body: (inout Wire) -> Void) {
        tag(field, 3)
        body(&self)
        tag(field, 4)
    }
}

func wire(_ build: (inout Wire) -> Void) -> [UInt8] {
    var w = Wire()
    build(&w)
    return w.bytes
}

/// An attribute value for the generated messages.
indirect enum TestValue {
    case string(String), bool(Bool), int(Int64), double(Double), bytes([UInt8])
    case array([TestValue]), kvlist([(String, TestValue)])
}

func anyValue(_ v: TestValue?) -> Tracejoin_Otlp_AnyValue {
    var a = Tracejoin_Otlp_AnyValue()
    switch v {
    case nil: break
    case .string(let s)?: a.stringValue = s
    case .bool(let b)?: a.boolValue = b
    case .int(let i)?: a.intValue = i
    case .double(let d)?: a.doubleValue = d
    case .bytes(let b)?: a.bytesValue = Data(b)
    case .array(let values)?:
        var array = Tracejoin_Otlp_ArrayValue()
        array.values = values.map { anyValue($0) }
        a.arrayValue = array
    case .kvlist(let pairs)?:
        var list = Tracejoin_Otlp_KeyValueList()
        list.values = pairs.map { kv($0.0, $0.1) }
        a.kvlistValue = list
    }
    return a
}

/// A KeyValue; `nil` leaves its value unset (an empty AnyValue).
func kv(_ key: String, _ value: TestValue?) -> Tracejoin_Otlp_KeyValue {
    var pair = Tracejoin_Otlp_KeyValue()
    pair.key = key
    if let value { pair.value = anyValue(value) }
    return pair
}

func serialized(_ pair: Tracejoin_Otlp_KeyValue) -> [UInt8] {
    (try? Array(pair.serializedData())) ?? []
}

/// The span with `extra` bytes (links, unknown fields) kept among its unknown fields, which
/// swift-protobuf writes back when the request is serialized.
func withUnknown(_ span: Tracejoin_Otlp_Span, _ extra: [UInt8]) throws -> Tracejoin_Otlp_Span {
    try Tracejoin_Otlp_Span(serializedBytes: Array(span.serializedData()) + extra)
}

struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random requests through the generated messages, links and unknown fields by hand.
struct Generator {
    var rng: TestRNG

    init(seed: UInt64) { rng = TestRNG(state: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...(choices.count - 1))] }

    mutating func text() -> String {
        pick(["", "GET /", "checkout", "db.query", "ünïcødé ✓", "a\"b\\c\n", "日本語", "🙂", "resource.name", String(repeating: "x", count: 200)])
    }

    mutating func key() -> String {
        pick(["http.route", "http.status_code", "service.name", "resource.name", "operation.name", "span.type", "k", "", "ключ", "ratio", "flag"])
    }

    mutating func value(depth: Int) -> TestValue? {
        switch int(0...(depth > 0 ? 8 : 6)) {
        case 0: return nil
        case 1: return .string(text())
        case 2: return .bool(chance(0.5))
        case 3:
            let random = Int64.random(in: .min ... .max, using: &rng)
            return .int(pick([0, 1, -1, Int64.min, Int64.max, random]))
        case 4:
            let random = Double.random(in: -1e9...1e9, using: &rng)
            return .double(pick([0, -0.0, 1.5, -2.25e-300, .infinity, -.infinity, .nan, 1e300, random]))
        case 5: return .bytes(bytes(int(0...6)))
        case 6: return .string(key())
        case 7: return .array((0..<int(0...3)).map { _ in value(depth: depth - 1) ?? .string("") })
        default: return .kvlist((0..<int(0...3)).map { _ in (key(), value(depth: depth - 1) ?? .bool(true)) })
        }
    }

    mutating func attributes(_ most: Int) -> [Tracejoin_Otlp_KeyValue] {
        (0..<int(0...most)).map { _ in
            let k = key()
            return kv(k, value(depth: 3))
        }
    }

    /// An ID of `size` bytes; when careless, now and then empty, all zeros or half its size.
    mutating func id(_ size: Int, careless: Bool) -> [UInt8] {
        if careless, chance(0.1) {
            switch int(0...2) {
            case 0: return []
            case 1: return Array(repeating: 0, count: size)
            default: return bytes(size / 2)
            }
        }
        return bytes(size)
    }

    mutating func span(careless: Bool) throws -> Tracejoin_Otlp_Span {
        var s = Tracejoin_Otlp_Span()
        s.traceID = Data(id(16, careless: careless))
        s.spanID = Data(id(8, careless: careless))
        if chance(0.6) { s.parentSpanID = Data(chance(0.1) ? Array(repeating: 0, count: 8) : bytes(8)) }
        s.name = text()
        s.kind = Tracejoin_Otlp_Span.SpanKind(rawValue: int(0...7))!
        let start = UInt64.random(in: 0...UInt64(Int64.max), using: &rng)
        let late = careless ? chance(0.05) : false
        s.startTimeUnixNano = late ? UInt64(Int64.max) + 1 : start
        s.endTimeUnixNano = chance(0.9) ? start &+ UInt64(int(0...5_000_000)) : start / 2
        if chance(0.3) { s.traceState = text() }
        if chance(0.3) { s.flags = UInt32.random(in: 0...UInt32.max, using: &rng) }
        s.attributes = attributes(6)
        for _ in 0..<int(0...3) {
            var e = Tracejoin_Otlp_Span.Event()
            let lateEvent = careless ? chance(0.05) : false
            e.timeUnixNano = lateEvent ? UInt64.max : UInt64.random(in: 0...UInt64(Int64.max), using: &rng)
            e.name = text()
            e.attributes = attributes(3)
            s.events.append(e)
        }
        if chance(0.6) {
            s.status.code = Tracejoin_Otlp_Status.StatusCode(rawValue: int(0...3))!
            if chance(0.5) { s.status.message = text() }
        }
        var extra = Wire()
        for _ in 0..<int(0...2) {
            let linkAttributes = attributes(2)
            let trace = id(16, careless: true), spanID = id(8, careless: true)
            let withState = chance(0.3), state = text()
            extra.field(13, bytes: wire { l in
                l.field(1, bytes: trace)
                l.field(2, bytes: spanID)
                if withState { l.field(3, bytes: Array(state.utf8)) }
                for a in linkAttributes { l.field(4, bytes: serialized(a)) }
            })
        }
        if chance(0.3) { extra.field(10, varint: UInt64(int(0...5))) }  // dropped_attributes_count
        if chance(0.2) { extra.field(12, varint: UInt64(int(0...5))) }  // dropped_events_count
        if chance(0.2) { extra.field(14, varint: UInt64(int(0...5))) }  // dropped_links_count
        if chance(0.1) { extra.field(40, fixed64: rng.next()) }
        if chance(0.1) { extra.field(41, bytes: bytes(int(0...4))) }
        if chance(0.1) { extra.field(42, fixed32: UInt32(truncatingIfNeeded: rng.next())) }
        if chance(0.05) { extra.group(43) { $0.field(1, varint: 1) } }
        if extra.bytes.isEmpty { return s }
        return try withUnknown(s, extra.bytes)
    }

    mutating func resourceSpans(careless: Bool) -> Tracejoin_Otlp_ResourceSpans {
        var rs = Tracejoin_Otlp_ResourceSpans()
        if chance(0.8) {
            rs.resource.attributes = attributes(4)
            if chance(0.7) { rs.resource.attributes.insert(kv("service.name", chance(0.9) ? .string(text()) : value(depth: 2)), at: 0) }
        }
        for _ in 0..<int(0...2) {
            var scope = Tracejoin_Otlp_ScopeSpans()
            if chance(0.7) {
                scope.scope.name = text()
                scope.scope.version = chance(0.5) ? "1.0" : ""
            }
            for _ in 0..<int(0...4) {
                if let s = try? span(careless: careless) { scope.spans.append(s) }
            }
            rs.scopeSpans.append(scope)
        }
        return rs
    }

    mutating func request() -> Tracejoin_Otlp_ExportTraceServiceRequest {
        var request = Tracejoin_Otlp_ExportTraceServiceRequest()
        let careless = chance(0.2)
        for _ in 0..<int(0...3) { request.resourceSpans.append(resourceSpans(careless: careless)) }
        return request
    }
}
