import TraceContext
import TracejoinModel

/// A block of spans as stored: column by column, each column one zstd frame, framed as the line
/// blocks are (``BlockFormat``), so the same damage checks apply.
///
/// ```
/// "TJS1" · column count (u8) · span count (u32) · per column: raw length (u32), frame length (u32)
/// · the frames · checksum (u64, BlockFormat.checksum) of every byte before it
/// ```
/// All integers little-endian; varints are LEB128 (``Varint``), "zigzag" the signed form.
/// Rows are sorted by (trace low half, start, seq), so a trace's spans are neighbours and a
/// trace is found by binary search. The columns:
///
/// | # | column | per row |
/// |---|---|---|
/// | 0 | seq | the span's place in arrival order: zigzag varint difference from the previous row's |
/// | 1 | received | when it was stored (ns): zigzag varint difference from the previous row's |
/// | 2 | trace low | the trace ID's low half, 8 bytes |
/// | 3 | trace high | every row's flag byte (1: the high half is known), then the known high halves, 8 bytes each |
/// | 4 | span ID | 8 bytes |
/// | 5 | parent ID | every row's flag byte (1: it has a parent), then the parents' IDs, 8 bytes each |
/// | 6 | start | start (ns): zigzag varint difference from the previous row's |
/// | 7 | duration | duration (ns), zigzag varint (hostile input may send a negative one) |
/// | 8 | error | a byte, 0 or 1 |
/// | 9 | strings | the block's dictionary: count, then per string its UTF-8 length and bytes, each written once |
/// | 10 | texts | service, name, resource, type and protocol as dictionary indexes: all rows' services, then all names, resources, types, protocols |
/// | 11 | meta | count, then per tag (key index, value index), by key index |
/// | 12 | metrics | count, then per tag key index and the value's f64 bit pattern (8 bytes), by key index |
/// | 13 | resources | the resource table: count, then per distinct resource its attribute list, each written once |
/// | 14 | details | a flags byte (1 resource, 2 typed attributes, 4 events, 8 links), then those present: the resource's entry in column 13 (from 1); the typed attributes; events (count; per event its time as the zigzag varint difference from the span's start, its name index, its attributes); links (count; per link a flag byte (1: high half known), low half, high half if known, span ID (8 bytes each), its attributes) |
///
/// IDs are random: they are kept at a fixed width (zstd wastes no effort on them, and finds a
/// trace's repeated low half next door). Texts are written once in the dictionary (column 9)
/// and referred to by varint index, so a service's name costs a byte or two per span.
///
/// An attribute list is a count, then per attribute its key index, a tag byte (0 null, 1 false,
/// 2 true, 3 integer: zigzag varint, 4 float: f64 bit pattern, 5 string: dictionary index;
/// 0x80 set when the tracer sent bytes, ``SpanAttribute/isBinary``) and the value.
///
/// Every count and index read is checked against what is left of its column and against the
/// dictionary and resource table when the block is opened (``SpanBlock/init(bytes:)``), so
/// damage is a ``BlockCorruption`` there; a row's meta, metrics and details are then decoded
/// only when asked for.
enum SpanBlockFormat {
    static let magic: [UInt8] = Array("TJS1".utf8)
    static let columnCount = Column.allCases.count
    static let headerSize = BlockFormat.headerSize(columns: columnCount)
    /// The most a column may hold decompressed, and all the columns together: a block's
    /// declared sizes are checked against it before anything is decompressed.
    static let maxRawBytes = 256 << 20
    /// The most spans a block may hold (the store seals blocks far smaller).
    static let maxSpans = 1 << 20
    /// Service, name, resource, type and protocol: the texts of column 10, in order.
    static let textFields = 5

    enum Column: Int, CaseIterable {
        case seq, received, traceLow, traceHigh, spanID, parentID, start, duration, error, strings, texts, meta, metrics, resources, details
    }

    /// An attribute value's tag (the low bits) and ``binary``.
    enum ValueTag {
        static let null: UInt8 = 0
        static let no: UInt8 = 1
        static let yes: UInt8 = 2
        static let integer: UInt8 = 3
        static let float: UInt8 = 4
        static let string: UInt8 = 5
        static let binary: UInt8 = 0x80
    }

