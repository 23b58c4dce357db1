import Intake
import TraceContext
import Testing
import TracejoinModel

@Suite("NDJSON span decoding")
struct NDJSONDecoderTests {
    func decode(_ text: String) throws -> [SpanRecord] {
        try NDJSONDecoder.decode(Array(text.utf8))
    }

    @Test func decodesEveryField() throws {
        let spans = try decode("""
            {"trace_id":"6b060b9000000000638337cabfd009ff","span_id":"1295274668589741838","parent_id":"18446744073709551615","service":"web","name":"flask.request","resource":"GET /","type":"web","start":1764000000123456789,"duration":5,"error":1,"meta":{"env":"prod"},"unknown":[1,2]}

            {"trace_id":"18446744073709551615","span_id":"ce3a6d2cb615fac0","error":true}
            """)
        #expect(spans.count == 2)
        let s = spans[0]
        #expect(s.traceID == TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff))
        #expect(s.spanID == SpanID(1_295_274_668_589_741_838))
        #expect(s.parentID == SpanID(.max))
        #expect(s.start == 1_764_000_000_123_456_789)
        #expect(s.error)
        #expect(s.meta == ["env": "prod"])
        #expect(s.protocolName == "ndjson")
        #expect(spans[1].spanID == SpanID(0xce3a_6d2c_b615_fac0))
        #expect(spans[1].parentID == nil)
    }

    @Test func highHalfFromDdPTidAppliesToTheWholeRequest() throws {
        let spans = try decode("""
            {"trace_id":"7170636375644965375","span_id":"1","meta":{"_dd.p.tid":"6b060b9000000000"}}
            {"trace_id":"7170636375644965375","span_id":"2","parent_id":"1"}
            {"trace_id":"5","span_id":"3"}
            """)
        #expect(spans.map(\.traceID.high) == [0x6b06_0b90_0000_0000, 0x6b06_0b90_0000_0000, nil])
    }

    @Test(arguments: [
        (#"{"trace_id":"1","span_id":"2"}"# + "\n" + #"{"trace_id":9982398928418628468,"span_id":"2"}"#, 2, "trace_id must be a JSON string"),
        (#"{"trace_id":"1","span_id":2}"#, 1, "span_id must be a JSON string"),
        (#"{"trace_id":"1"}"#, 1, "missing required field span_id"),
        (#"{"trace_id":"0","span_id":"1"}"#, 1, "trace_id is zero"),
        (#"{"trace_id":"1","span_id":"1","parent_id":"x"}"#, 1, "parent_id: 'x'"),
        (#"{"trace_id":"1","span_id":"1","start":1.5}"#, 1, "start has the wrong type"),
        (#"{"trace_id":"1","span_id":"1","error":2}"#, 1, "error"),
        (#"{"trace_id":"1","span_id":"1","meta":{"_dd.p.tid":"xyz"}}"#, 1, "_dd.p.tid"),
        ("[1,2", 1, "not valid JSON"),
        (#"{"trace_id":"1","span_id":"1","links":[{"trace_id":5,"span_id":"2"}]}"#, 1, "links[0].trace_id must be a JSON string"),
        (#"{"trace_id":"1","span_id":"1","links":[{"trace_id":"0","span_id":"2"}]}"#, 1, "links[0]: a link needs"),
        (#"{"trace_id":"1","span_id":"1","links":[{"trace_id":"3","span_id":"zz"}]}"#, 1, "links[0].span_id: 'z' at offset 0"),
        (#"{"trace_id":"1","span_id":"1","events":[{"time":1}]}"#, 1, "missing required field name"),
        (#"{"trace_id":"1","span_id":"1","events":[{"name":"e","attributes":{"k":[1]}}]}"#, 1, "events[0].attributes.k"),
    ])
    func refusesWithLineAndReason(_ text: String, _ line: Int, _ words: String) {
        #expect {
            try decode(text)
        } throws: { error in
            guard let f = error as? NDJSONDecoder.Failure else { return false }
            if !(f.line == line && f.message.contains(words)) { Issue.record("got \(f)") }
            return f.line == line && f.message.contains(words)
        }
    }

    /// A span's end, start + duration, overflowed 64 bits in the trace view; refused here.
    @Test func startPlusDurationMustFitInSixtyFourBits() throws {
        #expect {
            try decode(#"{"trace_id":"1","span_id":"1","start":9223372036854775800,"duration":8}"#)
        } throws: { error in
            (error as? NDJSONDecoder.Failure)?.description == "line 1: start 9223372036854775800 + duration 8 ns is beyond 2262"
        }
        let spans = try decode(#"{"trace_id":"1","span_id":"1","start":9223372036854775800,"duration":7}"#)
        #expect(spans.first?.duration == 7)
    }

    /// Events and links, as OTLP and Zipkin carry them: an event without a time is at the
    /// span's start; attributes keep their JSON types, in key order.
    @Test func eventsAndLinks() throws {
        let spans = try decode("""
            {"trace_id":"1","span_id":"2","start":100,"events":[{"time":150,"name":"exception","attributes":{"exception.type":"ValueError","retries":3,"fatal":true}},{"name":"started"}],"links":[{"trace_id":"6b060b9000000000638337cabfd009ff","span_id":"ce3a6d2cb615fac0","attributes":{"link.kind":"follows"}}]}
            """)
        let d = try #require(spans.first).details
        #expect(d.events == [
            SpanDetails.Event(time: 150, name: "exception", attributes: [
                SpanAttribute("exception.type", .string("ValueError")), SpanAttribute("fatal", .bool(true)), SpanAttribute("retries", .integer(3)),
            ]),
            SpanDetails.Event(time: 100, name: "started"),
        ])
        #expect(d.links == [SpanDetails.Link(traceID: TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff),
                                              spanID: SpanID(0xce3a_6d2c_b615_fac0), attributes: [SpanAttribute("link.kind", .string("follows"))])])
    }
}
