/// A block of log records as stored: column by column, each column one zstd frame.
///
/// ```
/// "TJB1" · column count (u8) · record count (u32) · per column: raw length (u32), frame length (u32)
/// · the frames · checksum (u64) of every byte before it
/// ```
/// All integers little-endian. The columns:
///
/// | # | column | per record |
/// |---|---|---|
/// | 0 | ids | arrival id, as the varint difference from the previous one |
/// | 1 | ingested | ingest time (ns), zigzag varint difference from the previous one |
/// | 2 | ids of the trace | every record's flags byte (trace low half, high half, span); then the low halves, the high halves and the span IDs (u64s) of the records that have them, each kind together |
/// | 3 | lengths | the stored line's length, its count of *holes*, per hole its offset in the line and the ID's form, then the bytes of the record's entries in columns 5 and 6 (varints, a byte) |
/// | 4 | raw | the lines, back to back, each without the text of its IDs (its holes) |
/// | 5 | strings | time, level, message, file, source, rule, id error: each a *slot* |
/// | 6 | fields | count, then per field a name slot and a value |
/// | 7 | times | the line's own time (ns): a byte 0 (none) or 1, then the zigzag varint difference from the previous record's time that had one |
///
/// A slot is nil, a reference into the record's own raw line (offset and length: the parsed
/// message, level and time are almost always there, so they cost a few bytes), a literal, or
/// "the same as record k's" (file, source and rule rarely change; `k`, the record that wrote it
/// out, stays the same while the value does, so the column compresses to nearly nothing, and
/// any record reads alone: a lookup decodes only the records it returns). Keeping columns
/// apart lets zstd see like next to like (IDs with IDs, text with text), and the reference
/// slots keep each line's text stored once (docs/architecture.md). A line's trace and span IDs
/// are stored once too: where the line holds an ID's text exactly as Tracejoin writes it
/// (32 or 16 hex digits, or decimal), the text is cut out and the line keeps a hole that is
/// filled from column 2 when it is read. Random IDs are the least compressible bytes of a line.
enum BlockFormat {
    static let magic: [UInt8] = Array("TJB1".utf8)
    /// A *packed* block: the small columns (ids, times, IDs, lengths) share one zstd frame,
    /// the texts (lines, strings, fields) have one each. The header is a `TJB1` header whose
    /// shared columns have a framed length of 0; the shared frame comes first. The groups of a
    /// block grouped by trace (``TraceGroups``) are packed: small enough that a frame for each
    /// small column cost more in zstd's per-frame work than it saved, while the texts keep
    /// their own frames (one frame for all columns measured 7% larger on disk).
    static let packedMagic: [UInt8] = Array("TJP1".utf8)
    /// The columns that keep a frame of their own in a packed block.
    static let ownFrame: Set<Int> = [Column.raw.rawValue, Column.strings.rawValue, Column.fields.rawValue]
    /// Columns written; blocks written before the line's own time was stored have 7 (their
    /// records' times are read from their text, as then).
    static let columnCount = 8
    static let oldColumnCount = 7
    static func headerSize(columns: Int) -> Int { 4 + 1 + 4 + columns * 8 }
    static let headerSize = headerSize(columns: columnCount)
    static let trailerSize = 8

    enum Column: Int, CaseIterable {
        case ids, ingested, traces, lengths, raw, strings, fields, times
    }

    /// The slots of column 5, in order.
    enum Slot: Int, CaseIterable {
        case time, level, message, file, source, rule, idError
    }

    enum Tag {
        static let none: UInt8 = 0
        static let reference: UInt8 = 1
        static let literal: UInt8 = 2
        static let same: UInt8 = 3
    }

    /// How an ID's text was written where a line has a hole.
    enum HoleForm: UInt8 {
        case traceHex32, traceDecimal, traceHex16, spanDecimal, spanHex16
    }

    enum ValueTag {
        static let null: UInt8 = 0
        static let no: UInt8 = 1
        static let yes: UInt8 = 2
        static let integer: UInt8 = 3
        static let float: UInt8 = 4
    }

    /// A 64-bit checksum of `bytes`, eight bytes at a time (a multiply–rotate mix): detects
    /// bit flips and truncation; not meant to resist a forger.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h = (h << 29) | (h >> 35)
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(bytes[i])) &* 0x0100_0000_01B3
            i += 1
        }
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    /// One bit of 64 for a short text (ASCII case folded), for the block summaries' level,
    /// source and rule masks: a block whose mask lacks a value's bit holds no record with it.
    static func bit<C: Collection<UInt8>>(of text: C) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text {
            let folded = b >= 65 && b <= 90 ? b | 0x20 : b
            h = (h ^ UInt64(folded)) &* 0x0100_0000_01B3
        }
        return 1 << (h % 63)
    }

    /// The mask bit of a missing value.
    static let nilBit: UInt64 = 1 << 63

    static func bit(of text: String?) -> UInt64 {
        guard var text else { return nilBit }
        return text.withUTF8 { bit(of: $0) }
    }

    /// A block as stored: `magic`, the column count, `count` records, per column its raw and
    /// frame lengths, each column one zstd frame, and the checksum of all of it (the framing of
    /// lines' and spans' blocks alike). Columns not in `ownFrames` (when given: a packed block,
    /// ``packedMagic``) share one frame, written first, and have a framed length of 0.
    static func frame(magic: [UInt8], _ columns: [[UInt8]], count: Int, reserve: Int, ownFrames: Set<Int>? = nil,
                      with compressor: ZstdCompressor) -> [UInt8] {
        var out = magic
        out.reserveCapacity(headerSize(columns: columns.count) + reserve)
        out.append(UInt8(columns.count))
        LogBlockEncoder.append32(UInt32(count), to: &out)
        let lengthsAt = out.count
        out.append(contentsOf: repeatElement(0, count: columns.count * 8))
        if let ownFrames {
            let shared = columns.indices.filter { !ownFrames.contains($0) }.reduce(into: [UInt8]()) { $0 += columns[$1] }
            shared.withUnsafeBytes { _ = compressor.compress($0, appendingTo: &out) }
        }
        for (i, column) in columns.enumerated() {
            let frame = ownFrames?.contains(i) == false ? 0 : column.withUnsafeBytes { compressor.compress($0, appendingTo: &out) }
            out.withUnsafeMutableBytes { header in
                header.storeBytes(of: UInt32(column.count).littleEndian, toByteOffset: lengthsAt + i * 8, as: UInt32.self)
                header.storeBytes(of: UInt32(frame).littleEndian, toByteOffset: lengthsAt + i * 8 + 4, as: UInt32.self)
            }
        }
        let sum = out.withUnsafeBytes { checksum($0) }
        LogBlockEncoder.append(sum, to: &out)
        return out
    }

    /// `bytes` with their last eight made the checksum of the rest (the fuzz targets' way past
    /// the checksum to the decoder behind it).
    static func checksumMadeRight(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var block = Array(bytes)
        if block.count >= trailerSize {
            let n = block.count - trailerSize
            let sum = block.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            block.withUnsafeMutableBytes { $0.storeBytes(of: sum.littleEndian, toByteOffset: n, as: UInt64.self) }
        }
        return block
    }
}
