import Foundation
import Intake
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