    /// Which parts of a span's details its row of column 14 holds.
    enum DetailFlag {
        static let resource: UInt8 = 1
        static let typed: UInt8 = 2
        static let events: UInt8 = 4
        static let links: UInt8 = 8
        static let all: UInt8 = 15
    }
}

/// A decoded span block. Rows are in the block's order (sorted by trace low half, start, seq).
///
/// The cheap columns, the dictionary and the resource table are decoded when the block is
/// opened; a row's meta, metrics and details are read from the decompressed columns when asked
/// for, so a trace lookup that needs a few rows of a block pays for those rows.
struct SpanBlock: Sendable {
    let count: Int
    // Cheap columns, decoded eagerly, one entry per row:
    let seq: [Int64]
    let received: [Int64]
    let traceLow: [UInt64]
    let traceHigh: [UInt64?]
    let spanID: [UInt64]
    let parentID: [UInt64?]
    let start: [Int64]
    let duration: [Int64]
    let error: [Bool]
    /// Index into `strings` for each row's service / name / resource / type / protocol.
    let service: [Int32]
    let name: [Int32]
    private let resource: [Int32]
    private let type: [Int32]
    private let protocolName: [Int32]
    /// The block's dictionary.
    let strings: [String]
    /// The resource table; entry 0 is no resource.
    private let resources: [[SpanAttribute]]
    /// Columns 11, 12 and 14 decompressed, and where each row's entries start in them
    /// (`count + 1` entries each).
    private let metaBytes: [UInt8]
    private let metaStarts: [Int]
    private let metricBytes: [UInt8]
    private let metricStarts: [Int]
    private let detailBytes: [UInt8]
    private let detailStarts: [Int]

    /// Checks and unpacks a stored block: any damage or hostile bytes throw, never trap, and
    /// nothing is allocated beyond what the block's declared (and bounded) sizes allow.
    init(bytes stored: [UInt8]) throws(BlockCorruption) {
        let (count, columns) = try Self.columns(stored)
        let u = try withColumns(columns) { (c) throws(BlockCorruption) -> Unpacked in try Self.unpack(c, count: count) }
        self.count = count
        seq = u.seq
        received = u.received
        traceLow = u.traceLow
        traceHigh = u.traceHigh
        spanID = u.spanID
        parentID = u.parentID
        start = u.start
        duration = u.duration
        error = u.error
        service = u.texts[0]
        name = u.texts[1]
        resource = u.texts[2]
        self.type = u.texts[3]
        protocolName = u.texts[4]
        strings = u.strings
        resources = u.resources
        metaBytes = columns[SpanBlockFormat.Column.meta.rawValue]
        metaStarts = u.metaStarts
        metricBytes = columns[SpanBlockFormat.Column.metrics.rawValue]
        metricStarts = u.metricStarts
        detailBytes = columns[SpanBlockFormat.Column.details.rawValue]
        detailStarts = u.detailStarts
    }

    // MARK: Reading rows

    /// The rows of the trace whose low half is `low` (contiguous, found by binary search).
    func rows(ofTrace low: UInt64) -> Range<Int> {
        var from = 0, to = count
        while from < to {
            let mid = from + (to - from) / 2
            if traceLow[mid] < low { from = mid + 1 } else { to = mid }
        }
        var end = from
        to = count
        while end < to {
            let mid = end + (to - end) / 2
            if traceLow[mid] <= low { end = mid + 1 } else { to = mid }
        }
        return from..<end
    }

    /// The whole span of row `i`, equal to the span appended: meta, metrics and details included.
    func span(_ i: Int) -> SpanRecord {
        var span = SpanRecord(
            traceID: TraceID(high: traceHigh[i], low: traceLow[i]), spanID: SpanID(spanID[i]), parentID: parentID[i].map(SpanID.init),
            service: text(service[i]), name: text(name[i]), resource: text(resource[i]), type: text(self.type[i]),
            start: start[i], duration: duration[i], error: error[i], meta: meta(i), metrics: metrics(i), protocolName: text(protocolName[i]))
        span.details = details(i)
        return span
    }

