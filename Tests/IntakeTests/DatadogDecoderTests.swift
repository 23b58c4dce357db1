import Intake
import TraceContext
import Testing
import TracejoinModel

@Suite("Datadog msgpack decoding")
struct DatadogDecoderTests {
    func decode(_ w: MsgPackWriter, _ version: DatadogDecoder.Version) throws -> [SpanRecord] {
        try w.bytes.withUnsafeBytes { try DatadogDecoder.decode($0, version: version) }
    }

    /// A v0.4 chunk: a root with _dd.p.tid and a child without, keys in an unusual order,
    /// `start` in `encoding`, unknown keys to skip.
    func v04(start encoding: MsgPackWriter.IntEncoding, startValue: Int64) -> MsgPackWriter {
        var w = MsgPackWriter()
        w.array(1)
        w.array(2)
        w.map(10)
        w.string("meta"); w.map(2); w.string("_dd.p.tid"); w.string("6b060b9000000000"); w.string("env"); w.string("prod")
        w.string("trace_id"); w.uint(0x6383_37ca_bfd0_09ff)
        w.string("span_id"); w.uint(.max)
        w.string("start"); w.int(startValue, as: encoding)
        w.string("duration"); w.uint(1500)
        w.string("service"); w.string("web")
        w.string("name"); w.string("flask.request")
        w.string("metrics"); w.map(1); w.string("_sampling_priority_v1"); w.float64(1)
        w.string("meta_struct"); w.map(1); w.string("x"); w.raw([0xc4, 2, 1, 2])  // bin: skipped
        w.string("span_links"); w.array(0)
        w.map(6)
        w.string("trace_id"); w.uint(0x6383_37ca_bfd0_09ff)
        w.string("span_id"); w.uint(7)
        w.string("parent_id"); w.uint(.max)
        w.string("error"); w.int(1, as: .fixint)
        w.string("name"); w.string("db.query")
        w.string("type"); w.string("sql")
        return w
    }

