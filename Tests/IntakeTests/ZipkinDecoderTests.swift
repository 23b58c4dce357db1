import Foundation
import Intake
import TraceContext
import Testing
import TracejoinModel

@Suite("Zipkin v2 span decoding")
struct ZipkinDecoderTests {
    func decode(_ text: String) throws(ZipkinDecoder.Failure) -> [SpanRecord] {
        try ZipkinDecoder.decode(Data(text.utf8))
    }

    @Test func decodesZipkinsFields() throws {
        let spans = try decode("""
            [{"traceId":"6b060b9000000000638337cabfd009ff","id":"11f0c3e8a1b2c3d4","name":"get /cart","kind":"SERVER",
              "timestamp":1764000000123456,"duration":4800,"localEndpoint":{"serviceName":"checkout","ipv4":"10.0.0.1"},
              "tags":{"http.method":"GET"},"shared":true},
             {"traceId":"638337cabfd009ff","id":"ffffffffffffffff","parentId":"11f0c3e8a1b2c3d4","name":"charge","kind":"CLIENT",
              "timestamp":1764000000124000,"duration":900,"localEndpoint":{"serviceName":"checkout"},
              "remoteEndpoint":{"serviceName":"payments"},"tags":{"error":"card declined"},"annotations":[{"timestamp":1,"value":"x"}]}]
            """)
        #expect(spans.count == 2)
        let server = spans[0], client = spans[1]
        #expect(server.traceID == TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff))
        #expect(server.spanID == SpanID(0x11f0_c3e8_a1b2_c3d4) && server.parentID == nil)
        #expect(server.service == "checkout" && server.name == "get /cart" && server.type == "server")
        #expect(server.start == 1_764_000_000_123_456_000 && server.duration == 4_800_000)
        #expect(server.meta == ["http.method": "GET", "span.kind": "server", "zipkin.shared": "true"])
        #expect(!server.error && server.protocolName == "zipkin")
        #expect(client.traceID == TraceID(high: nil, low: 0x6383_37ca_bfd0_09ff))
        #expect(client.spanID == SpanID(.max) && client.parentID == SpanID(0x11f0_c3e8_a1b2_c3d4))
        #expect(client.error && client.meta["peer.service"] == "payments")
    }

    /// Bad input names the span by its place in the list and the field.
    @Test(arguments: [
        (#"[{"id":"0000000000000001"}]"#, "span 0: traceId: missing"),
        (#"[{"traceId":"abc","id":"0000000000000001"}]"#, "span 0: traceId: 'abc' has 3 characters"),
        (#"[{"traceId":"0000000000000001","id":"0000000000000001"},{"traceId":"000000000000000g","id":"0000000000000001"}]"#, "span 1: traceId:"),
        (#"[{"traceId":"0000000000000001","id":"01"}]"#, "span 0: id: '01' is not 16 hex digits"),
        (#"[{"traceId":"0000000000000001","id":"0000000000000001","parentId":"zzzzzzzzzzzzzzzz"}]"#, "span 0: parentId:"),
        (#"[{"traceId":"0000000000000001","id":"0000000000000001","timestamp":"soon"}]"#, "span 0.timestamp"),
        (#"{"traceId":"0000000000000001"}"#, "not a Zipkin v2 span list"),
        (#"[{"traceId":"00000000000000000000000000000000","id":"0000000000000001"}]"#, "span 0: traceId: is zero"),
    ])
    func refusesWithThePlace(_ body: String, _ expected: String) {
        #expect {
            try decode(body)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    /// Timestamp and duration each fit in nanoseconds, but not their sum: the span's end
    /// overflowed 64 bits in the trace view; refused here.
    @Test func timestampPlusDurationMustFitInSixtyFourBits() throws {
        #expect {
            try decode(#"[{"traceId":"0000000000000001","id":"0000000000000001","timestamp":9223372036854775,"duration":9223372036854775}]"#)
        } throws: { error in
            "\(error)".contains("span 0: duration: 9223372036854775 µs from timestamp 9223372036854775 µs ends beyond 2262")
        }
        let spans = try decode(#"[{"traceId":"0000000000000001","id":"0000000000000001","timestamp":9223372036854775,"duration":0}]"#)
        #expect(spans.first?.start == 9_223_372_036_854_775_000)
    }
}
