import CZstd
import TraceContext
import TracejoinModel

/// What the catalog row of a span block says about it.
struct SpanBlockSummary: Sendable {
    var count: Int
    /// Smallest seq in the block.
    var firstSeq: Int64
    /// Largest seq.
    var lastSeq: Int64
    /// Smallest span start (ns).
    var minStart: Int64
    /// Largest span start (ns).
    var maxStart: Int64
    var minReceived: Int64
    var maxReceived: Int64
    /// OR of `BlockFormat.bit(of: service)` over the spans.
    var services: UInt64
    /// Spans with `error == true`.
    var errors: Int
    /// Each distinct trace low half and its span count, by low half.
    var traces: [(low: UInt64, spans: Int)]
    /// An estimate of the spans' uncompressed size: what the encoder holds for them (a
    /// resource shared by many spans counts once, as it is stored once).
    var rawBytes: Int
    /// The bloom filter (``SpanFilter``).
    var filter: [UInt8]
}

/// Builds one span block (``SpanBlockFormat``) from spans in any order.
///
/// Texts are interned into the block's dictionary as they are appended and each row's meta,
/// metrics and details are written as bytes then; ``seal(with:)`` sorts the rows and lays the
/// columns out. Interning compares bytes, not Swift's canonical equivalence, so a text comes
/// back with the bytes it went in with.
///
/// A block is sealed well before it nears ``SpanBlockFormat/maxSpans`` spans or
/// ``SpanBlockFormat/maxRawBytes`` of columns (``SpanBlockSummary/rawBytes`` estimates them):
/// a larger one would be refused as damaged when read.
struct SpanBlockEncoder: Sendable {
    // Per row, in the order appended.
    private var seqs: [Int64] = []
    private var receiveds: [Int64] = []
    private var traceLows: [UInt64] = []
    private var traceHighs: [UInt64?] = []
    private var spanIDs: [UInt64] = []
    private var parents: [UInt64?] = []
    private var starts: [Int64] = []
    private var durations: [Int64] = []
    private var errors: [Bool] = []
    /// ``SpanBlockFormat/textFields`` dictionary indexes per row.
    private var texts: [Int32] = []
    /// Each row's entries of columns 11, 12 and 14, back to back, and where each row's end.
    private var metaBytes: [UInt8] = []
    private var metaEnds: [Int] = []
    private var metricBytes: [UInt8] = []
    private var metricEnds: [Int] = []
    private var detailBytes: [UInt8] = []
    private var detailEnds: [Int] = []

    /// The dictionary: each text's index (the first text of its canonical equivalence class;
    /// others get entries of their own), the number of entries, and the entries as written.
    private var stringIndex: [String: Int32] = [:]
    private var stringCount: Int32 = 0
    private var stringBytes: [UInt8] = []

    /// The resource table: each distinct list's entry (from 1) by its bytes as written, the
    /// number of entries, the entries as written; and the last list seen, whose storage spans
    /// of one request share, found again without encoding it.
    private var resourceIndex: [EncodedList: Int] = [:]
    private var resourceCount = 0
    private var resourceBytes: [UInt8] = []
    private var lastResource: [SpanAttribute] = []
    private var lastResourceEntry = 0

    // What the summary is made of.
    private var firstSeq = Int64.max, lastSeq = Int64.min
    private var minStart = Int64.max, maxStart = Int64.min
    private var minReceived = Int64.max, maxReceived = Int64.min
    private var services: UInt64 = 0
    private var errorCount = 0
    private var traceCounts: [UInt64: Int] = [:]
    private var rawBytes = 0
    /// The filter's entries: their hashes, repeats included (sorted and made unique when the
    /// filter is built: cheaper than a set's hashing on every tag of every span).
    private var filterHashes: [UInt64] = []

    // Scratch buffers, reused.
    private var metaPairs: [(key: Int32, value: Int32)] = []
    private var metricPairs: [(key: Int32, bits: UInt64)] = []

