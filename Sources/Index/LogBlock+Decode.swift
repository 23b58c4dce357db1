import TraceContext
import TracejoinModel

/// A block found damaged: its checksum, a frame or a column does not read back.
struct BlockCorruption: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// A decoded block: every column unpacked, but no record built until asked for
/// (``record(_:)``), so a lookup that needs a few rows of a block pays for a few strings.
struct LogBlock: Sendable {
    /// Where a text lies: in record `record`'s line (`start` counted in the line as written,
    /// holes filled), or in the strings or fields column (a literal); `count < 0` is nil.
    struct Text {
        var column: UInt8
        var record: Int32 = 0
        var start: Int32
        var count: Int32
        static let none = Text(column: 0, start: 0, count: -1)
        var isNil: Bool { count < 0 }
    }

    /// A line's hole: where its ID text goes, and in what form.
    struct Hole {
        var offset: Int32
        var form: BlockFormat.HoleForm
    }

    enum Value {
        case text(Text)
        case integer(Int64)
        case float(Double)
        case bool(Bool)
        case null
    }

    let count: Int
    private(set) var ids: [Int64] = []
    private(set) var ingested: [Int64] = []
    private(set) var traceLow: [UInt64?] = []
    private(set) var traceHigh: [UInt64?] = []
    private(set) var spans: [UInt64?] = []
    /// Start of each record's stored line (without its holes) in `raw`; `count + 1` entries.
    private(set) var lineStarts: [Int] = []
    /// Each record's holes: a range of `holes`.
    private(set) var holeStarts: [Int] = []
    private(set) var holes: [Hole] = []
    let raw: [UInt8]
    let strings: [UInt8]
    let fieldBytes: [UInt8]
    /// `Slot.allCases.count` texts per record.
    private(set) var slots: [Text] = []
    /// Each record's fields: a range of `fieldNames`/`fieldValues`.
    private(set) var fieldStarts: [Int] = []
    private(set) var fieldNames: [Text] = []
    private(set) var fieldValues: [Value] = []