    /// The service of row `i`, as text.
    func serviceName(_ i: Int) -> String {
        text(service[i])
    }

    /// The meta value of `key` for row `i` (without building the whole span); nil if absent.
    func meta(_ i: Int, _ key: String) -> String? {
        let strings = self.strings
        let found = Self.read(metaBytes, from: metaStarts[i], .meta) { (r) throws(BlockCorruption) -> String? in
            let n = try r.length(atMost: r.bytes.count - r.at)
            var value: String?
            for _ in 0..<n {
                let k = try r.varint(), v = try r.varint()
                if Self.text(k, in: strings) == key { value = Self.text(v, in: strings) }
            }
            return value
        }
        return found ?? nil
    }

    /// The metrics value of `key` for row `i`; nil if absent.
    func metric(_ i: Int, _ key: String) -> Double? {
        let strings = self.strings
        let found = Self.read(metricBytes, from: metricStarts[i], .metrics) { (r) throws(BlockCorruption) -> Double? in
            let n = try r.length(atMost: r.bytes.count - r.at)
            var value: Double?
            for _ in 0..<n {
                let k = try r.varint(), bits = try r.u64()
                if Self.text(k, in: strings) == key { value = Double(bitPattern: bits) }
            }
            return value
        }
        return found ?? nil
    }

    /// Row `i`'s meta. A key written twice (never by the encoder) keeps its last value, as
    /// ``meta(_:_:)`` reads it.
    func meta(_ i: Int) -> [String: String] {
        let strings = self.strings
        return Self.read(metaBytes, from: metaStarts[i], .meta) { (r) throws(BlockCorruption) -> [String: String] in
            let n = try r.length(atMost: r.bytes.count - r.at)
            var meta = [String: String](minimumCapacity: n)
            for _ in 0..<n {
                let k = try r.varint(), v = try r.varint()
                meta[Self.text(k, in: strings)] = Self.text(v, in: strings)
            }
            return meta
        } ?? [:]
    }

    /// Row `i`'s metrics.
    func metrics(_ i: Int) -> [String: Double] {
        let strings = self.strings
        return Self.read(metricBytes, from: metricStarts[i], .metrics) { (r) throws(BlockCorruption) -> [String: Double] in
            let n = try r.length(atMost: r.bytes.count - r.at)
            var metrics = [String: Double](minimumCapacity: n)
            for _ in 0..<n {
                let k = try r.varint(), bits = try r.u64()
                metrics[Self.text(k, in: strings)] = Double(bitPattern: bits)
            }
            return metrics
        } ?? [:]
    }

    /// Row `i`'s details (events, links, resource, typed attributes).
    func details(_ i: Int) -> SpanDetails {
        let strings = self.strings, resources = self.resources, start = self.start[i]
        return Self.read(detailBytes, from: detailStarts[i], .details) { (r) throws(BlockCorruption) -> SpanDetails in
            try Self.details(&r, strings: strings, resources: resources.count, table: resources, start: start, build: true)
        } ?? SpanDetails()
    }

    private func text(_ index: Int32) -> String {
        Self.text(UInt64(UInt32(bitPattern: index)), in: strings)
    }

    /// Dictionary entry `index`; checked when the block was opened, so "" is never seen.
    private static func text(_ index: UInt64, in strings: [String]) -> String {
        index < UInt64(strings.count) ? strings[Int(index)] : ""
    }

    /// Runs `body` on a reader of `bytes` at `start`; nil where it throws (it cannot: every
    /// row was walked when the block was opened).
    private static func read<T>(_ bytes: [UInt8], from start: Int, _ column: SpanBlockFormat.Column,
                                _ body: (inout ByteReader) throws(BlockCorruption) -> T) -> T? {
        bytes.withUnsafeBufferPointer { buffer -> T? in
            var reader = ByteReader(buffer, column: column.rawValue)
            reader.at = start
            do {
                return try body(&reader)
            } catch {
                return nil
            }
        }
    }

    // MARK: Opening