    /// An attribute list as written, as a dictionary key (hashed as bytes).
    private struct EncodedList: Hashable, Sendable {
        var bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// What a row costs before its texts, in ``SpanBlockSummary/rawBytes``: seq, received, the
    /// IDs, start, duration, error.
    private static let fixedRowBytes = 8 * 2 + 8 * 4 + 8 * 2 + 1

    init() {}

    var count: Int { seqs.count }

    /// Appends a span. `seq`: its place in arrival order (unique; any order); `received`:
    /// when it was stored (ns).
    mutating func append(seq: Int64, received: Int64, _ span: SpanRecord) {
        seqs.append(seq)
        receiveds.append(received)
        traceLows.append(span.traceID.low)
        traceHighs.append(span.traceID.high)
        spanIDs.append(span.spanID.value)
        parents.append(span.parentID?.value)
        starts.append(span.start)
        durations.append(span.duration)
        errors.append(span.error)
        appendText(span.service)
        appendText(span.name)
        appendText(span.resource)
        appendText(span.type)
        appendText(span.protocolName)

        firstSeq = min(firstSeq, seq)
        lastSeq = max(lastSeq, seq)
        minStart = min(minStart, span.start)
        maxStart = max(maxStart, span.start)
        minReceived = min(minReceived, received)
        maxReceived = max(maxReceived, received)
        services |= BlockFormat.bit(of: span.service)
        if span.error { errorCount += 1 }
        traceCounts[span.traceID.low, default: 0] += 1
        rawBytes += Self.fixedRowBytes
        filterHashes.append(SpanFilter.hash(spanID: span.spanID.value))
        filterHashes.append(SpanFilter.hash(service: span.service))
        filterHashes.append(SpanFilter.hash(tag: "error", value: span.error ? "true" : "false"))

        appendMeta(span.meta)
        appendMetrics(span.metrics)
        appendDetails(span.details, start: span.start)
    }

    /// One of the row's ``SpanBlockFormat/textFields``.
    private mutating func appendText(_ text: String) {
        let index = intern(text)
        texts.append(index)
        rawBytes += text.utf8.count
    }

    /// Column 11's row: tags by key index, so rows with the same keys are written alike.
    private mutating func appendMeta(_ meta: [String: String]) {
        var pairs: [(key: Int32, value: Int32)] = []
        swap(&pairs, &metaPairs)
        pairs.removeAll(keepingCapacity: true)
        for (key, value) in meta {
            let k = intern(key)
            let v = intern(value)
            pairs.append((k, v))
            rawBytes += key.utf8.count + value.utf8.count
            filterHashes.append(SpanFilter.hash(tag: key, value: value))
        }
        pairs.sort { $0.key < $1.key }
        Varint.write(UInt64(pairs.count), into: &metaBytes)
        for p in pairs {
            Varint.write(UInt64(p.key), into: &metaBytes)
            Varint.write(UInt64(p.value), into: &metaBytes)
        }
        metaEnds.append(metaBytes.count)
        swap(&pairs, &metaPairs)
    }

    /// Column 12's row: tags by key index.
    private mutating func appendMetrics(_ metrics: [String: Double]) {
        var pairs: [(key: Int32, bits: UInt64)] = []
        swap(&pairs, &metricPairs)
        pairs.removeAll(keepingCapacity: true)
        for (key, value) in metrics {
            let k = intern(key)
            pairs.append((k, value.bitPattern))
            rawBytes += key.utf8.count + 8
            filterHashes.append(SpanFilter.hash(tag: key, number: value))
        }
        pairs.sort { $0.key < $1.key }
        Varint.write(UInt64(pairs.count), into: &metricBytes)
        for p in pairs {
            Varint.write(UInt64(p.key), into: &metricBytes)
            LogBlockEncoder.append(p.bits, to: &metricBytes)
        }
        metricEnds.append(metricBytes.count)
        swap(&pairs, &metricPairs)
    }

