import Testing
import TraceContext
@testable import TracejoinModel

/// The details' JSON (the exporter's `spans.details`, the index's old `details` column): what is
/// written is read back as it was, and what is not that JSON reads as no details.
@Suite("Span details as JSON")
struct SpanDetailsJSONTests {
    @Test func everyKindOfDetailRoundTrips() throws {
        let details = SpanDetails(
            events: [.init(time: 1_764_000_000_003_500_000, name: "exception", attributes: [
                SpanAttribute("exception.type", .string("ValueError")), SpanAttribute("exception.message", .string("card \"declined\"\n")),
                SpanAttribute("retries", .integer(-3)), SpanAttribute("fatal", .bool(true)),
            ]), .init(time: .min, name: "", attributes: [])],
            links: [.init(traceID: TraceID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210), spanID: SpanID(.max),
                          attributes: [SpanAttribute("link.kind", .string("follows"))]),
                    .init(traceID: TraceID(high: nil, low: 42), spanID: SpanID(7))],
            resource: [SpanAttribute("service.name", .string("payments")), SpanAttribute("host.name", .string("web-2"))],
            typed: [SpanAttribute("http.status_code", .integer(502)), SpanAttribute("blob", .string("AAEC"), isBinary: true)])
        var bytes: [UInt8] = []
        details.json(into: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"r":[["service.name","payments"],"#), "\(text)")
        #expect(text.contains(#"["blob","AAEC",true]"#))
        #expect(SpanDetails(json: bytes) == details)
    }

    @Test(arguments: ["", "{}", "not json", "[1,2]", #"{"e":[{"n":"no time"}]}"#])
    func anythingElseReadsAsNoDetails(_ text: String) {
        #expect(SpanDetails(json: Array(text.utf8)).isEmpty)
    }

    @Test func noDetailsWriteNothing() {
        var bytes: [UInt8] = Array("left over".utf8)
        SpanDetails().json(into: &bytes)
        #expect(bytes.isEmpty)
    }
}
