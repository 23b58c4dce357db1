import Foundation
import TraceContext
import TracejoinSupport

extension SpanDetails {
    /// The details as compact JSON, replacing `out`: `{"r": [[k, v], …], "a": [[k, v], …],
    /// "e": [{"t": ns, "n": name, "a": […]}, …], "l": [{"t": trace hex, "s": span hex, "a": […]}, …]}`,
    /// each member only when not empty; an attribute of bytes is `[k, base64, true]`. Empty for
    /// no details. The index's rows of spans before span blocks (its `details` column) and the
    /// ClickHouse exporter's `spans.details` hold this.
    public func json(into out: inout [UInt8]) {
        let d = self
        out.removeAll(keepingCapacity: true)
        guard !d.isEmpty else { return }
        // `[k, v]`, or `[k, v, true]` for bytes (v their base64).
        func attributes(_ list: [SpanAttribute]) {
            out.append(UInt8(ascii: "["))
            for (i, a) in list.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                JSONWriter.append(string: a.key, to: &out)
                out.append(UInt8(ascii: ","))
                JSONWriter.append(value: a.value, to: &out)
                if a.isBinary { out.append(contentsOf: ",true".utf8) }
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
        var first = true
        func member(_ name: String) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.append(string: name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        out.append(UInt8(ascii: "{"))
        if !d.resource.isEmpty {
            member("r")
            attributes(d.resource)
        }
        if !d.typed.isEmpty {
            member("a")
            attributes(d.typed)
        }
        if !d.events.isEmpty {
            member("e")
            out.append(UInt8(ascii: "["))
            for (i, e) in d.events.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"t":"#.utf8)
                out.append(contentsOf: String(e.time).utf8)
                out.append(contentsOf: #","n":"#.utf8)
                JSONWriter.append(string: e.name, to: &out)
                out.append(contentsOf: #","a":"#.utf8)
                attributes(e.attributes)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if !d.links.isEmpty {
            member("l")
            out.append(UInt8(ascii: "["))
            for (i, l) in d.links.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"t":"#.utf8)
                JSONWriter.append(string: l.traceID.hex, to: &out)
                out.append(contentsOf: #","s":"#.utf8)
                JSONWriter.append(string: l.spanID.hex, to: &out)
                out.append(contentsOf: #","a":"#.utf8)
                attributes(l.attributes)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Reads what ``json(into:)`` wrote (with Foundation's decoder: only queries read it);
    /// empty details for anything else.
    public init(json bytes: UnsafeBufferPointer<UInt8>) {
        struct Stored: Decodable {
            var r: [[FieldValue]]?
            var a: [[FieldValue]]?
            var e: [StoredEvent]?
            var l: [StoredLink]?
        }
        struct StoredEvent: Decodable {
            var t: Int64
            var n: String
            var a: [[FieldValue]]?
        }
        struct StoredLink: Decodable {
            var t: String
            var s: String
            var a: [[FieldValue]]?
        }
        func attributes(_ pairs: [[FieldValue]]?) -> [SpanAttribute] {
            (pairs ?? []).compactMap { pair in
                guard pair.count == 2 || pair.count == 3, case .string(let key) = pair[0] else { return nil }
                return SpanAttribute(key, pair[1], isBinary: pair.count == 3 && pair[2] == .bool(true))
            }
        }
        guard !bytes.isEmpty, let stored = try? JSONDecoder().decode(Stored.self, from: Data(bytes)) else {
            self.init()
            return
        }
        self.init(
            events: (stored.e ?? []).map { SpanDetails.Event(time: $0.t, name: $0.n, attributes: attributes($0.a)) },
            links: (stored.l ?? []).compactMap { l in
                guard let trace = try? TraceID.parse(l.t, encoding: .hex), let span = try? SpanID.parse(l.s, encoding: .hex) else { return nil }
                return SpanDetails.Link(traceID: trace, spanID: span, attributes: attributes(l.a))
            },
            resource: attributes(stored.r), typed: attributes(stored.a))
    }

    /// Reads what ``json(into:)`` wrote.
    public init(json bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { SpanDetails(json: $0) }
    }
}
