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

    /// A block of `columns` with a correct checksum (and, for each column, the raw length the
    /// header declares): damage the checksum cannot see, such as a block written wrong.
    static func sealed(count: Int, _ columns: [[UInt8]], rawLengths: [Int]? = nil) -> [UInt8] {
        let compressor = ZstdCompressor()
        // Seven columns make a block as written before line times were stored (still read).
        var out = BlockFormat.magic + [UInt8(columns.count)]
        out += withUnsafeBytes(of: UInt32(count).littleEndian) { Array($0) }
        let lengthsAt = out.count
        out += [UInt8](repeating: 0, count: columns.count * 8)
        for (i, column) in columns.enumerated() {
            // An empty column is read as empty whatever its frame holds.
            let frame = (column.isEmpty ? [0] : column).withUnsafeBytes { compressor.compress($0, appendingTo: &out) }
            out.withUnsafeMutableBytes { header in
                header.storeBytes(of: UInt32(rawLengths?[i] ?? column.count).littleEndian, toByteOffset: lengthsAt + i * 8, as: UInt32.self)
                header.storeBytes(of: UInt32(frame).littleEndian, toByteOffset: lengthsAt + i * 8 + 4, as: UInt32.self)
            }
        }
        let sum = out.withUnsafeBytes { BlockFormat.checksum($0) }
        out += withUnsafeBytes(of: sum.littleEndian) { Array($0) }
        return out
    }

    /// Column 3's lengths, read as varints of up to 64 bits: one of 2^63 trapped converting to
    /// Int, two of 2^62 overflowed their sum. They are damage, found before anything is read.
    @Test(arguments: [
        // One record whose line length is 2^63.
        (1, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0] as [UInt8]),
        // Two records of 2^62 bytes each.
        (2, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0, 0, 0]),
        // 2^63 holes; then 2^63 bytes of slots.
        (1, [0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0]),
        (1, [0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0]),
    ])
    func lengthsBeyondTheirColumnsAreDamage(_ count: Int, _ lengths: [UInt8]) {
        let columns: [[UInt8]] = [[UInt8](repeating: 1, count: count), [UInt8](repeating: 0, count: count),
                                  [UInt8](repeating: 0, count: count), lengths, [], [], []]
        #expect(throws: BlockCorruption.self) { try LogBlock(bytes: Self.sealed(count: count, columns)) }
    }

    /// Each line's own time is stored (column 7), far apart or absent; a block written before
    /// times were stored (seven columns) reads its records without one.
    @Test func lineTimesRoundTripAndOldBlocksHaveNone() throws {
        var encoder = LogBlockEncoder()
        let times: [Int64?] = [1_765_002_902_123_456_789, nil, -9_000_000_000_000_000_000, 9_000_000_000_000_000_000, 0]
        for (i, t) in times.enumerated() {
            encoder.append(id: Int64(i + 1), ingested: 1_765_000_000_000_000_000,
                           LogRecord(traceID: nil, spanID: nil, time: "t", file: "f", source: "s", rule: "r", raw: "line \(i)", timeNanoseconds: t))
        }
        let block = try LogBlock(bytes: encoder.seal(with: ZstdCompressor()))
        #expect((0..<times.count).map { block.record($0).timeNanoseconds } == times)
        let old = try LogBlock(bytes: Self.sealed(count: 1, [[1], [0], [0], [3, 0, 7, 1], Array("abc".utf8), [0, 0, 0, 0, 0, 0, 0], [0]]))
        #expect(old.record(0).timeNanoseconds == nil && old.record(0).raw == "abc")
    }

    /// A slot that refers to its line at offset 2^31 - 1 (the most a reference reads as): its
    /// start plus its count overflowed 32 bits when it was read. It reads as empty.
    @Test func aReferenceFarPastItsLineReadsEmpty() throws {
        let slots: [UInt8] = [BlockFormat.Tag.reference, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 10, 0, 0, 0, 0, 0, 0]
        let columns: [[UInt8]] = [[1], [0], [0], [3, 0, UInt8(slots.count), 1], Array("abc".utf8), slots, [0]]
        let block = try LogBlock(bytes: Self.sealed(count: 1, columns))
        #expect(block.record(0).raw == "abc")
        #expect(block.record(0).time == "")
        #expect(!block.slot(0, .time, contains: Array("a".utf8)))
    }

    /// Texts are read at 32-bit offsets: a column declared larger is refused before it is
    /// decompressed. (Once decompressed, a literal past 2^31 bytes into it, or a record past the
    /// 2^31st, trapped converting to Int32; this header alone only shows the refusal.)
    @Test func aColumnBeyond32BitOffsetsIsRefused() {
        let columns: [[UInt8]] = [[1], [0], [0], [0, 0, 0, 1], [], [], [0]]
        let bytes = Self.sealed(count: 1, columns, rawLengths: [1, 1, 1, 4, 0, 1 << 31, 1])
        #expect {
            try LogBlock(bytes: bytes)
        } throws: { error in
            (error as? BlockCorruption)?.description.contains("larger than a block's") == true
        }
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