    /// Checks and unpacks a stored block.
    init(bytes stored: [UInt8]) throws(BlockCorruption) {
        let n = stored.count
        guard n >= BlockFormat.headerSize + BlockFormat.trailerSize else { throw BlockCorruption(reason: "block of \(n) bytes is shorter than its header") }
        let (sumOK, header) = stored.withUnsafeBytes { b -> (Bool, (count: Int, lengths: [(raw: Int, frame: Int)])?) in
            let expected = b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self).littleEndian
            let ok = BlockFormat.checksum(UnsafeRawBufferPointer(rebasing: b[0..<(n - 8)])) == expected
            guard ok, b.starts(with: BlockFormat.magic), Int(b[4]) == BlockFormat.columnCount else { return (ok, nil) }
            let count = Int(b.loadUnaligned(fromByteOffset: 5, as: UInt32.self).littleEndian)
            let lengths = (0..<BlockFormat.columnCount).map { i in
                (Int(b.loadUnaligned(fromByteOffset: 9 + i * 8, as: UInt32.self).littleEndian),
                 Int(b.loadUnaligned(fromByteOffset: 13 + i * 8, as: UInt32.self).littleEndian))
            }
            return (ok, (count, lengths))
        }
        guard sumOK else { throw BlockCorruption(reason: "checksum mismatch") }
        guard let header else { throw BlockCorruption(reason: "not a TJB1 block") }
        var columns: [[UInt8]] = []
        var at = BlockFormat.headerSize
        for (i, (rawLength, frameLength)) in header.lengths.enumerated() {
            guard frameLength > 0, at + frameLength <= n - BlockFormat.trailerSize else {
                throw BlockCorruption(reason: "column \(i) runs past the block's end")
            }
            do {
                columns.append(try stored.withUnsafeBytes { b throws(Zstd.Failure) in
                    try Zstd.decompress(UnsafeRawBufferPointer(rebasing: b[at..<(at + frameLength)]), expected: rawLength)
                })
            } catch {
                throw BlockCorruption(reason: "column \(i): \(error)")
            }
            at += frameLength
        }
        count = header.count
        raw = columns[BlockFormat.Column.raw.rawValue]
        strings = columns[BlockFormat.Column.strings.rawValue]
        fieldBytes = columns[BlockFormat.Column.fields.rawValue]
        try unpack(columns)
    }

    private mutating func unpack(_ columns: [[UInt8]]) throws(BlockCorruption) {
        // Everything is built in locals and stored at the end: appending to a struct's own
        // arrays inside a mutating method costs a uniqueness check per append.
        var ids: [Int64] = [], ingested: [Int64] = [], traceLow: [UInt64?] = [], traceHigh: [UInt64?] = [], spans: [UInt64?] = []
        var lineStarts: [Int] = [], holeStarts: [Int] = [], holes: [Hole] = [], slots: [Text] = []
        var fieldStarts: [Int] = [], fieldNames: [Text] = [], fieldValues: [Value] = []
        let count = count
        try withColumns(columns) { (c) throws(BlockCorruption) in
        var idsReader = ByteReader(c[0], column: 0)
        var ingestedReader = ByteReader(c[1], column: 1)
        var traces = ByteReader(c[2], column: 2)
        var lengths = ByteReader(c[3], column: 3)
        let rawCount = c[4].count
        var slotReader = ByteReader(c[5], column: 5)
        var fieldReader = ByteReader(c[6], column: 6)
        ids.reserveCapacity(count)
        ingested.reserveCapacity(count)
        lineStarts.reserveCapacity(count + 1)
        slots.reserveCapacity(count * BlockFormat.Slot.allCases.count)
        traceLow.reserveCapacity(count)
        traceHigh.reserveCapacity(count)
        spans.reserveCapacity(count)
        holeStarts.reserveCapacity(count + 1)
        holes.reserveCapacity(count * 2)
        fieldStarts.reserveCapacity(count + 1)
        fieldNames.reserveCapacity(count)
        fieldValues.reserveCapacity(count)
        // Column 2: the flags, then each kind of ID together.
        let flags = try traces.bytes(count)
        var lows = traces, highs = traces, spanReader = traces
        let lowCount = flags.reduce(0) { $0 + Int($1 & 1) }, highCount = flags.reduce(0) { $0 + Int($1 >> 1 & 1) }
        _ = try highs.skip(lowCount * 8)
        _ = try spanReader.skip((lowCount + highCount) * 8)
        var id: Int64 = 0
        var time: Int64 = 0
        var lineStart = 0
        lineStarts.append(0)
        holeStarts.append(0)
        var previous = [Text](repeating: .none, count: BlockFormat.Slot.allCases.count)
        var previousNames: [Text] = []
        fieldStarts.append(0)
        for r in 0..<count {
            id &+= Int64(bitPattern: try idsReader.varint())
            ids.append(id)
            time &+= Varint.unzigzag(try ingestedReader.varint())
            ingested.append(time)
            let f = flags[r]
            traceLow.append(f & 1 != 0 ? try lows.u64() : nil)
            traceHigh.append(f & 2 != 0 ? try highs.u64() : nil)
            spans.append(f & 4 != 0 ? try spanReader.u64() : nil)
            let stored = Int(try lengths.varint())
            guard lineStart + stored <= rawCount else { throw BlockCorruption(reason: "column 3: line runs past the raw column") }
            lineStart += stored
            lineStarts.append(lineStart)
            let holeCount = Int(try lengths.varint())
            var written = stored
            for _ in 0..<holeCount {
                let offset = Int32(try lengths.varint())
                guard let form = BlockFormat.HoleForm(rawValue: try lengths.byte()) else { throw BlockCorruption(reason: "column 3: hole form") }
                holes.append(Hole(offset: offset, form: form))
                written += form.rawValue == 0 ? 32 : 16  // an upper bound, for the reference check below
            }
            holeStarts.append(holes.count)
            if holeCount > 0 { written += 8 * holeCount }
            for s in 0..<previous.count {
                let tag = try slotReader.byte()
                let text: Text
                if tag == BlockFormat.Tag.same {
                    text = previous[s]
                } else {
                    text = try Self.text(tag: tag, record: r, lineLength: written, reader: &slotReader, column: 5)
                }
                previous[s] = text
                slots.append(text)
            }
            let fieldCount = Int(try fieldReader.varint())
            for f in 0..<fieldCount {
                let nameTag = try fieldReader.byte()
                let name: Text
                if nameTag == BlockFormat.Tag.same {
                    guard f < previousNames.count else { throw BlockCorruption(reason: "column 6: field name repeats nothing") }
                    name = previousNames[f]
                } else {
                    name = try Self.text(tag: nameTag, record: r, lineLength: written, reader: &fieldReader, column: 6)
                    if f < previousNames.count { previousNames[f] = name } else { previousNames.append(name) }
                }
                fieldNames.append(name)
                let valueTag = try fieldReader.byte()
                switch valueTag {
                case BlockFormat.ValueTag.null: fieldValues.append(.null)
                case BlockFormat.ValueTag.no: fieldValues.append(.bool(false))
                case BlockFormat.ValueTag.yes: fieldValues.append(.bool(true))
                case BlockFormat.ValueTag.integer: fieldValues.append(.integer(Varint.unzigzag(try fieldReader.varint())))
                case BlockFormat.ValueTag.float: fieldValues.append(.float(Double(bitPattern: try fieldReader.u64())))
                default:
                    guard valueTag >= 5 else { throw BlockCorruption(reason: "column 6: value tag \(valueTag)") }
                    fieldValues.append(.text(try Self.text(tag: valueTag - 5, record: r, lineLength: written, reader: &fieldReader, column: 6)))
                }
            }
            fieldStarts.append(fieldNames.count)
        }
        }
        self.ids = ids
        self.ingested = ingested
        self.traceLow = traceLow
        self.traceHigh = traceHigh
        self.spans = spans
        self.lineStarts = lineStarts
        self.holeStarts = holeStarts
        self.holes = holes
        self.slots = slots
        self.fieldStarts = fieldStarts
        self.fieldNames = fieldNames
        self.fieldValues = fieldValues
    }
    private static func text(tag: UInt8, record: Int, lineLength: Int, reader: inout ByteReader, column: UInt8) throws(BlockCorruption) -> Text {
        switch tag {
        case BlockFormat.Tag.none:
            return .none
        case BlockFormat.Tag.reference:
            let offset = Int(try reader.varint()), length = Int(try reader.varint())
            guard offset + length <= lineLength else { throw BlockCorruption(reason: "column \(column): reference past its line") }
            return Text(column: 4, record: Int32(record), start: Int32(offset), count: Int32(length))
        case BlockFormat.Tag.literal:
            let length = Int(try reader.varint())
            let start = try reader.skip(length)
            return Text(column: column, start: Int32(start), count: Int32(length))
        default:
            throw BlockCorruption(reason: "column \(column): slot tag \(tag)")
        }
    }

    // MARK: Reading records

    func withBytes<T>(_ text: Text, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if text.column == 4 {
            let i = Int(text.record)
            // Most references (time, level, message) lie clear of the line's holes: read them
            // where they are stored, without putting the line back together.
            var shift = 0
            var clear = true
            for h in holes[holeStarts[i]..<holeStarts[i + 1]] {
                let length = IDText.length(h.form, trace: traceID(i), span: spans[i])
                if Int(text.start + max(0, text.count)) <= Int(h.offset) { break }
                if Int(text.start) >= Int(h.offset) + length {
                    shift += length
                    continue
                }
                clear = false
                break
            }
            if clear {
                let from = lineStarts[i] + Int(text.start) - shift
                let to = min(lineStarts[i + 1], from + Int(max(0, text.count)))
                if from >= lineStarts[i], from <= to {
                    return raw.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[from..<to])) }
                }
            }
            return withLine(i) { line in
                // A damaged reference reads as empty rather than past the line.
                let end = min(line.count, Int(text.start + max(0, text.count)))
                return body(UnsafeBufferPointer(rebasing: line[min(end, Int(text.start))..<end]))
            }
        }
        let column: [UInt8] = text.column == 5 ? strings : fieldBytes
        return column.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(text.start)..<Int(text.start + max(0, text.count))])) }
    }

    /// Record `i`'s line as it was written: the stored bytes with its IDs' text put back.
    func withLine<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        raw.withUnsafeBufferPointer { all in
            let stored = UnsafeBufferPointer(rebasing: all[lineStarts[i]..<lineStarts[i + 1]])
            guard holeStarts[i] < holeStarts[i + 1] else { return body(stored) }
            var line: [UInt8] = []
            line.reserveCapacity(stored.count + 64)
            var from = 0
            for h in holes[holeStarts[i]..<holeStarts[i + 1]] {
                // Offsets count in the line as written: the stored bytes before this hole
                // are the offset less the holes' text already put back.
                let upTo = min(stored.count, max(from, Int(h.offset) - (line.count - from)))
                line.append(contentsOf: stored[from..<upTo])
                from = upTo
                _ = IDText.write(h.form, trace: traceID(i), span: spans[i].map(SpanID.init), into: &line)
            }
            line.append(contentsOf: stored[from...])
            return line.withUnsafeBufferPointer(body)
        }
    }

    func string(_ text: Text) -> String? {
        text.isNil ? nil : withBytes(text) { String(decoding: $0, as: UTF8.self) }
    }

    func slot(_ i: Int, _ slot: BlockFormat.Slot) -> Text {
        slots[i * BlockFormat.Slot.allCases.count + slot.rawValue]
    }

    func traceID(_ i: Int) -> TraceID? {
        traceLow[i].map { TraceID(high: traceHigh[i], low: $0) }
    }

    /// Record `i` as the rest of Tracejoin sees it.
    func record(_ i: Int) -> LogRecord {
        var fields: [LogRecord.Field] = []
        fields.reserveCapacity(fieldStarts[i + 1] - fieldStarts[i])
        for f in fieldStarts[i]..<fieldStarts[i + 1] {
            let value: FieldValue
            switch fieldValues[f] {
            case .text(let t): value = .string(string(t) ?? "")
            case .integer(let v): value = .integer(v)
            case .float(let v): value = .float(v)
            case .bool(let v): value = .bool(v)
            case .null: value = .null
            }
            fields.append(LogRecord.Field(name: string(fieldNames[f]) ?? "", value: value))
        }
        let line = withLine(i) { String(decoding: $0, as: UTF8.self) }
        return LogRecord(
            traceID: traceID(i), spanID: spans[i].map(SpanID.init),
            time: string(slot(i, .time)), level: string(slot(i, .level)), message: string(slot(i, .message)),
            file: string(slot(i, .file)) ?? "", source: string(slot(i, .source)) ?? "", rule: string(slot(i, .rule)) ?? "",
            raw: line, fields: fields, idError: string(slot(i, .idError)))
    }

    /// Whether record `i`'s slot equals `value`, ASCII case folded when `folding`
    /// (as SQLite's `COLLATE NOCASE`).
    func slot(_ i: Int, _ s: BlockFormat.Slot, equals value: [UInt8], folding: Bool) -> Bool {
        let text = slot(i, s)
        guard !text.isNil, Int(text.count) == value.count else { return false }
        return withBytes(text) { bytes in
            guard folding else { return bytes.elementsEqual(value) }
            return zip(bytes, value).allSatisfy { Self.fold($0) == Self.fold($1) }
        }
    }

    /// Whether record `i`'s slot contains `needle` (bytes, case sensitive, as SQLite's `instr`).
    func slot(_ i: Int, _ s: BlockFormat.Slot, contains needle: [UInt8]) -> Bool {
        let text = slot(i, s)
        guard !text.isNil else { return false }
        if needle.isEmpty { return true }
        return withBytes(text) { bytes in needle.withUnsafeBufferPointer { LogBlockEncoder.find($0, in: bytes) != nil } }
    }

    private static func fold(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b | 0x20 : b }
}

