import Foundation
import Intake
import SwiftProtobuf
import TraceContext
import Testing

@Suite("OTLP decoding")
struct OTLPDecoderTests {
    static let json = #"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},{"key":"host.name","value":{"stringValue":"web-1"}}]},
          "scopeSpans":[{"scope":{"name":"x"},"spans":[
            {"traceId":"457dcf6aef3b9e387c5151ce8d6c2902","spanId":"ce3a6d2cb615fac0","name":"GET /","kind":2,
             "startTimeUnixNano":"1764000000123456789","endTimeUnixNano":"1764000000125456789",
             "attributes":[{"key":"http.status_code","value":{"intValue":"500"}},{"key":"http.route","value":{"stringValue":"/"}}],
             "status":{"code":"STATUS_CODE_ERROR","message":"boom"}},
            {"traceId":"457DCF6AEF3B9E387C5151CE8D6C2902","spanId":"0000000000000007","parentSpanId":"ce3a6d2cb615fac0","name":"db",
             "startTimeUnixNano":1764000000124000000,"endTimeUnixNano":1764000000124500000}
          ]}]}]}
        """#

    /// A request of `spans` tiny spans under one resource with a `resourceBytes` attribute.
    static func protobuf(spans: Int, resourceBytes: Int) throws -> Data {
        var rs = Tracejoin_Otlp_ResourceSpans()
        var big = Tracejoin_Otlp_KeyValue()
        big.key = "big"
        big.value.stringValue = String(repeating: "r", count: resourceBytes)
        rs.resource.attributes = [big]
        var scope = Tracejoin_Otlp_ScopeSpans()
        scope.spans = (1...spans).map { i in
            var span = Tracejoin_Otlp_Span()
            span.traceID = Data(repeating: 1, count: 16)
            var id = UInt64(i).bigEndian
            span.spanID = Data(bytes: &id, count: 8)
            return span
        }
        rs.scopeSpans = [scope]
        var request = Tracejoin_Otlp_ExportTraceServiceRequest()
        request.resourceSpans = [rs]
        return try request.serializedData()
    }

    /// Each span keeps its resource's attributes: a large resource over many spans is refused
    /// once the copies pass 64 MiB, rather than growing a 2 MB request into gigabytes.
    @Test func resourceCopiesAreBounded() throws {
        // 64 copies of 1 MiB (and its key): over the bound at the 64th span.
        let over = try Self.protobuf(spans: 200, resourceBytes: 1 << 20)
        #expect(over.count < 2 << 20)
        do {
            _ = try OTLPDecoder.decodeProtobuf(over)
            Issue.record("a request copying 200 MiB of resource attributes was accepted")
        } catch {
            #expect(error.message.hasPrefix("span 63: its resource's attributes (1048579 bytes)"), "\(error.message)")
            #expect(error.message.contains("more than 64 MiB"))
        }
        // The message path (the reference) refuses it the same way: the bound is in the mapping.
        #expect(throws: OTLPDecoder.Failure.self) { try OTLPDecoder.decodeProtobufMessages(over) }
        // 63 copies fit, and every span carries the resource.
        let fits = try OTLPDecoder.decodeProtobuf(try Self.protobuf(spans: 63, resourceBytes: 1 << 20))
        #expect(fits.count == 63 && fits.allSatisfy { $0.meta["resource.big"]?.utf8.count == 1 << 20 })
    }

    @Test func jsonWithHexIDsAndStringIntegers() throws {
        let spans = try OTLPDecoder.decodeJSON(Data(Self.json.utf8))
        #expect(spans.count == 2)
        let root = spans[0]
        #expect(root.traceID == TraceID(high: 0x457d_cf6a_ef3b_9e38, low: 0x7c51_51ce_8d6c_2902))
        #expect(root.spanID == SpanID(0xce3a_6d2c_b615_fac0))
        #expect(root.service == "checkout" && root.name == "GET /" && root.resource == "GET /")
        #expect(root.start == 1_764_000_000_123_456_789 && root.duration == 2_000_000)
        #expect(root.error && root.meta["otel.status_description"] == "boom" && root.meta["span.kind"] == "server")
        #expect(root.metrics["http.status_code"] == 500 && root.meta["http.route"] == "/")
        #expect(root.meta["resource.host.name"] == "web-1")
        #expect(spans[1].parentID == root.spanID && spans[1].spanID == SpanID(7))
        #expect(spans.allSatisfy { $0.protocolName == "otlp" })
    }

    @Test(arguments: [
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz","spanId":"0000000000000001"}]}]}]}"#, "traceId 'xyz' is not hex"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"0000000000000001"}]}]}]}"#, "trace_id must be 16 bytes"),
        // A sign is not a hex digit (UInt8(_:radix:) took "+f"; seen while writing the otlp-json fuzz property).
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"+f7dcf6aef3b9e387c5151ce8d6c2902","spanId":"0000000000000001"}]}]}]}"#, "traceId '+f7dcf6aef3b9e387c5151ce8d6c2902' is not hex"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"457dcf6aef3b9e387c5151ce8d6c2902","spanId":"0000000000000000"}]}]}]}"#, "span_id is all zeros"),
        (#"{"resourceSpans": 5}"#, "not OTLP/JSON"),
        ("not json", "not OTLP/JSON"),
    ])
    func badJSON(_ text: String, _ words: String) {
        #expect {
            _ = try OTLPDecoder.decodeJSON(Data(text.utf8))
        } throws: { error in
            ((error as? OTLPDecoder.Failure)?.message ?? "").contains(words)
        }
    }

    @Test func garbageProtobufIsRefused() {
        #expect(throws: OTLPDecoder.Failure.self) { try OTLPDecoder.decodeProtobuf(Data([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])) }
    }
}
