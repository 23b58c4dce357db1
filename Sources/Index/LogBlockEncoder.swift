import CZstd
import TraceContext
import TracejoinModel

/// What the catalog keeps of a block, so that queries skip blocks without reading them.
struct BlockSummary: Sendable {
    var count = 0
    var firstID: Int64 = .max
    var lastID: Int64 = .min
    var minIngested: Int64 = .max
    var maxIngested: Int64 = .min
    var levels: UInt64 = 0
    var sources: UInt64 = 0
    var rules: UInt64 = 0
    var rawBytes = 0
    /// Lines per trace (by the trace ID's low half).
    var traces: [UInt64: Int] = [:]
    /// In a block grouped by trace (``TraceGroups``), where each trace's group lies in it.
    var parts: [UInt64: (offset: Int, bytes: Int)] = [:]
}

// MARK: Encoding

/// Builds one block from records in arrival order.
package struct LogBlockEncoder: Sendable {
    private var columns: [[UInt8]] = Array(repeating: [], count: BlockFormat.columnCount)
    private(set) var summary = BlockSummary()
    private var previousID: Int64 = 0
    private var previousIngested: Int64 = 0
    private var previousTime: Int64 = 0
    /// Each slot's previous value (`previousSlotIsNil` when it had none); buffers reused.
    private var previousSlots: [[UInt8]] = Array(repeating: [], count: BlockFormat.Slot.allCases.count)
    private var previousSlotIsNil: [Bool] = Array(repeating: true, count: BlockFormat.Slot.allCases.count)
    /// The record in which each slot's previous value was written out: a repeat names it.
    private var previousSlotRecord: [Int] = Array(repeating: 0, count: BlockFormat.Slot.allCases.count)
    private var previousFieldNames: [[UInt8]] = []
    private var previousFieldNameRecord: [Int] = []
    /// Column 2's four parts, joined when the block is sealed.
    private var flags: [UInt8] = []
    private var lows: [UInt8] = []
    private var highs: [UInt8] = []
    private var spanIDs: [UInt8] = []
    private var scratch: [UInt8] = []

    private static let hex32: [BlockFormat.HoleForm] = [.traceHex32]
    private static let traceForms: [BlockFormat.HoleForm] = [.traceDecimal, .traceHex16]
    private static let spanForms: [BlockFormat.HoleForm] = [.spanDecimal, .spanHex16]

    var count: Int { summary.count }

    package init() {
        columns[BlockFormat.Column.raw.rawValue].reserveCapacity(1 << 19)
    }

    package mutating func append(id: Int64, ingested: Int64, _ r: LogRecord) {
        let index = summary.count
        summary.count += 1
        summary.firstID = min(summary.firstID, id)
        summary.lastID = max(summary.lastID, id)
        summary.minIngested = min(summary.minIngested, ingested)
        summary.maxIngested = max(summary.maxIngested, ingested)
        switch r.levelText {
        case .inLine(let range)?:
            var raw = r.raw
            summary.levels |= raw.withUTF8 { line in
                range.lowerBound >= 0 && range.upperBound <= line.count ? BlockFormat.bit(of: UnsafeBufferPointer(rebasing: line[range])) : BlockFormat.bit(of: "")
            }
        default: summary.levels |= BlockFormat.bit(of: r.level)
        }
        summary.sources |= BlockFormat.bit(of: r.source)
        summary.rules |= BlockFormat.bit(of: r.rule)
        if let low = r.traceID?.low { summary.traces[low, default: 0] += 1 }

        Varint.write(UInt64(bitPattern: id &- previousID), into: &columns[0])
        previousID = id
        Varint.write(Varint.zigzag(ingested &- previousIngested), into: &columns[1])
        previousIngested = ingested
        if let time = r.timeNanoseconds {
            // Wrapping on purpose: the difference of two times far apart wraps, and reading adds
            // it back the same way.
            columns[7].append(1)
            Varint.write(Varint.zigzag(time &- previousTime), into: &columns[7])
            previousTime = time
        } else {
            columns[7].append(0)
        }

        flags.append((r.traceID != nil ? 1 : 0) | (r.traceID?.high != nil ? 2 : 0) | (r.spanID != nil ? 4 : 0))
        if let t = r.traceID {
            Self.append(t.low, to: &lows)
            if let high = t.high { Self.append(high, to: &highs) }
        }
        if let s = r.spanID { Self.append(s.value, to: &spanIDs) }

        var raw = r.raw
        raw.withUTF8 { line in
            summary.rawBytes += line.count
            // The IDs' text, found in the line, is left out of it (the holes: at most one
            // for the trace, one for the span).
            // Taken out of `self` (not copied), so that writing to it never copies its buffer.
            var scratch: [UInt8] = []
            swap(&scratch, &self.scratch)
            defer { swap(&scratch, &self.scratch) }
            var first: (offset: Int, length: Int, form: BlockFormat.HoleForm)?
            var second: (offset: Int, length: Int, form: BlockFormat.HoleForm)?
            func hole(_ forms: [BlockFormat.HoleForm], known: Range<Int>?) -> (offset: Int, length: Int, form: BlockFormat.HoleForm)? {
                // Where the parser found the ID's text, when it says (only compared there), else searched for.
                let known = known.flatMap { $0.lowerBound >= 0 && $0.upperBound <= line.count ? $0 : nil }
                for form in forms {
                    scratch.removeAll(keepingCapacity: true)
                    guard IDText.write(form, trace: r.traceID, span: r.spanID, into: &scratch) else { continue }
                    let found: Int?
                    if let known {
                        found = scratch.count == known.count
                            && scratch.withUnsafeBufferPointer({ memcmp($0.baseAddress!, line.baseAddress! + known.lowerBound, known.count) == 0 })
                            ? known.lowerBound : nil
                    } else {
                        found = scratch.withUnsafeBufferPointer({ Self.find($0, in: line) })
                    }
                    guard let at = found else { continue }
                    if let f = first, at < f.offset + f.length && f.offset < at + scratch.count { continue }
                    return (at, scratch.count, form)
                }
                return nil
            }
            if let t = r.traceID { first = hole(t.high != nil ? Self.hex32 : Self.traceForms, known: r.traceIDRange) }
            if r.spanID != nil { second = hole(Self.spanForms, known: r.spanIDRange) }
            if let f = first, let s = second, s.offset < f.offset { (first, second) = (s, f) }
            if first == nil { (first, second) = (second, nil) }
            Varint.write(UInt64(line.count - (first?.length ?? 0) - (second?.length ?? 0)), into: &columns[3])
            columns[3].append(first == nil ? 0 : second == nil ? 1 : 2)
            var from = 0
            for n in 0..<2 {
                guard let h = n == 0 ? first : second else { continue }
                Varint.write(UInt64(h.offset), into: &columns[3])
                columns[3].append(h.form.rawValue)
                columns[4].append(contentsOf: UnsafeBufferPointer(rebasing: line[from..<h.offset]))
                from = h.offset + h.length
            }
            columns[4].append(contentsOf: UnsafeBufferPointer(rebasing: line[from...]))
            let slotsAt = columns[5].count, fieldsAt = columns[6].count
            for slot in BlockFormat.Slot.allCases {
                let text: LogRecord.Text?
                switch slot {
                case .time: text = r.timeText
                case .level: text = r.levelText
                case .message: text = r.messageText
                case .file: text = .own(r.file)
                case .source: text = .own(r.source)
                case .rule: text = .own(r.rule)
                case .idError: text = r.idError.map(LogRecord.Text.own)
                }
                let s = slot.rawValue
                switch text {
                case nil:
                    Self.writeSlot(nil, at: nil, line: line, previous: &previousSlots[s], previousIsNil: &previousSlotIsNil[s],
                                   writtenIn: &previousSlotRecord[s], index: index, into: &columns[5])
                case .inLine(let range) where range.lowerBound >= 0 && range.upperBound <= line.count:
                    Self.writeSlot(UnsafeBufferPointer(rebasing: line[range]), at: range.lowerBound, line: line, previous: &previousSlots[s],
                                   previousIsNil: &previousSlotIsNil[s], writtenIn: &previousSlotRecord[s], index: index, into: &columns[5])
                case .inLine:
                    Self.writeSlot(UnsafeBufferPointer(start: nil, count: 0), at: nil, line: line, previous: &previousSlots[s],
                                   previousIsNil: &previousSlotIsNil[s], writtenIn: &previousSlotRecord[s], index: index, into: &columns[5])
                case .own(var string):
                    string.withUTF8 {
                        Self.writeSlot($0, at: nil, line: line, previous: &previousSlots[s], previousIsNil: &previousSlotIsNil[s],
                                       writtenIn: &previousSlotRecord[s], index: index, into: &columns[5])
                    }
                }
            }
            Varint.write(UInt64(r.fieldTexts.count), into: &columns[6])
            for (n, field) in r.fieldTexts.enumerated() {
                var name = field.name
                name.withUTF8 { nameBytes in
                    if n < previousFieldNames.count, Self.same(previousFieldNames[n], nameBytes) {
                        columns[6].append(BlockFormat.Tag.same)
                        Varint.write(UInt64(previousFieldNameRecord[n]), into: &columns[6])
                    } else {
                        columns[6].append(BlockFormat.Tag.literal)
                        Varint.write(UInt64(nameBytes.count), into: &columns[6])
                        columns[6].append(contentsOf: nameBytes)
                        if n < previousFieldNames.count {
                            previousFieldNames[n] = Array(nameBytes)
                            previousFieldNameRecord[n] = index
                        } else {
                            previousFieldNames.append(Array(nameBytes))
                            previousFieldNameRecord.append(index)
                        }
                    }
                }
                let value: FieldValue
                switch field.value {
                case .own(let v): value = v
                case .inLine(let range):
                    // Text as written in the line: a reference to it, found without looking.
                    guard range.lowerBound >= 0 && range.upperBound <= line.count else {
                        value = .string("")
                        break
                    }
                    Self.writeText(UnsafeBufferPointer(rebasing: line[range]), at: range.lowerBound, line: line, tagBase: 5, into: &columns[6])
                    continue
                }
                switch value {
                case .null: columns[6].append(BlockFormat.ValueTag.null)
                case .bool(let b): columns[6].append(b ? BlockFormat.ValueTag.yes : BlockFormat.ValueTag.no)
                case .integer(let i):
                    columns[6].append(BlockFormat.ValueTag.integer)
                    Varint.write(Varint.zigzag(i), into: &columns[6])
                case .float(let d):
                    columns[6].append(BlockFormat.ValueTag.float)
                    Self.append(d.bitPattern, to: &columns[6])
                case .string(var s):
                    // String values use the slot tags, shifted past the value tags.
                    s.withUTF8 { Self.writeText($0, line: line, tagBase: 5, into: &columns[6]) }
                }
            }
            // Where this record's strings and fields end, so a reader finds any record's
            // without reading the ones before it.
            Varint.write(UInt64(columns[5].count - slotsAt), into: &columns[3])
            Varint.write(UInt64(columns[6].count - fieldsAt), into: &columns[3])
        }
    }

    /// The block's bytes: header, compressed columns, checksum.
    /// The block's bytes: a frame per column, or (`packed`, a trace group) one frame for all.
    package func seal(with compressor: ZstdCompressor, packed: Bool = false) -> [UInt8] {
        var columns = columns
        columns[2] = flags + lows + highs + spanIDs
        return BlockFormat.frame(magic: packed ? BlockFormat.packedMagic : BlockFormat.magic, columns, count: summary.count,
                                 reserve: summary.rawBytes / 4 + 4096, ownFrames: packed ? BlockFormat.ownFrame : nil, with: compressor)
    }

    /// A string slot: none, the same as an earlier record's, a reference into the line (at
    /// `at` when the parser knows where it is), or a literal.
    private static func writeSlot(_ value: UnsafeBufferPointer<UInt8>?, at: Int?, line: UnsafeBufferPointer<UInt8>, previous: inout [UInt8],
                                  previousIsNil: inout Bool, writtenIn: inout Int, index: Int, into out: inout [UInt8]) {
        guard let bytes = value else {
            out.append(BlockFormat.Tag.none)
            previousIsNil = true
            return
        }
        if !previousIsNil, Self.same(previous, bytes) {
            out.append(BlockFormat.Tag.same)
            Varint.write(UInt64(writtenIn), into: &out)
            return
        }
        writeText(bytes, at: at, line: line, tagBase: 0, into: &out)
        writtenIn = index
        previous.removeAll(keepingCapacity: true)
        previous.append(contentsOf: bytes)
        previousIsNil = false
    }

    /// A reference to where `text` occurs in the record's raw line (at `at` when known), or the
    /// text itself.
    private static func writeText(_ text: UnsafeBufferPointer<UInt8>, at known: Int? = nil, line: UnsafeBufferPointer<UInt8>, tagBase: UInt8,
                                  into out: inout [UInt8]) {
        if text.count >= 3, let at = known ?? Self.locate(text, in: line) {
            out.append(tagBase + BlockFormat.Tag.reference)
            Varint.write(UInt64(at), into: &out)
            Varint.write(UInt64(text.count), into: &out)
        } else {
            out.append(tagBase + BlockFormat.Tag.literal)
            Varint.write(UInt64(text.count), into: &out)
            out.append(contentsOf: text)
        }
    }

    /// Whether `a` and `b` hold the same bytes (`memcmp(3)`).
    static func same(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count, a.count > 0, let base = b.baseAddress else { return a.count == b.count }
        return a.withUnsafeBufferPointer { memcmp($0.baseAddress!, base, b.count) == 0 }
    }

    /// Where a parsed value lies in its line: a grok rule's message is most often the line's
    /// end and its timestamp the line's start, checked with one `memcmp` each before `memmem`.
    static func locate(_ text: UnsafeBufferPointer<UInt8>, in line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard text.count <= line.count, let t = text.baseAddress, let l = line.baseAddress else { return nil }
        if memcmp(l + (line.count - text.count), t, text.count) == 0 { return line.count - text.count }
        if memcmp(l, t, text.count) == 0 { return 0 }
        return find(text, in: line)
    }

    /// `memmem(3)`: where `needle` first occurs in `haystack`.
    static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard needle.count <= haystack.count, let h = haystack.baseAddress, let n = needle.baseAddress else { return nil }
        guard let hit = tj_memmem(h, haystack.count, n, needle.count) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(h)
    }

    static func append(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    static func append32(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}

enum Varint {
    static func write(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }
}

/// The text of a trace or span ID in the forms a line's holes stand for, as bytes.
enum IDText {
    /// Appends the ID's text in `form`; `false` when the record lacks that ID.
    static func write(_ form: BlockFormat.HoleForm, trace: TraceID?, span: SpanID?, into out: inout [UInt8]) -> Bool {
        switch form {
        case .traceHex32:
            guard let trace, let high = trace.high else { return false }
            hex(high, into: &out)
            hex(trace.low, into: &out)
        case .traceDecimal:
            guard let trace else { return false }
            decimal(trace.low, into: &out)
        case .traceHex16:
            guard let trace else { return false }
            hex(trace.low, into: &out)
        case .spanDecimal:
            guard let span else { return false }
            decimal(span.value, into: &out)
        case .spanHex16:
            guard let span else { return false }
            hex(span.value, into: &out)
        }
        return true
    }

    /// The length of the text ``write(_:trace:span:into:)`` writes, without writing it.
    static func length(_ form: BlockFormat.HoleForm, trace: TraceID?, span: UInt64?) -> Int {
        switch form {
        case .traceHex32: return 32
        case .traceHex16, .spanHex16: return 16
        case .traceDecimal: return decimalDigits(trace?.low ?? 0)
        case .spanDecimal: return decimalDigits(span ?? 0)
        }
    }

    static func decimalDigits(_ v: UInt64) -> Int {
        var n = 1
        var v = v
        while v >= 10 {
            v /= 10
            n += 1
        }
        return n
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ v: UInt64, into out: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int(v >> UInt64(shift) & 0xF)]) }
    }

    static func decimal(_ v: UInt64, into out: inout [UInt8]) {
        guard v > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        let start = out.count
        var v = v
        while v > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        out[start...].reverse()
    }
}