/// Reads one column, throwing ``BlockCorruption`` at its end. Valid while the column it
/// reads is (see ``withColumns(_:_:)``).
struct ByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let column: Int
    var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, column: Int) {
        self.bytes = bytes
        self.column = column
    }

    mutating func byte() throws(BlockCorruption) -> UInt8 {
        guard at < bytes.count else { throw BlockCorruption(reason: "column \(column) ends early") }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func varint() throws(BlockCorruption) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
            guard shift < 64 else { throw BlockCorruption(reason: "column \(column): varint too long") }
        }
    }

    mutating func u64() throws(BlockCorruption) -> UInt64 {
        guard at + 8 <= bytes.count else { throw BlockCorruption(reason: "column \(column) ends early") }
        defer { at += 8 }
        return UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
    }

    /// The next `n` bytes.
    mutating func bytes(_ n: Int) throws(BlockCorruption) -> UnsafeBufferPointer<UInt8> {
        let start = try skip(n)
        return UnsafeBufferPointer(rebasing: bytes[start..<(start + n)])
    }

    /// Skips `n` bytes; returns where they start.
    mutating func skip(_ n: Int) throws(BlockCorruption) -> Int {
        guard n >= 0, at + n <= bytes.count else { throw BlockCorruption(reason: "column \(column) ends early") }
        defer { at += n }
        return at
    }
}

/// Calls `body` with every column's bytes in place (no copies), the arrays kept alive meanwhile.
func withColumns<R>(_ columns: [[UInt8]], _ body: ([UnsafeBufferPointer<UInt8>]) throws(BlockCorruption) -> R) throws(BlockCorruption) -> R {
    func nest(_ i: Int, _ done: [UnsafeBufferPointer<UInt8>]) throws(BlockCorruption) -> R {
        guard i < columns.count else { return try body(done) }
        return try columns[i].withUnsafeBufferPointer { (b) throws(BlockCorruption) -> R in try nest(i + 1, done + [b]) }
    }
    return try nest(0, [])
}
