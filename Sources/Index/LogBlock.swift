import TraceContext
import TracejoinModel
import TracejoinSupport

/// A block found damaged: its checksum, a frame or a column does not read back.
package struct BlockCorruption: Error, CustomStringConvertible {
    var reason: String
    package var description: String { reason }
}

/// A decoded block: the columns decompressed and the fixed-size ones (ids, times, IDs, where
/// each line and each record's entries start) unpacked; a record's strings and fields are read
/// only when asked for (``record(_:)``, ``slot(_:_:)``), so a lookup that needs a few rows of a
/// block pays for those rows.
package struct LogBlock: Sendable {
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
    /// Each record's own time (ns), when its rule read one; nil in blocks written before.
    private(set) var times: [Int64?] = []
    /// Start of each record's stored line (without its holes) in `raw`; `count + 1` entries.
    private(set) var lineStarts: [Int] = []
    /// Each record's holes: a range of `holes`.
    private(set) var holeStarts: [Int] = []
    private(set) var holes: [Hole] = []
    let raw: [UInt8]
    let strings: [UInt8]
    let fieldBytes: [UInt8]
    /// Where each record's entries start in `strings` (its slots) and `fieldBytes` (its
    /// fields); `count + 1` entries each.
    private(set) var slotStarts: [Int] = []
    private(set) var fieldStarts: [Int] = []
    /// In a block grouped by trace (``TraceGroups``), the first record of each record's group:
    /// a repeat (`same`) names a record of its own group, counted from there. Empty otherwise.
    private var recordBase: [Int] = []
    /// In a block grouped by trace, its records in id (arrival) order; empty when they are stored in it.
    private var byID: [Int] = []

    /// Checks and unpacks a stored block: one of records in arrival order (`TJB1`), or one
    /// grouped by trace (``TraceGroups``), whose groups are read side by side.
    package init(bytes stored: [UInt8]) throws(BlockCorruption) {
        if stored.starts(with: TraceGroups.magic) {
            // The whole block's checksum is checked here; each group's own need not be again.
            try self.init(stored, parts: try TraceGroups.groups(of: stored), checked: false)
        } else {
            try self.init(stored, parts: [0..<stored.count], checked: true)
        }
    }

    /// The group at `range` of a grouped block whose checksum was checked (``TraceGroups/group(of:at:)``):
    /// read in place, its own checksum not checked again.
    init(group range: Range<Int>, of stored: [UInt8]) throws(BlockCorruption) {
        try self.init(stored, parts: [range], checked: false)
    }

    /// A `TJB1` block's record count, its columns' raw and framed lengths, and where its
    /// frames begin.
    private struct Header {
        var count: Int
        var lengths: [(raw: Int, frame: Int)]
        var framesAt: Int
        /// One frame of all the columns (`TJP1`), not one each.
        var packed: Bool
    }

    /// The header of the `TJB1` block at `range` of `b`, its checksum checked when `checked`.
    private static func header(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, checked: Bool) -> Result<Header, BlockCorruption> {
        let n = range.count
        guard n >= BlockFormat.headerSize(columns: BlockFormat.oldColumnCount) + BlockFormat.trailerSize else {
            return .failure(BlockCorruption(reason: "block of \(n) bytes is shorter than its header"))
        }
        let block = UnsafeRawBufferPointer(rebasing: b[range])
        if checked {
            let expected = block.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self).littleEndian
            guard BlockFormat.checksum(UnsafeRawBufferPointer(rebasing: block[0..<(n - 8)])) == expected else {
                return .failure(BlockCorruption(reason: "checksum mismatch"))
            }
        }
        let columnCount = Int(block[4])
        let packed = block.starts(with: BlockFormat.packedMagic)
        guard block.starts(with: BlockFormat.magic) || packed, columnCount == BlockFormat.columnCount || columnCount == BlockFormat.oldColumnCount,
              n >= BlockFormat.headerSize(columns: columnCount) + BlockFormat.trailerSize
        else { return .failure(BlockCorruption(reason: "not a TJB1 block")) }
        let count = Int(block.loadUnaligned(fromByteOffset: 5, as: UInt32.self).littleEndian)
        let lengths = (0..<columnCount).map { i in
            (Int(block.loadUnaligned(fromByteOffset: 9 + i * 8, as: UInt32.self).littleEndian),
             Int(block.loadUnaligned(fromByteOffset: 13 + i * 8, as: UInt32.self).littleEndian))
        }
        return .success(Header(count: count, lengths: lengths, framesAt: range.lowerBound + BlockFormat.headerSize(columns: columnCount),
                               packed: packed))
    }

    /// Unpacks the `TJB1` blocks at `parts` of `stored` as one: each column of every part is
    /// decompressed straight into one array (no copy of the texts), then each part's fixed
    /// columns are unpacked and their offsets moved past the parts before. With more than one
    /// part (a block grouped by trace) the records are in part order and `byID` is their
    /// arrival order.
    private init(_ stored: [UInt8], parts: [Range<Int>], checked: Bool) throws(BlockCorruption) {
        var headers: [Header] = []
        for part in parts {
            headers.append(try stored.withUnsafeBytes { Self.header($0, part, checked: checked) }.get())
        }
        let columnCount = headers[0].lengths.count
        guard headers.allSatisfy({ $0.lengths.count == columnCount }) else { throw BlockCorruption(reason: "groups of different columns") }
        // Each part's frames, checked to lie inside it, and each frame's header declaring its
        // column's length before any is allocated. In a packed part the columns of framed
        // length 0 share the first frame (`shared`), at their offsets in it (`sharedAt`).
        var frames: [[Range<Int>]] = []
        var shared: [Range<Int>?] = []
        var sharedAt: [[Int]] = []
        for (g, header) in headers.enumerated() {
            let end = parts[g].upperBound - BlockFormat.trailerSize
            var at = header.framesAt
            var offsets: [Int] = []
            var sharedBytes = 0
            for (i, length) in header.lengths.enumerated() {
                guard length.raw <= Int(Int32.max) else {
                    throw BlockCorruption(reason: "column \(i) of \(length.raw) bytes is larger than a block's")
                }
                offsets.append(sharedBytes)
                if header.packed, length.frame == 0 { sharedBytes += length.raw }
            }
            sharedAt.append(offsets)
            if header.packed {
                let own = header.lengths.reduce(0) { $0 + $1.frame }
                guard own <= end - at, end - at - own > 0 else { throw BlockCorruption(reason: "packed columns run past the block's end") }
                let frame = at..<(end - own)
                try Self.checkFrame(stored, frame, declares: sharedBytes, column: "packed columns")
                shared.append(frame)
                at = frame.upperBound
            } else {
                shared.append(nil)
            }
            var ranges: [Range<Int>] = []
            for (i, length) in header.lengths.enumerated() {
                if header.packed, length.frame == 0 {
                    ranges.append(at..<at)
                    continue
                }
                guard length.frame > 0, length.frame <= end - at else {
                    throw BlockCorruption(reason: "column \(i) runs past the block's end")
                }
                let frame = at..<(at + length.frame)
                try Self.checkFrame(stored, frame, declares: length.raw, column: "column \(i)")
                ranges.append(frame)
                at += length.frame
            }
            frames.append(ranges)
        }
        // Each column's bytes before each part, the whole column no larger than a block's.
        var starts: [[Int]] = Array(repeating: [], count: headers.count)
        var totals: [Int] = []
        for c in 0..<columnCount {
            // Texts are read at 32-bit offsets (``Text``) and records counted in 32 bits: a
            // column beyond them is not one the encoder wrote.
            var total = 0
            for (g, header) in headers.enumerated() {
                starts[g].append(total)
                guard header.lengths[c].raw <= Int(Int32.max) - total else {
                    throw BlockCorruption(reason: "column \(c) of more than \(Int32.max) bytes is larger than a block's")
                }
                total += header.lengths[c].raw
            }
            totals.append(total)
        }
        // A packed part's shared frame, decompressed whole (its columns are copied into place).
        var packed: [Int: [UInt8]] = [:]
        for (g, frame) in shared.enumerated() {
            guard let frame else { continue }
            let size = headers[g].lengths.reduce(0) { $0 + ($1.frame == 0 ? $1.raw : 0) }
            let content = stored.withUnsafeBytes { b -> Result<[UInt8], Zstd.Failure> in
                do throws(Zstd.Failure) {
                    return .success(try Zstd.decompress(UnsafeRawBufferPointer(rebasing: b[frame]), expected: size))
                } catch {
                    return .failure(error)
                }
            }
            switch content {
            case .success(let bytes): packed[g] = bytes
            case .failure(let error): throw BlockCorruption(reason: "packed columns: \(error)")
            }
        }
        var columns: [[UInt8]] = []
        for c in 0..<columnCount {
            var failure: BlockCorruption?
            let column = stored.withUnsafeBytes { b in
                [UInt8](unsafeUninitializedCapacity: totals[c]) { buffer, initialized in
                    for (g, header) in headers.enumerated() where failure == nil {
                        let length = header.lengths[c].raw
                        let into = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[starts[g][c]..<(starts[g][c] + length)])
                        if header.packed, header.lengths[c].frame == 0, let content = packed[g] {
                            let from = sharedAt[g][c]
                            content.withUnsafeBytes { into.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[from..<(from + length)])) }
                            continue
                        }
                        do throws(Zstd.Failure) {
                            try Zstd.decompress(UnsafeRawBufferPointer(rebasing: b[frames[g][c]]), into: into)
                        } catch {
                            failure = BlockCorruption(reason: "column \(c): \(error)")
                        }
                    }
                    initialized = failure == nil ? totals[c] : 0
                }
            }
            if let failure { throw failure }
            columns.append(column)
        }
        var records = 0
        for header in headers {
            // Each record has a flags byte in column 2: a count beyond it is refused before
            // arrays for that many records are made.
            guard header.count <= header.lengths[BlockFormat.Column.traces.rawValue].raw else {
                throw BlockCorruption(reason: "column 2: \(header.lengths[BlockFormat.Column.traces.rawValue].raw) bytes for \(header.count) records")
            }
            guard header.count <= Int(Int32.max) - records else { throw BlockCorruption(reason: "more records than a block holds") }
            records += header.count
        }
        count = records
        raw = columns[BlockFormat.Column.raw.rawValue]
        strings = columns[BlockFormat.Column.strings.rawValue]
        fieldBytes = columns[BlockFormat.Column.fields.rawValue]
        let hasTimes = columnCount > BlockFormat.Column.times.rawValue
        // Every part's records unpacked straight into the block's arrays, each part's text
        // offsets moved past the parts before it.
        var fixed = Self.fixed(count: count, holes: count * 2)
        var times = [Int64?](repeating: nil, count: count)
        try withColumns(columns) { (all) throws(BlockCorruption) in
            var row = 0
            for (g, header) in headers.enumerated() {
                let slices = (0..<columnCount).map { c in UnsafeBufferPointer(rebasing: all[c][starts[g][c]..<(starts[g][c] + header.lengths[c].raw)]) }
                try Self.unpack(slices, count: header.count, into: &fixed, row: row,
                                bases: (starts[g][BlockFormat.Column.raw.rawValue], starts[g][BlockFormat.Column.strings.rawValue],
                                        starts[g][BlockFormat.Column.fields.rawValue]))
                if hasTimes { try Self.times(slices[BlockFormat.Column.times.rawValue], count: header.count, into: &times, row: row) }
                row += header.count
            }
        }
        assign(fixed)
        self.times = times
        guard headers.count > 1 else { return }
        // Parts side by side: a repeat names a record of its own part, counted from the part's first.
        recordBase.reserveCapacity(count)
        var row = 0
        for header in headers {
            recordBase.append(contentsOf: repeatElement(row, count: header.count))
            row += header.count
        }
        byID = Self.arrivalOrder(fixed.ids)
    }

    private mutating func assign(_ f: Fixed) {
        ids = f.ids
        ingested = f.ingested
        traceLow = f.traceLow
        traceHigh = f.traceHigh
        spans = f.spans
        lineStarts = f.lineStarts
        holeStarts = f.holeStarts
        holes = f.holes
        slotStarts = f.slotStarts
        fieldStarts = f.fieldStarts
    }

    /// The records' indices in id order. A sealed block's ids are one run of consecutive
    /// numbers, placed without comparing; other ids (a block not written so) are sorted.
    static func arrivalOrder(_ ids: [Int64]) -> [Int] {
        if let low = ids.min(), let high = ids.max(), case let (span, overflow) = high.subtractingReportingOverflow(low),
           !overflow, span == Int64(ids.count - 1) {
            var order = [Int](repeating: -1, count: ids.count)
            var distinct = true
            for (r, id) in ids.enumerated() {
                let k = Int(id - low)
                if order[k] >= 0 { distinct = false; break }
                order[k] = r
            }
            if distinct { return order }
        }
        return ids.indices.sorted { ids[$0] < ids[$1] }
    }

    /// Checks that the zstd frame at `frame` declares `bytes` of content (before they are allocated).
    private static func checkFrame(_ stored: [UInt8], _ frame: Range<Int>, declares bytes: Int, column: String) throws(BlockCorruption) {
        let failure = stored.withUnsafeBytes { b -> Zstd.Failure? in
            do throws(Zstd.Failure) {
                try Zstd.check(UnsafeRawBufferPointer(rebasing: b[frame]), expected: bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw BlockCorruption(reason: "\(column): \(failure)") }
    }

    /// Its records in arrival order (ascending ids), or newest first.
    func rows(ascending: Bool) -> [Int] {
        let rows = byID.isEmpty ? Array(0..<count) : byID
        return ascending ? rows : rows.reversed()
    }

    /// Calls `body` with each record `check` selects, in arrival order (or newest first), until
    /// `body` returns false.
    ///
    /// A block of records in arrival order is checked in that order, as `body` takes them (a
    /// page that fills early stops the checks). A block grouped by trace is checked whole in
    /// its own order (in arrival order the checks jump from group to group through its columns:
    /// a scan without a match measured 1.5× slower so), and its matches then go to `body` in
    /// arrival order.
    func forEachMatch(ascending: Bool, _ check: (Int) throws -> Bool, _ body: (Int) throws -> Bool) rethrows {
        guard !byID.isEmpty else {
            if ascending {
                for i in 0..<count where try check(i) { guard try body(i) else { return } }
            } else {
                for i in (0..<count).reversed() where try check(i) { guard try body(i) else { return } }
            }
            return
        }
        var found: [Int] = []
        for i in 0..<count where try check(i) { found.append(i) }
        let ids = ids
        found.sort { ascending ? ids[$0] < ids[$1] : ids[$0] > ids[$1] }
        for i in found { guard try body(i) else { return } }
    }

    /// The lowest id it holds.
    var firstID: Int64? { byID.first.map { ids[$0] } ?? ids.first }

    /// Column 7 of one part: each record's own time, or nil, into `result` from `row` on.
    private static func times(_ bytes: UnsafeBufferPointer<UInt8>, count: Int, into result: inout [Int64?], row: Int) throws(BlockCorruption) {
        var previous: Int64 = 0
        var reader = ByteReader(bytes, column: BlockFormat.Column.times.rawValue)
        for i in 0..<count {
            guard try reader.byte() != 0 else { continue }
            previous &+= Varint.unzigzag(try reader.varint())
            result[row + i] = previous
        }
    }

    /// The fixed-size part of every record, unpacked by ``unpack(_:count:into:row:bases:)``.
    private struct Fixed {
        var ids: [Int64] = [], ingested: [Int64] = [], traceLow: [UInt64?] = [], traceHigh: [UInt64?] = [], spans: [UInt64?] = []
        var lineStarts: [Int] = [], holeStarts: [Int] = [], holes: [Hole] = [], slotStarts: [Int] = [], fieldStarts: [Int] = []
    }

    /// Arrays for `count` records, to be filled by ``unpack(_:count:into:row:bases:)``.
    private static func fixed(count: Int, holes: Int) -> Fixed {
        var f = Fixed()
        f.ids = [Int64](repeating: 0, count: count)
        f.ingested = [Int64](repeating: 0, count: count)
        f.traceLow = [UInt64?](repeating: nil, count: count)
        f.traceHigh = [UInt64?](repeating: nil, count: count)
        f.spans = [UInt64?](repeating: nil, count: count)
        f.lineStarts = [Int](repeating: 0, count: count + 1)
        f.holeStarts = [Int](repeating: 0, count: count + 1)
        f.slotStarts = [Int](repeating: 0, count: count + 1)
        f.fieldStarts = [Int](repeating: 0, count: count + 1)
        f.holes.reserveCapacity(holes)
        return f
    }

    /// Reads one part's columns 0–3 (and checks they agree with 4–6) into `f`'s records from
    /// `row` on, written in place: its texts' offsets moved by `bases` (where the part's
    /// lines, strings and fields begin in the block's columns).
    private static func unpack(_ c: [UnsafeBufferPointer<UInt8>], count: Int, into f: inout Fixed, row: Int,
                               bases: (line: Int, slot: Int, field: Int)) throws(BlockCorruption) {
        var idsReader = ByteReader(c[0], column: 0)
        var ingestedReader = ByteReader(c[1], column: 1)
        var traces = ByteReader(c[2], column: 2)
        var lengths = ByteReader(c[3], column: 3)
        // Column 2: the flags, then each kind of ID together.
        let flags = try traces.bytes(count)
        var lows = traces, highs = traces, spanReader = traces
        let lowCount = flags.reduce(0) { $0 + Int($1 & 1) }, highCount = flags.reduce(0) { $0 + Int($1 >> 1 & 1) }
        _ = try highs.skip(lowCount * 8)
        _ = try spanReader.skip((lowCount + highCount) * 8)
        var id: Int64 = 0, time: Int64 = 0
        var lineStart = 0, slotStart = 0, fieldStart = 0
        var holes = f.holes
        f.holes = []
        defer { f.holes = holes }
        try f.ids.withUnsafeMutableBufferPointer { (ids) throws(BlockCorruption) in
        try f.ingested.withUnsafeMutableBufferPointer { (ingested) throws(BlockCorruption) in
        try f.traceLow.withUnsafeMutableBufferPointer { (traceLow) throws(BlockCorruption) in
        try f.traceHigh.withUnsafeMutableBufferPointer { (traceHigh) throws(BlockCorruption) in
        try f.spans.withUnsafeMutableBufferPointer { (spans) throws(BlockCorruption) in
        try f.lineStarts.withUnsafeMutableBufferPointer { (lineStarts) throws(BlockCorruption) in
        try f.holeStarts.withUnsafeMutableBufferPointer { (holeStarts) throws(BlockCorruption) in
        try f.slotStarts.withUnsafeMutableBufferPointer { (slotStarts) throws(BlockCorruption) in
        try f.fieldStarts.withUnsafeMutableBufferPointer { (fieldStarts) throws(BlockCorruption) in
            for k in 0..<count {
                let r = row + k
                id &+= Int64(bitPattern: try idsReader.varint())
                ids[r] = id
                time &+= Varint.unzigzag(try ingestedReader.varint())
                ingested[r] = time
                let flag = flags[k]
                if flag & 1 != 0 { traceLow[r] = try lows.u64() }
                if flag & 2 != 0 { traceHigh[r] = try highs.u64() }
                if flag & 4 != 0 { spans[r] = try spanReader.u64() }
                // Each length is checked against what is left of the column it measures: a
                // damaged one (up to 2^64 - 1) neither traps converting to Int nor overflows the sum.
                lineStart += try lengths.length(atMost: c[4].count - lineStart)
                lineStarts[r + 1] = bases.line + lineStart
                let left = lengths.bytes.count - lengths.at
                let holeCount = try lengths.length(atMost: left)
                for _ in 0..<holeCount {
                    let offset = Int32(truncatingIfNeeded: try lengths.varint())
                    guard let form = BlockFormat.HoleForm(rawValue: try lengths.byte()) else { throw BlockCorruption(reason: "column 3: hole form") }
                    holes.append(Hole(offset: offset, form: form))
                }
                holeStarts[r + 1] = holes.count
                slotStart += try lengths.length(atMost: c[5].count - slotStart)
                slotStarts[r + 1] = bases.slot + slotStart
                fieldStart += try lengths.length(atMost: c[6].count - fieldStart)
                fieldStarts[r + 1] = bases.field + fieldStart
            }
        }}}}}}}}}
        guard lineStart == c[4].count, slotStart == c[5].count, fieldStart == c[6].count else {
            throw BlockCorruption(reason: "column 3: lengths do not add up to the columns")
        }
    }

    /// Reads a text entry (a slot, a field name or a string value) at `reader`; a repeat
    /// (`same`, then a record's number) is followed to the record that wrote the text out.
    /// Malformed bytes read as nil (the block's checksum vouches for them).
    private func entry(_ tag: UInt8, record i: Int, reader: inout Cursor, column: UInt8, repeated: (Int) -> Text) -> Text {
        switch tag {
        case BlockFormat.Tag.reference:
            let offset = reader.varint(), length = reader.varint()
            return Text(column: 4, record: Int32(i), start: Int32(truncatingIfNeeded: offset), count: Int32(truncatingIfNeeded: length))
        case BlockFormat.Tag.literal:
            let length = reader.varint()
            let start = reader.at
            reader.at += length
            guard reader.at <= reader.end else { return .none }
            return Text(column: column, start: Int32(start), count: Int32(length))
        case BlockFormat.Tag.same:
            // The record that wrote the text out: always an earlier one (of its group).
            let k = reader.varint(), base = recordBase.isEmpty ? 0 : recordBase[i]
            guard k < i - base else { return .none }
            return repeated(base + k)
        default:
            return .none
        }
    }

    /// A read position in one record's entries of column 5 or 6.
    struct Cursor {
        let bytes: [UInt8]
        var at: Int
        let end: Int

        mutating func byte() -> UInt8 {
            guard at < end else { return 0 }
            defer { at += 1 }
            return bytes[at]
        }

        /// A varint as a length or offset (a damaged one reads as 0).
        mutating func varint() -> Int {
            Int(truncatingIfNeeded: min(wide(), UInt64(Int32.max)))
        }

        /// A varint of up to 64 bits.
        mutating func wide() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while at < end, shift < 64 {
                let b = bytes[at]
                at += 1
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
            return 0
        }
    }

    /// Record `i`'s slot `s`.
    func slot(_ i: Int, _ s: BlockFormat.Slot) -> Text {
        var cursor = Cursor(bytes: strings, at: slotStarts[i], end: slotStarts[i + 1])
        for k in 0...s.rawValue {
            let tag = cursor.byte()
            if k == s.rawValue {
                // A repeat points at the record that wrote the value out: one step back.
                return entry(tag, record: i, reader: &cursor, column: 5) { k in
                    let back = slotWrittenOut(k, s)
                    return back
                }
            }
            Self.skipEntry(tag, &cursor)
        }
        return .none
    }

    /// Slot `s` of record `k`, which wrote it out (a repeat there reads as nil: malformed).
    private func slotWrittenOut(_ k: Int, _ s: BlockFormat.Slot) -> Text {
        var cursor = Cursor(bytes: strings, at: slotStarts[k], end: slotStarts[k + 1])
        for _ in 0..<s.rawValue { Self.skipEntry(cursor.byte(), &cursor) }
        let tag = cursor.byte()
        return tag == BlockFormat.Tag.same ? .none : entry(tag, record: k, reader: &cursor, column: 5) { _ in .none }
    }

    /// Record `i`'s fields: names and values.
    func fields(_ i: Int) -> [(name: Text, value: Value)] {
        var cursor = Cursor(bytes: fieldBytes, at: fieldStarts[i], end: fieldStarts[i + 1])
        let n = cursor.varint()
        var out: [(name: Text, value: Value)] = []
        out.reserveCapacity(min(n, 64))
        for f in 0..<n where cursor.at < cursor.end {
            let name = entry(cursor.byte(), record: i, reader: &cursor, column: 6) { fieldName($0, f) }
            let tag = cursor.byte()
            let value: Value
            switch tag {
            case BlockFormat.ValueTag.null: value = .null
            case BlockFormat.ValueTag.no: value = .bool(false)
            case BlockFormat.ValueTag.yes: value = .bool(true)
            case BlockFormat.ValueTag.integer: value = .integer(Varint.unzigzag(cursor.wide()))
            case BlockFormat.ValueTag.float:
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(cursor.byte()) << (8 * UInt64(k)) }
                value = .float(Double(bitPattern: bits))
            default:
                value = tag >= 5 ? .text(entry(tag - 5, record: i, reader: &cursor, column: 6) { _ in .none }) : .null
            }
            out.append((name, value))
        }
        return out
    }

    /// The name of record `i`'s field number `f` (where a later record's repeat points): the
    /// fields before it are skipped, not read, and a repeat always points at a record that
    /// wrote the name out, so this never goes back more than once.
    private func fieldName(_ i: Int, _ f: Int) -> Text {
        var cursor = Cursor(bytes: fieldBytes, at: fieldStarts[i], end: fieldStarts[i + 1])
        let n = cursor.varint()
        guard f < n else { return .none }
        for _ in 0..<f {
            Self.skipEntry(cursor.byte(), &cursor)
            let tag = cursor.byte()
            switch tag {
            case BlockFormat.ValueTag.integer: _ = cursor.wide()
            case BlockFormat.ValueTag.float: cursor.at += 8
            case 5...: Self.skipEntry(tag - 5, &cursor)
            default: break
            }
        }
        let tag = cursor.byte()
        return tag == BlockFormat.Tag.same ? .none : entry(tag, record: i, reader: &cursor, column: 6) { _ in .none }
    }

    private static func skipEntry(_ tag: UInt8, _ cursor: inout Cursor) {
        switch tag {
        case BlockFormat.Tag.reference: _ = (cursor.varint(), cursor.varint())
        case BlockFormat.Tag.literal: cursor.at += cursor.varint()
        case BlockFormat.Tag.same: _ = cursor.varint()
        default: break
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
            // In Int: a damaged reference's start and count (each up to Int32.max) overflow Int32.
            let textEnd = Int(text.start) + Int(max(0, text.count))
            for h in holes[holeStarts[i]..<holeStarts[i + 1]] {
                let length = IDText.length(h.form, trace: traceID(i), span: spans[i])
                if textEnd <= Int(h.offset) { break }
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
                let end = min(line.count, textEnd)
                return body(UnsafeBufferPointer(rebasing: line[min(end, Int(text.start))..<end]))
            }
        }
        let column: [UInt8] = text.column == 5 ? strings : fieldBytes
        return column.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[Int(text.start)..<(Int(text.start) + Int(max(0, text.count)))])) }
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

    /// Record `i`'s trace ID; `nil` when it has none.
    func traceID(_ i: Int) -> TraceID? {
        traceLow[i].map { TraceID(high: traceHigh[i], low: $0) }
    }

    /// Whether record `i` belongs to the trace `id`: the 64/128-bit rule, ``TraceID/matches(_:)``
    /// (equal low halves, equal high halves where both are known). A record without a trace
    /// ID belongs to none.
    func traceMatches(_ i: Int, _ id: TraceID) -> Bool {
        traceID(i)?.matches(id) ?? false
    }

    /// Record `i`'s own time: as stored, or (blocks written before times were) read from its
    /// time text as then.
    func lineTime(_ i: Int) -> Int64? {
        times[i] ?? string(slot(i, .time)).flatMap(Timestamps.nanoseconds(parsing:))
    }

    /// Record `i` as the rest of Tracejoin sees it.
    func record(_ i: Int) -> LogRecord {
        let fields = fields(i).map { name, value -> LogRecord.Field in
            let v: FieldValue
            switch value {
            case .text(let t): v = .string(string(t) ?? "")
            case .integer(let x): v = .integer(x)
            case .float(let x): v = .float(x)
            case .bool(let x): v = .bool(x)
            case .null: v = .null
            }
            return LogRecord.Field(name: string(name) ?? "", value: v)
        }
        let line = withLine(i) { String(decoding: $0, as: UTF8.self) }
        return LogRecord(
            traceID: traceID(i), spanID: spans[i].map(SpanID.init),
            time: string(slot(i, .time)), level: string(slot(i, .level)), message: string(slot(i, .message)),
            file: string(slot(i, .file)) ?? "", source: string(slot(i, .source)) ?? "", rule: string(slot(i, .rule)) ?? "",
            raw: line, fields: fields, idError: string(slot(i, .idError)), timeNanoseconds: times[i])
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

    /// A varint that is a length or a count of which at most `limit` can be left.
    mutating func length(atMost limit: Int) throws(BlockCorruption) -> Int {
        let value = try varint()
        guard value <= UInt64(max(0, limit)) else { throw BlockCorruption(reason: "column \(column): a length past the end of what it measures") }
        return Int(value)
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