    @Test(arguments: [
        (MsgPackWriter.IntEncoding.fixint, Int64(100)), (.u8, 200), (.u16, 60_000), (.u32, 4_000_000_000),
        (.u64, 1_764_000_000_123_456_789), (.i8, -5), (.i16, -300), (.i32, -70_000), (.i64, 1_764_000_000_123_456_789),
    ])
    func v04AcceptsEveryIntegerEncoding(_ encoding: MsgPackWriter.IntEncoding, _ start: Int64) throws {
        let spans = try decode(v04(start: encoding, startValue: start), .v04)
        #expect(spans.count == 2)
        #expect(spans[0].start == start)
        // The chunk's high half applies to every span, including the child without _dd.p.tid.
        let full = TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff)
        #expect(spans.map(\.traceID) == [full, full])
        #expect(spans[0].spanID == SpanID(.max))
        #expect(spans[0].parentID == nil)
        #expect(spans[0].meta == ["_dd.p.tid": "6b060b9000000000", "env": "prod"])
        #expect(spans[0].metrics == ["_sampling_priority_v1": 1])
        #expect(spans[0].resource == "flask.request")  // missing resource: the name
        #expect(spans[1].parentID == SpanID(.max))
        #expect(spans[1].error && spans[1].type == "sql" && spans[1].service == "")
        #expect(spans.allSatisfy { $0.protocolName == "datadog-v0.4" })
    }

    func v05(extraStrings: [String] = [], spanArity: Int = 12, serviceIndex: UInt64 = 1) -> MsgPackWriter {
        var w = MsgPackWriter()
        let table = ["", "web", "flask.request", "GET /", "_dd.p.tid", "6b060b9000000000", "env", "prod", "count"] + extraStrings
        w.array(2)
        w.array(table.count)
        for s in table { w.string(s) }
        w.array(1)  // chunks
        w.array(2)  // spans
        for (i, id) in [UInt64(11), 12].enumerated() {
            w.array(spanArity)
            w.uint(serviceIndex); w.uint(2); w.uint(3)
            w.uint(0x6383_37ca_bfd0_09ff); w.uint(id); w.uint(i == 0 ? 0 : 11)
            w.int(1_764_000_000_123_456_789, as: .u64); w.uint(5000); w.int(0, as: .fixint)
            if i == 0 {
                w.map(2); w.uint(4); w.uint(5); w.uint(6); w.uint(7)
            } else {
                w.map(0)
            }
            w.map(1); w.uint(8); w.int(3, as: .fixint)  // an integer metric
            w.uint(0)
        }
        return w
    }

    @Test func v05StringTableAndTwelveElementSpans() throws {
        let spans = try decode(v05(), .v05)
        #expect(spans.count == 2)
        #expect(spans.allSatisfy { $0.traceID == TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff) })
        #expect(spans[0].service == "web" && spans[0].name == "flask.request" && spans[0].resource == "GET /")
        #expect(spans[0].meta == ["_dd.p.tid": "6b060b9000000000", "env": "prod"])
        #expect(spans[0].metrics == ["count": 3])
        #expect(spans[0].start == 1_764_000_000_123_456_789)
        #expect(spans[1].parentID == SpanID(11))
        #expect(spans[1].type == "")
    }

    @Test(arguments: [
        ("truncated", DatadogDecoder.Version.v05, "unexpected end of payload"),
        ("bad index", .v05, "string index 99 is outside the table of 9"),
        ("wrong arity", .v05, "exactly 12 elements"),
        ("garbage", .v04, "expected an array"),
        ("string start", .v04, "field start: expected an integer, found a string"),
        ("huge array", .v04, "longer than the payload"),
        ("trailing", .v05, "bytes after the payload"),
    ])
    func malformedPayloadsNameWhatAndWhere(_ kind: String, _ version: DatadogDecoder.Version, _ words: String) {
        var w: MsgPackWriter
        switch kind {
        case "truncated": w = v05(); w.bytes.removeLast(7)
        case "bad index": w = v05(serviceIndex: 99)
        case "wrong arity": w = v05(spanArity: 11)
        case "garbage": w = MsgPackWriter(); w.raw(Array("{\"json\": true}".utf8))
        case "string start":
            w = MsgPackWriter(); w.array(1); w.array(1); w.map(1); w.string("start"); w.string("soon")
        case "huge array": w = MsgPackWriter(); w.raw([0xdd, 0xff, 0xff, 0xff, 0xff])
        default: w = v05(); w.raw([0xc0])
        }
        #expect {
            _ = try decode(w, version)
        } throws: { error in
            let message = (error as? DatadogDecoder.Failure)?.message ?? ""
            if !message.contains(words) { Issue.record("got: \(message)") }
            return message.contains(words) && (kind == "garbage" || message.contains("byte") || message.contains("trace chunk"))
        }
    }

    /// `_dd.p.tid` is 16 hex digits and nothing else: a sign is not a digit (UInt64(_:radix:)
    /// took one before). All zeros says nothing about the high half.
    @Test(arguments: [("+00000000000000f", nil), ("6b060b900000000g", nil), ("6b060b900000000", nil),
                      ("0000000000000000", "6383_37ca_bfd0_09ff"), ("6B060B9000000000", "6b060b9000000000638337cabfd009ff")])
    func ddPTidIsSixteenHexDigits(_ tid: String, _ expected: String?) throws {
        var w = MsgPackWriter()
        w.array(1); w.array(1); w.map(3)
        w.string("meta"); w.map(1); w.string("_dd.p.tid"); w.string(tid)
        w.string("trace_id"); w.uint(0x6383_37ca_bfd0_09ff)
        w.string("span_id"); w.uint(1)
        if let expected {
            let spans = try decode(w, .v04)
            #expect(spans[0].traceID.hex == expected.filter { $0 != "_" })
        } else {
            #expect {
                _ = try decode(w, .v04)
            } throws: { error in
                ((error as? DatadogDecoder.Failure)?.message ?? "").contains("is not 16 hex digits")
            }
        }
    }

    /// A chunk of one-byte spans (empty maps): its count was reserved up front (128 bytes of
    /// RawSpan per byte left) and every span held until the chunk's end before any was checked.
    /// Now the first span is refused as it is read, at its own byte.
    @Test(arguments: [(DatadogDecoder.Version.v04, 6), (.v05, 9)])
    func aChunkOfEmptySpansIsRefusedAtItsFirstSpan(_ version: DatadogDecoder.Version, _ at: Int) {
        var w = MsgPackWriter()
        let count = 1 << 16
        if version == .v05 { w.array(2); w.array(1); w.string("") }
        w.array(1); w.array(count)
        for _ in 0..<count {
            if version == .v04 { w.map(0) } else { w.raw([0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0]) }
        }
        #expect {
            _ = try decode(w, version)
        } throws: { error in
            let message = (error as? DatadogDecoder.Failure)?.message ?? ""
            if message != "trace chunk 0, span 0: trace_id is 0 at byte \(at)" { Issue.record("got: \(message)") }
            return message == "trace chunk 0, span 0: trace_id is 0 at byte \(at)"
        }
    }

    /// A v0.5 string table declared as long as the bytes left, which are not strings: refused
    /// at the first (its length was reserved up front, 16 bytes per byte of payload).
    @Test func aHugeStringTableOfJunkIsRefusedAtItsFirstEntry() {
        var w = MsgPackWriter()
        w.array(2); w.array(1 << 20)
        w.raw([UInt8](repeating: 0x01, count: 1 << 20))
        #expect {
            _ = try decode(w, .v05)
        } throws: { error in
            (error as? DatadogDecoder.Failure)?.message == "expected a string, found an integer at byte 6"
        }
    }

    /// A span's end, start + duration, overflowed 64 bits in the trace view; refused here.
    @Test(arguments: [(Int64.max - 10, Int64(11), false), (Int64.max - 10, 10, true), (-5, Int64.max, true)])
    func startPlusDurationMustFitInSixtyFourBits(_ start: Int64, _ duration: Int64, _ accepted: Bool) throws {
        var w = MsgPackWriter()
        w.array(1); w.array(1); w.map(4)
        w.string("trace_id"); w.uint(1)
        w.string("span_id"); w.uint(1)
        w.string("start"); w.int(start, as: .i64)
        w.string("duration"); w.int(duration, as: .i64)
        if accepted {
            let spans = try decode(w, .v04)
            #expect(spans.first?.start == start && spans.first?.duration == duration)
        } else {
            #expect {
                _ = try decode(w, .v04)
            } throws: { error in
                ((error as? DatadogDecoder.Failure)?.message ?? "").contains("span 0: start 9223372036854775797 + duration 11 ns is beyond 2262 at byte 2")
            }
        }
    }

    @Test func deepNestingIsBounded() {
        var w = MsgPackWriter()
        w.array(1); w.array(1); w.map(1); w.string("meta_struct")
        for _ in 0..<100 { w.array(1) }
        w.uint(1)
        #expect(throws: DatadogDecoder.Failure.self) { try decode(w, .v04) }
    }
}
