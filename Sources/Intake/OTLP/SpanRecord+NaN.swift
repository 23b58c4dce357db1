import TracejoinModel

extension SpanRecord {
    /// This span with each NaN (a double attribute or metric the input spelled so) written as a
    /// marker, so that two decodes of the same bytes compare equal: NaN is not equal to itself.
    /// For comparing the wire decoder with swift-protobuf's messages (the decoder's tests and
    /// the otlp-protobuf fuzz target); the daemon stores NaNs as they came.
    package func nanMarked() -> SpanRecord {
        func mark(_ a: SpanAttribute) -> SpanAttribute {
            guard case .float(let d) = a.value, d.isNaN else { return a }
            return SpanAttribute(a.key, .string("\u{0}NaN"), isBinary: a.isBinary)
        }
        var r = self
        for (key, value) in r.metrics where value.isNaN {
            r.metrics[key] = nil
            r.meta["\u{0}NaN " + key] = ""
        }
        r.details.resource = r.details.resource.map(mark)
        r.details.typed = r.details.typed.map(mark)
        r.details.events = r.details.events.map { SpanDetails.Event(time: $0.time, name: $0.name, attributes: $0.attributes.map(mark)) }
        r.details.links = r.details.links.map { SpanDetails.Link(traceID: $0.traceID, spanID: $0.spanID, attributes: $0.attributes.map(mark)) }
        return r
    }
}