    /// Column 14's row.
    private mutating func appendDetails(_ d: SpanDetails, start: Int64) {
        typealias Flag = SpanBlockFormat.DetailFlag
        var out: [UInt8] = []
        swap(&out, &detailBytes)
        var flags: UInt8 = 0
        if !d.resource.isEmpty { flags |= Flag.resource }
        if !d.typed.isEmpty { flags |= Flag.typed }
        if !d.events.isEmpty { flags |= Flag.events }
        if !d.links.isEmpty { flags |= Flag.links }
        out.append(flags)
        if !d.resource.isEmpty {
            let entry = resourceEntry(d.resource)
            Varint.write(UInt64(entry), into: &out)
        }
        if !d.typed.isEmpty {
            writeAttributes(d.typed, into: &out)
            rawBytes += Self.size(of: d.typed)
        }
        if !d.events.isEmpty {
            Varint.write(UInt64(d.events.count), into: &out)
            for e in d.events {
                // Wrapping on purpose: reading adds it back the same way, whatever the times.
                Varint.write(Varint.zigzag(e.time &- start), into: &out)
                let name = intern(e.name)
                Varint.write(UInt64(name), into: &out)
                writeAttributes(e.attributes, into: &out)
                rawBytes += 8 + e.name.utf8.count + Self.size(of: e.attributes)
            }
        }
        if !d.links.isEmpty {
            Varint.write(UInt64(d.links.count), into: &out)
            for l in d.links {
                out.append(l.traceID.high == nil ? 0 : 1)
                LogBlockEncoder.append(l.traceID.low, to: &out)
                if let high = l.traceID.high { LogBlockEncoder.append(high, to: &out) }
                LogBlockEncoder.append(l.spanID.value, to: &out)
                writeAttributes(l.attributes, into: &out)
                rawBytes += 24 + Self.size(of: l.attributes)
            }
        }
        swap(&out, &detailBytes)
        detailEnds.append(detailBytes.count)
    }

    /// The resource table's entry (from 1) of `list`, which is added when new.
    private mutating func resourceEntry(_ list: [SpanAttribute]) -> Int {
        if lastResourceEntry > 0, Self.sameStorage(list, lastResource) { return lastResourceEntry }
        var bytes: [UInt8] = []
        writeAttributes(list, into: &bytes)
        let key = EncodedList(bytes: bytes)
        let entry: Int
        if let known = resourceIndex[key] {
            entry = known
        } else {
            resourceCount += 1
            entry = resourceCount
            resourceIndex[key] = entry
            resourceBytes.append(contentsOf: bytes)
            rawBytes += Self.size(of: list)
        }
        lastResource = list
        lastResourceEntry = entry
        return entry
    }

    /// Whether two lists are one array's storage (held here, so its address is not reused).
    private static func sameStorage(_ a: [SpanAttribute], _ b: [SpanAttribute]) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
    }

    /// An attribute list (see ``SpanBlockFormat``), its texts interned.
    private mutating func writeAttributes(_ list: [SpanAttribute], into out: inout [UInt8]) {
        typealias Tag = SpanBlockFormat.ValueTag
        Varint.write(UInt64(list.count), into: &out)
        for a in list {
            let key = intern(a.key)
            Varint.write(UInt64(key), into: &out)
            let binary = a.isBinary ? Tag.binary : 0
            switch a.value {
            case .null:
                out.append(Tag.null | binary)
            case .bool(let b):
                out.append((b ? Tag.yes : Tag.no) | binary)
            case .integer(let i):
                out.append(Tag.integer | binary)
                Varint.write(Varint.zigzag(i), into: &out)
            case .float(let d):
                out.append(Tag.float | binary)
                LogBlockEncoder.append(d.bitPattern, to: &out)
            case .string(let s):
                let index = intern(s)
                out.append(Tag.string | binary)
                Varint.write(UInt64(index), into: &out)
            }
        }
    }

    /// What an attribute list costs in ``SpanBlockSummary/rawBytes``.
    private static func size(of list: [SpanAttribute]) -> Int {
        list.reduce(0) { total, a in
            if case .string(let s) = a.value { return total + a.key.utf8.count + s.utf8.count }
            return total + a.key.utf8.count + 8
        }
    }

