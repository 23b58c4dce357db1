@testable import Index
import TraceContext
import Testing
import TracejoinModel

@Suite("Log blocks")
struct LogBlockTests {
    static func record(_ trace: TraceID?, _ span: UInt64?, raw: String, message: String? = nil, fields: [LogRecord.Field] = []) -> LogRecord {
        LogRecord(traceID: trace, spanID: span.map(SpanID.init), time: "2026-11-24 22:11:28,925", level: "INFO", message: message ?? "m",
                  file: "/var/log/app.log", source: "app", rule: "r", raw: raw, fields: fields)
    }

    /// Lines whose IDs are cut out of the text and put back on reading, in every form, and
    /// lines where they are not (another case, absent, or written differently).
    static let records: [LogRecord] = {
        let t128 = TraceID(high: 0x6b06_0b90_0000_0000, low: 0x638337cabfd009ff)
        let t64 = TraceID(high: nil, low: 17_140_740_446_427_694_127)
        let span: UInt64 = 1_295_274_668_589_741_838
        return [
            record(t128, span, raw: "a [dd.trace_id=\(t128.hex) dd.span_id=\(span)] - hello", message: "hello"),
            record(t64, span, raw: "b dd.trace_id=\(t64.lowDecimal) dd.span_id=\(SpanID(span).hex) and again \(t64.lowDecimal)",
                   message: "and again \(t64.lowDecimal)"),
            record(t64, nil, raw: "c trace \(SpanID(t64.low).hex) only", message: "only"),
            record(t128, span, raw: "d upper \(t128.hex.uppercased()) stays", message: "stays"),
            record(nil, nil, raw: "e no ids at all é 日本 🙂"),
            record(TraceID(high: nil, low: 5), 5, raw: "f ids 5 and 5 overlap", message: "5 and 5",
                   fields: [.init(name: "n", value: .integer(-3)), .init(name: "s", value: "ids 5")]),
            record(t64, span, raw: "g \(span)\(t64.lowDecimal) glued", message: "glued"),
            record(t128, span, raw: "", message: nil),
        ]
    }()

    @Test func recordsComeBackAsTheyWentIn() throws {
        var encoder = LogBlockEncoder()
        for (i, r) in Self.records.enumerated() { encoder.append(id: Int64(100 + i), ingested: 1_000 + Int64(i), r) }
        let bytes = encoder.seal(with: ZstdCompressor())
        let block = try LogBlock(bytes: bytes)
        #expect(block.count == Self.records.count)
        for i in 0..<block.count {
            #expect(block.record(i) == Self.records[i])
            #expect(block.ids[i] == Int64(100 + i) && block.ingested[i] == 1_000 + Int64(i))
        }
        // The IDs of the first line are stored once: its stored text lacks them.
        let stored = block.raw[block.lineStarts[0]..<block.lineStarts[1]]
        #expect(!String(decoding: stored, as: UTF8.self).contains("638337cabfd009ff"))
    }

    /// Records whose text is ranges of their line (as the parser makes them) are stored as
    /// references found without searching, and read back equal; a range beyond the line (a
    /// record changed after parsing) is stored as empty text, never read out of bounds.
    @Test func recordsWithTextAsRangesComeBackEqual() throws {
        let t = TraceID(high: nil, low: 17_140_740_446_427_694_127)
        let raw = "2026-11-24 22:11:28,925 INFO [rc.app] dd.trace_id=\(t.lowDecimal) dd.span_id=77 - hello there"
        let bytes = Array(raw.utf8)
        func range(_ s: String) -> Range<Int> {
            let needle = Array(s.utf8)
            let at = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }!
            return at..<(at + needle.count)
        }
        let parsed = LogRecord(
            traceID: t, spanID: SpanID(77), raw: raw, time: .inLine(range("2026-11-24 22:11:28,925")), level: .inLine(range("INFO")),
            message: .inLine(range("hello there")), fields: [.init(name: "logger", value: .inLine(range("rc.app"))),
                                                          .init(name: "n", value: .own(.integer(4)))],
            file: "/var/log/app.log", source: "app", rule: "r", traceIDRange: range(t.lowDecimal), spanIDRange: range("77"))
        var outside = parsed
        outside.messageText = .inLine(0..<(bytes.count + 10))
        var encoder = LogBlockEncoder()
        encoder.append(id: 1, ingested: 0, parsed)
        encoder.append(id: 2, ingested: 0, outside)
        let block = try LogBlock(bytes: encoder.seal(with: ZstdCompressor()))
        #expect(block.record(0) == parsed)
        #expect(block.record(0).message == "hello there" && block.record(0).fields.first?.value == .string("rc.app"))
        #expect(block.record(1).message == "")
        // The IDs were cut out of the stored line.
        let stored = String(decoding: block.raw[block.lineStarts[0]..<block.lineStarts[1]], as: UTF8.self)
        #expect(!stored.contains(t.lowDecimal))
    }

    @Test func anyDamageIsFoundNotCrashedOn() throws {
        var encoder = LogBlockEncoder()
        for (i, r) in Self.records.enumerated() { encoder.append(id: Int64(i + 1), ingested: 0, r) }
        let bytes = encoder.seal(with: ZstdCompressor())
        // Every single-bit flip and every truncation is refused with a reason.
        for at in stride(from: 0, to: bytes.count, by: 3) {
            var flipped = bytes
            flipped[at] ^= 0x10
            #expect(throws: BlockCorruption.self) { try LogBlock(bytes: flipped) }
        }
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: BlockCorruption.self) { try LogBlock(bytes: Array(bytes[..<length])) }
        }
    }
}