    /// The header checked, the checksum compared and every frame decompressed.
    private static func columns(_ stored: [UInt8]) throws(BlockCorruption) -> (count: Int, columns: [[UInt8]]) {
        typealias F = SpanBlockFormat
        let n = stored.count
        guard n >= F.headerSize + BlockFormat.trailerSize else {
            throw BlockCorruption(reason: "span block of \(n) bytes is shorter than its header")
        }
        let header = stored.withUnsafeBytes { b -> (sumOK: Bool, known: Bool, count: Int, lengths: [(raw: Int, frame: Int)]) in
            let expected = b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self).littleEndian
            let sumOK = BlockFormat.checksum(UnsafeRawBufferPointer(rebasing: b[0..<(n - 8)])) == expected
            guard sumOK, b.starts(with: F.magic), Int(b[4]) == F.columnCount else { return (sumOK, false, 0, []) }
            let count = Int(b.loadUnaligned(fromByteOffset: 5, as: UInt32.self).littleEndian)
            let lengths = (0..<F.columnCount).map { i in
                (raw: Int(b.loadUnaligned(fromByteOffset: 9 + i * 8, as: UInt32.self).littleEndian),
                 frame: Int(b.loadUnaligned(fromByteOffset: 13 + i * 8, as: UInt32.self).littleEndian))
            }
            return (sumOK, true, count, lengths)
        }
        guard header.sumOK else { throw BlockCorruption(reason: "checksum mismatch") }
        guard header.known else { throw BlockCorruption(reason: "not a TJS1 block of \(F.columnCount) columns") }
        let count = header.count
        guard count <= F.maxSpans else { throw BlockCorruption(reason: "span block declares \(count) spans, more than \(F.maxSpans)") }
        // The fixed-width columns' sizes follow from the count: checked before anything is
        // allocated for that many rows.
        let fixed: [(F.Column, Int)] = [(.traceLow, 8), (.spanID, 8), (.error, 1)]
        for (column, width) in fixed where header.lengths[column.rawValue].raw != count * width {
            throw BlockCorruption(reason: "column \(column.rawValue) holds \(header.lengths[column.rawValue].raw) bytes for \(count) spans")
        }
        // Each length is at most 2^32 - 1: their sum cannot overflow.
        let total = header.lengths.reduce(0) { $0 + $1.raw }
        guard total <= F.maxRawBytes else {
            throw BlockCorruption(reason: "span block declares \(total) bytes of columns, more than a block's \(F.maxRawBytes)")
        }
        var columns: [[UInt8]] = []
        columns.reserveCapacity(F.columnCount)
        var at = F.headerSize
        let end = n - BlockFormat.trailerSize
        for (i, (rawLength, frameLength)) in header.lengths.enumerated() {
            guard frameLength > 0, frameLength <= end - at else {
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
        guard at == end else { throw BlockCorruption(reason: "\(end - at) bytes after the last column") }
        return (count, columns)
    }

    /// What ``unpack(_:count:)`` reads out of the columns.
    private struct Unpacked {
        var seq: [Int64] = [], received: [Int64] = [], start: [Int64] = [], duration: [Int64] = []
        var traceLow: [UInt64] = [], traceHigh: [UInt64?] = [], spanID: [UInt64] = [], parentID: [UInt64?] = []
        var error: [Bool] = []
        var strings: [String] = []
        var texts: [[Int32]] = []
        var resources: [[SpanAttribute]] = []
        var metaStarts: [Int] = [], metricStarts: [Int] = [], detailStarts: [Int] = []
    }

    /// Reads every column, checking each count and index against what is left of its column,
    /// the dictionary and the resource table, and that each column is read to its end.
    private static func unpack(_ c: [UnsafeBufferPointer<UInt8>], count: Int) throws(BlockCorruption) -> Unpacked {
        typealias Column = SpanBlockFormat.Column
        func reader(_ column: Column) -> ByteReader { ByteReader(c[column.rawValue], column: column.rawValue) }
        var u = Unpacked()

        u.seq = try deltas(reader(.seq), count: count)
        u.received = try deltas(reader(.received), count: count)
        u.start = try deltas(reader(.start), count: count)
        var durations = reader(.duration)
        u.duration.reserveCapacity(count)
        for _ in 0..<count { u.duration.append(try Varint.unzigzag(durations.varint())) }
        try finish(durations)

        var lows = reader(.traceLow)
        u.traceLow.reserveCapacity(count)
        for _ in 0..<count { u.traceLow.append(try lows.u64()) }
        try finish(lows)
        for i in u.traceLow.indices.dropFirst() where u.traceLow[i - 1] > u.traceLow[i] {
            throw BlockCorruption(reason: "column \(Column.traceLow.rawValue): rows not in trace order at row \(i)")
        }
        var spans = reader(.spanID)
        u.spanID.reserveCapacity(count)
        for _ in 0..<count { u.spanID.append(try spans.u64()) }
        try finish(spans)
        u.traceHigh = try optionalIDs(reader(.traceHigh), count: count)
        u.parentID = try optionalIDs(reader(.parentID), count: count)
        var errors = reader(.error)
        u.error.reserveCapacity(count)
        for _ in 0..<count {
            switch try errors.byte() {
            case 0: u.error.append(false)
            case 1: u.error.append(true)
            default: throw BlockCorruption(reason: "column \(Column.error.rawValue): an error flag other than 0 or 1")
            }
        }
        try finish(errors)

        // The dictionary: every entry takes at least its length's byte.
        var strings = reader(.strings)
        let stringCount = try strings.length(atMost: strings.bytes.count - strings.at)
        u.strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount {
            let length = try strings.length(atMost: strings.bytes.count - strings.at)
            u.strings.append(String(decoding: try strings.bytes(length), as: UTF8.self))
        }
        try finish(strings)
        let entries = u.strings, dictionary = entries.count

        var texts = reader(.texts)
        for _ in 0..<SpanBlockFormat.textFields {
            var run: [Int32] = []
            run.reserveCapacity(count)
            for _ in 0..<count { run.append(try index(&texts, below: dictionary)) }
            u.texts.append(run)
        }
        try finish(texts)

        var meta = reader(.meta)
        u.metaStarts.reserveCapacity(count + 1)
        u.metaStarts.append(0)
        for _ in 0..<count {
            // Each tag takes at least two bytes.
            let n = try meta.length(atMost: (meta.bytes.count - meta.at) / 2)
            for _ in 0..<n {
                _ = try index(&meta, below: dictionary)
                _ = try index(&meta, below: dictionary)
            }
            u.metaStarts.append(meta.at)
        }
        try finish(meta)

        var metrics = reader(.metrics)
        u.metricStarts.reserveCapacity(count + 1)
        u.metricStarts.append(0)
        for _ in 0..<count {
            // Each tag takes at least nine bytes.
            let n = try metrics.length(atMost: (metrics.bytes.count - metrics.at) / 9)
            for _ in 0..<n {
                _ = try index(&metrics, below: dictionary)
                _ = try metrics.skip(8)
            }
            u.metricStarts.append(metrics.at)
        }
        try finish(metrics)

        // The resource table: each list takes at least its count's byte.
        var resources = reader(.resources)
        let resourceCount = try resources.length(atMost: resources.bytes.count - resources.at)
        u.resources.reserveCapacity(resourceCount + 1)
        u.resources.append([])
        for _ in 0..<resourceCount { u.resources.append(try attributes(&resources, strings: entries, build: true)) }
        try finish(resources)

        // Details are walked (checked, nothing built) to find where each row starts.
        let tableCount = u.resources.count
        var details = reader(.details)
        u.detailStarts.reserveCapacity(count + 1)
        u.detailStarts.append(0)
        for _ in 0..<count {
            _ = try Self.details(&details, strings: entries, resources: tableCount, table: [], start: 0, build: false)
            u.detailStarts.append(details.at)
        }
        try finish(details)
        return u
    }

    /// `count` zigzag varint differences, each from the previous value (the first from 0).
    private static func deltas(_ r: ByteReader, count: Int) throws(BlockCorruption) -> [Int64] {
        var r = r
        var values: [Int64] = []
        values.reserveCapacity(count)
        var value: Int64 = 0
        for _ in 0..<count {
            value &+= try Varint.unzigzag(r.varint())
            values.append(value)
        }
        try finish(r)
        return values
    }

    /// `count` flag bytes (1: present), then the present values, 8 bytes each.
    private static func optionalIDs(_ r: ByteReader, count: Int) throws(BlockCorruption) -> [UInt64?] {
        var r = r
        let flags = try r.bytes(count)
        var values: [UInt64?] = []
        values.reserveCapacity(count)
        for flag in flags {
            switch flag {
            case 0: values.append(nil)
            case 1: values.append(try r.u64())
            default: throw BlockCorruption(reason: "column \(r.column): a presence flag other than 0 or 1")
            }
        }
        try finish(r)
        return values
    }

    /// A dictionary (or table) index, checked to be below `limit`.
    private static func index(_ r: inout ByteReader, below limit: Int) throws(BlockCorruption) -> Int32 {
        let value = try r.varint()
        guard value < UInt64(limit) else { throw BlockCorruption(reason: "column \(r.column): index \(value) past the \(limit) entries") }
        // Below the dictionary's size, which is below a column's (2^28).
        return Int32(truncatingIfNeeded: value)
    }

    private static func finish(_ r: ByteReader) throws(BlockCorruption) {
        guard r.at == r.bytes.count else { throw BlockCorruption(reason: "column \(r.column): \(r.bytes.count - r.at) bytes past its rows") }
    }

    /// An attribute list (see ``SpanBlockFormat``); built when `build`, else only checked.
    private static func attributes(_ r: inout ByteReader, strings: [String], build: Bool) throws(BlockCorruption) -> [SpanAttribute] {
        typealias Tag = SpanBlockFormat.ValueTag
        // Each attribute takes at least a key index and a tag.
        let n = try r.length(atMost: (r.bytes.count - r.at) / 2)
        var list: [SpanAttribute] = []
        if build { list.reserveCapacity(n) }
        for _ in 0..<n {
            let key = try index(&r, below: strings.count)
            let tag = try r.byte()
            let value: FieldValue
            switch tag & ~Tag.binary {
            case Tag.null: value = .null
            case Tag.no: value = .bool(false)
            case Tag.yes: value = .bool(true)
            case Tag.integer: value = .integer(try Varint.unzigzag(r.varint()))
            case Tag.float: value = .float(Double(bitPattern: try r.u64()))
            case Tag.string:
                let s = try index(&r, below: strings.count)
                value = build ? .string(strings[Int(s)]) : .null
            default: throw BlockCorruption(reason: "column \(r.column): attribute tag \(tag)")
            }
            if build { list.append(SpanAttribute(strings[Int(key)], value, isBinary: tag & Tag.binary != 0)) }
        }
        return list
    }

    /// A row of column 14 (see ``SpanBlockFormat``): built when `build` (with `table`, the
    /// resource table), else only checked (against `resources` entries).
    private static func details(_ r: inout ByteReader, strings: [String], resources: Int, table: [[SpanAttribute]], start: Int64,
                                build: Bool) throws(BlockCorruption) -> SpanDetails {
        typealias Flag = SpanBlockFormat.DetailFlag
        let flags = try r.byte()
        guard flags & ~Flag.all == 0 else { throw BlockCorruption(reason: "column \(r.column): details flags \(flags)") }
        var d = SpanDetails()
        if flags & Flag.resource != 0 {
            let entry = try r.varint()
            guard entry >= 1, entry < UInt64(resources) else {
                throw BlockCorruption(reason: "column \(r.column): resource \(entry) past the table's \(resources - 1)")
            }
            if build, Int(entry) < table.count { d.resource = table[Int(entry)] }
        }
        if flags & Flag.typed != 0 {
            let typed = try attributes(&r, strings: strings, build: build)
            if build { d.typed = typed }
        }
        if flags & Flag.events != 0 {
            // Each event takes at least a time, a name and an attribute count.
            let n = try r.length(atMost: (r.bytes.count - r.at) / 3)
            if build { d.events.reserveCapacity(n) }
            for _ in 0..<n {
                let time = try start &+ Varint.unzigzag(r.varint())
                let name = try index(&r, below: strings.count)
                let list = try attributes(&r, strings: strings, build: build)
                if build { d.events.append(SpanDetails.Event(time: time, name: strings[Int(name)], attributes: list)) }
            }
        }
        if flags & Flag.links != 0 {
            // Each link takes at least a flag, two IDs and an attribute count.
            let n = try r.length(atMost: (r.bytes.count - r.at) / 18)
            if build { d.links.reserveCapacity(n) }
            for _ in 0..<n {
                let flag = try r.byte()
                guard flag <= 1 else { throw BlockCorruption(reason: "column \(r.column): link flag \(flag)") }
                let low = try r.u64()
                var high: UInt64?
                if flag == 1 { high = try r.u64() }
                let span = try r.u64()
                let list = try attributes(&r, strings: strings, build: build)
                if build { d.links.append(SpanDetails.Link(traceID: TraceID(high: high, low: low), spanID: SpanID(span), attributes: list)) }
            }
        }
        return d
    }
}

// MARK: Filter

/// The block's bloom filter: span IDs, services, and tags (meta key=value, metrics key=value
/// with the number written as Swift's `Double.description`, and `error` = `true` or `false`), so
/// a search skips blocks. Texts are compared as bytes (exactly, no case folding).
///
/// About ``bitsPerEntry`` bits per distinct entry (at most ``maxBytes``), ``probes`` probes
/// from one 64-bit hash (double hashing: the probes are `h mod m`, then steps of a second mix of
/// `h`). The hash is FNV-1a-64 over a kind byte and the entry's bytes, finished with
/// splitmix64's finalizer: the same in every process and build (never Swift's `Hasher`). An
/// empty filter (`[]`) knows nothing: it answers true to everything.
enum SpanFilter {
    static let bitsPerEntry = 10
    static let probes = 7
    static let maxBytes = 64 << 10