    /// `text`'s dictionary index, added when new. A text canonically equivalent to one
    /// already there but of other bytes (another Unicode normalization) gets an entry of its
    /// own, so that it reads back with its own bytes.
    private mutating func intern(_ text: String) -> Int32 {
        if let at = stringIndex.index(forKey: text) {
            let known = stringIndex[at]
            if Self.sameBytes(known.key, text) { return known.value }
            return addString(text)
        }
        let index = addString(text)
        stringIndex[text] = index
        return index
    }

    private mutating func addString(_ text: String) -> Int32 {
        let index = stringCount
        stringCount += 1
        var text = text
        text.withUTF8 { bytes in
            Varint.write(UInt64(bytes.count), into: &stringBytes)
            stringBytes.append(contentsOf: bytes)
        }
        return index
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { (x) -> Bool in
            b.withUTF8 { (y) -> Bool in
                guard x.count == y.count else { return false }
                guard x.count > 0, let p = x.baseAddress, let q = y.baseAddress else { return true }
                return memcmp(p, q, x.count) == 0
            }
        }
    }

    /// Gives the rows, in the order appended, the seqs `first`, `first + 1`, … and the receive
    /// time `received`: spans are encoded before the store's write turn (where their seqs and
    /// time are taken), then stamped in it.
    mutating func restamp(firstSeq first: Int64, received: Int64) {
        guard count > 0 else { return }
        for i in seqs.indices {
            seqs[i] = first &+ Int64(i)
            receiveds[i] = received
        }
        firstSeq = first
        lastSeq = seqs[seqs.count - 1]
        minReceived = received
        maxReceived = received
    }

    // MARK: Sealing

    /// The summary of everything appended so far (zeros, and no filter, when nothing was).
    var summary: SpanBlockSummary {
        guard count > 0 else {
            return SpanBlockSummary(count: 0, firstSeq: 0, lastSeq: 0, minStart: 0, maxStart: 0, minReceived: 0, maxReceived: 0,
                                    services: 0, errors: 0, traces: [], rawBytes: 0, filter: [])
        }
        let traces = traceCounts.map { (low: $0.key, spans: $0.value) }.sorted { $0.low < $1.low }
        var hashes = filterHashes
        hashes.sort()
        var unique = 0
        for h in hashes where unique == 0 || hashes[unique - 1] != h {
            hashes[unique] = h
            unique += 1
        }
        return SpanBlockSummary(
            count: count, firstSeq: firstSeq, lastSeq: lastSeq, minStart: minStart, maxStart: maxStart, minReceived: minReceived,
            maxReceived: maxReceived, services: services, errors: errorCount, traces: traces, rawBytes: rawBytes,
            filter: SpanFilter.make(hashes[..<unique]))
    }

    /// The block's bytes: spans sorted by (trace low half, start, seq), so a trace's spans are
    /// neighbours; column by column, compressed, checksummed.
    func seal(with compressor: ZstdCompressor) -> [UInt8] {
        Self.frame(columns(), count: count, with: compressor)
    }

    /// The rows in the block's order: by trace low half, start, seq.
    private func rowOrder() -> [Int] {
        var rows = Array(0..<count)
        rows.sort { a, b in
            if traceLows[a] != traceLows[b] { return traceLows[a] < traceLows[b] }
            if starts[a] != starts[b] { return starts[a] < starts[b] }
            return seqs[a] < seqs[b]
        }
        return rows
    }