    private enum Kind {
        static let spanID: UInt8 = 1
        static let service: UInt8 = 2
        static let tag: UInt8 = 3
    }

    /// Between a tag's key and value: a byte UTF-8 never holds.
    private static let separator: UInt8 = 0xFF

    static func mayContain(_ filter: [UInt8], spanID: UInt64) -> Bool {
        mayContain(filter, hash: hash(spanID: spanID))
    }

    static func mayContain(_ filter: [UInt8], service: String) -> Bool {
        mayContain(filter, hash: hash(service: service))
    }

    static func mayContain(_ filter: [UInt8], tag key: String, value: String) -> Bool {
        mayContain(filter, hash: hash(tag: key, value: value))
    }

    static func mayContain(_ filter: [UInt8], tag key: String, number: Double) -> Bool {
        mayContain(filter, hash: hash(tag: key, number: number))
    }

    // MARK: Hashes

    private struct FNV {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325

        mutating func add(_ byte: UInt8) {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }

        mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
            for b in bytes { add(b) }
        }

        mutating func add(_ text: String) {
            var text = text
            text.withUTF8 { add($0) }
        }
    }

    /// splitmix64's finalizer.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hash(spanID: UInt64) -> UInt64 {
        var f = FNV()
        f.add(Kind.spanID)
        for k in 0..<8 { f.add(UInt8(truncatingIfNeeded: spanID >> UInt64(8 * k))) }
        return mix(f.h)
    }

    static func hash(service: String) -> UInt64 {
        var f = FNV()
        f.add(Kind.service)
        f.add(service)
        return mix(f.h)
    }

    static func hash(tag key: String, value: String) -> UInt64 {
        var f = FNV()
        f.add(Kind.tag)
        f.add(key)
        f.add(separator)
        f.add(value)
        return mix(f.h)
    }

    static func hash(tag key: String, number: Double) -> UInt64 {
        hash(tag: key, value: number.description)
    }

    // MARK: Bits

    /// The filter of `hashes` (distinct entries' hashes); `[]` for none.
    static func make(_ hashes: some Collection<UInt64>) -> [UInt8] {
        guard !hashes.isEmpty else { return [] }
        let (wanted, overflow) = hashes.count.multipliedReportingOverflow(by: bitsPerEntry)
        let size = overflow ? maxBytes : min(maxBytes, max(8, (wanted + 7) / 8))
        var filter = [UInt8](repeating: 0, count: size)
        let bits = size * 8
        for h in hashes {
            let p = probeStart(h, bits: bits)
            var at = p.first
            for _ in 0..<probes {
                filter[at >> 3] |= 1 << UInt8(at & 7)
                at += p.step
                if at >= bits { at -= bits }
            }
        }
        return filter
    }

    /// Whether the entry whose hash is `hash` may be in the block (an empty filter: unknown, true).
    static func mayContain(_ filter: [UInt8], hash: UInt64) -> Bool {
        guard !filter.isEmpty else { return true }
        let bits = filter.count * 8
        let p = probeStart(hash, bits: bits)
        var at = p.first
        for _ in 0..<probes {
            guard (filter[at >> 3] >> UInt8(at & 7)) & 1 != 0 else { return false }
            at += p.step
            if at >= bits { at -= bits }
        }
        return true
    }

    /// The first probe of `hash` in a filter of `bits` bits, and the step between probes (both
    /// below `bits`, so a probe plus a step never overflows).
    private static func probeStart(_ hash: UInt64, bits: Int) -> (first: Int, step: Int) {
        let m = UInt64(bits)
        let step = mix(hash ^ 0x9E37_79B9_7F4A_7C15) % m
        return (Int(hash % m), Int(step == 0 ? 1 : step))
    }
}