    /// The block's columns before compression, rows in the block's order.
    func columns() -> [[UInt8]] {
        let order = rowOrder()
        let n = count
        var seq: [UInt8] = [], received: [UInt8] = [], start: [UInt8] = [], duration: [UInt8] = []
        var lows: [UInt8] = [], ids: [UInt8] = [], error: [UInt8] = []
        var highFlags: [UInt8] = [], highs: [UInt8] = [], parentFlags: [UInt8] = [], parentIDs: [UInt8] = []
        var meta: [UInt8] = [], metrics: [UInt8] = [], details: [UInt8] = []
        lows.reserveCapacity(n * 8)
        ids.reserveCapacity(n * 8)
        error.reserveCapacity(n)
        highFlags.reserveCapacity(n)
        parentFlags.reserveCapacity(n)
        meta.reserveCapacity(metaBytes.count)
        metrics.reserveCapacity(metricBytes.count)
        details.reserveCapacity(detailBytes.count)
        // Wrapping differences on purpose: reading adds them back the same way.
        var previousSeq: Int64 = 0, previousReceived: Int64 = 0, previousStart: Int64 = 0
        for i in order {
            Varint.write(Varint.zigzag(seqs[i] &- previousSeq), into: &seq)
            previousSeq = seqs[i]
            Varint.write(Varint.zigzag(receiveds[i] &- previousReceived), into: &received)
            previousReceived = receiveds[i]
            LogBlockEncoder.append(traceLows[i], to: &lows)
            if let high = traceHighs[i] {
                highFlags.append(1)
                LogBlockEncoder.append(high, to: &highs)
            } else {
                highFlags.append(0)
            }
            LogBlockEncoder.append(spanIDs[i], to: &ids)
            if let parent = parents[i] {
                parentFlags.append(1)
                LogBlockEncoder.append(parent, to: &parentIDs)
            } else {
                parentFlags.append(0)
            }
            Varint.write(Varint.zigzag(starts[i] &- previousStart), into: &start)
            previousStart = starts[i]
            Varint.write(Varint.zigzag(durations[i]), into: &duration)
            error.append(errors[i] ? 1 : 0)
            meta.append(contentsOf: metaBytes[(i == 0 ? 0 : metaEnds[i - 1])..<metaEnds[i]])
            metrics.append(contentsOf: metricBytes[(i == 0 ? 0 : metricEnds[i - 1])..<metricEnds[i]])
            details.append(contentsOf: detailBytes[(i == 0 ? 0 : detailEnds[i - 1])..<detailEnds[i]])
        }
        var textColumn: [UInt8] = []
        textColumn.reserveCapacity(n * SpanBlockFormat.textFields * 2)
        for field in 0..<SpanBlockFormat.textFields {
            for i in order { Varint.write(UInt64(texts[i * SpanBlockFormat.textFields + field]), into: &textColumn) }
        }
        var strings: [UInt8] = []
        Varint.write(UInt64(stringCount), into: &strings)
        strings.append(contentsOf: stringBytes)
        var resources: [UInt8] = []
        Varint.write(UInt64(resourceCount), into: &resources)
        resources.append(contentsOf: resourceBytes)

        var columns = [[UInt8]](repeating: [], count: SpanBlockFormat.columnCount)
        typealias Column = SpanBlockFormat.Column
        columns[Column.seq.rawValue] = seq
        columns[Column.received.rawValue] = received
        columns[Column.traceLow.rawValue] = lows
        columns[Column.traceHigh.rawValue] = highFlags + highs
        columns[Column.spanID.rawValue] = ids
        columns[Column.parentID.rawValue] = parentFlags + parentIDs
        columns[Column.start.rawValue] = start
        columns[Column.duration.rawValue] = duration
        columns[Column.error.rawValue] = error
        columns[Column.strings.rawValue] = strings
        columns[Column.texts.rawValue] = textColumn
        columns[Column.meta.rawValue] = meta
        columns[Column.metrics.rawValue] = metrics
        columns[Column.resources.rawValue] = resources
        columns[Column.details.rawValue] = details
        return columns
    }

    /// A block of `columns` (uncompressed) holding `count` spans: header, a zstd frame per
    /// column, checksum.
    static func frame(_ columns: [[UInt8]], count: Int, with compressor: ZstdCompressor) -> [UInt8] {
        BlockFormat.frame(magic: SpanBlockFormat.magic, columns, count: count, reserve: columns.reduce(0) { $0 + $1.count } / 2 + 1024, with: compressor)
    }
}