// MARK: Fuzzing

/// The `span-block` fuzz target's way in (the decoder is internal to the index).
package enum SpanBlockFuzzing {
    /// Decodes `bytes`, with their last eight made the checksum of the rest so that the decoder
    /// past the checksum is reached, and reads every row. Returns what is wrong when a property
    /// fails: every row is in the rows of its trace.
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let decoded = try? SpanBlock(bytes: BlockFormat.checksumMadeRight(bytes)) else { return nil }
        for i in 0..<decoded.count {
            let span = decoded.span(i)
            _ = decoded.serviceName(i)
            if let key = span.meta.keys.first, decoded.meta(i, key) == nil { return "row \(i): meta \(key) not found by key" }
            if let key = span.metrics.keys.first, decoded.metric(i, key) == nil { return "row \(i): metric \(key) not found by key" }
            if !decoded.rows(ofTrace: decoded.traceLow[i]).contains(i) { return "row \(i) is not among the rows of its trace" }
        }
        return nil
    }

    /// A valid block, for the target's seed corpus (`tracejoin-fuzz seed-span-block FILE`).
    package static func seed() -> [UInt8] {
        var encoder = SpanBlockEncoder()
        let resource = [SpanAttribute("service.name", .string("checkout")), SpanAttribute("host.cores", .integer(8))]
        for i in 0..<12 {
            var span = SpanRecord(
                traceID: TraceID(high: i % 3 == 0 ? nil : 0x6b06_0b90_0000_0000, low: UInt64(100 + i % 4)), spanID: SpanID(UInt64(1_000 + i)),
                parentID: i % 4 == 0 ? nil : SpanID(UInt64(1_000 + i - 1)), service: ["web", "db", "checkout"][i % 3], name: "op \(i % 5)",
                resource: "GET /items/\(i % 2)", type: "web", start: 1_765_000_000_000_000_000 + Int64(i) * 1_000, duration: Int64(i) * 77,
                error: i % 5 == 0, meta: ["env": "prod", "http.status_code": i % 2 == 0 ? "200" : "500"], metrics: ["_sampling_priority_v1": 1],
                protocolName: i % 2 == 0 ? "otlp" : "datadog-v0.4")
            if i % 2 == 0 {
                span.details = SpanDetails(
                    events: [SpanDetails.Event(time: span.start + 5, name: "exception", attributes: [SpanAttribute("exception.message", .string("boom"))])],
                    links: [SpanDetails.Link(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), attributes: [SpanAttribute("n", .float(1.5))])],
                    resource: resource, typed: [SpanAttribute("retry", .bool(true)), SpanAttribute("payload", .string("AQI="), isBinary: true)])
            }
            encoder.append(seq: Int64(12 - i), received: 1_765_000_000_100_000_000 + Int64(i / 4), span)
        }
        return encoder.seal(with: ZstdCompressor(level: 1))
    }
}
