import Foundation
import Glibc
import GRDB
import Logging
import TracejoinAPI
import TracejoinSupport

/// Reading a block back where its catalog row says it is, one rule for blocks of lines and of
/// spans: from its segment file, or from the row itself (a tail block); checked by decoding it,
/// cached once decoded (blocks never change once written). A damaged block is reported once
/// (the log, and `/v1/stats`) and skipped from then on; a block deleted by retention after the
/// query's snapshot was taken reads as gone.
struct BlockReading<Block: Sendable>: Sendable {
    let segments: SegmentFiles
    let damage: DamagedBlocks
    let kind: DamagedBlocks.Kind
    /// The catalog table, for a tail block selected without its bytes.
    let table: String
    let cache: BlockCache<Block>
    let decode: @Sendable ([UInt8]) throws(BlockCorruption) -> Block
    /// Decodes one group of a block grouped by trace (blocks of lines, ``TraceGroups``).
    var decodePart: @Sendable ([UInt8], (offset: Int, bytes: Int)) throws(BlockCorruption) -> Block = { _, _ throws(BlockCorruption) in
        throw BlockCorruption(reason: "the trace index names a group in a block of spans")
    }
    let logger: Logger

    /// The block at `place` (or, when the place names one, the trace group within it, decoded
    /// alone once the whole block is found undamaged); `nil` when it is damaged or gone.
    func read(_ place: BlockPlace, _ db: Database) throws -> Block? {
        if damage.contains(place.id, kind: kind) { return nil }
        let key = BlockCache<Block>.Key(block: place.id, part: Int64(place.part?.offset ?? -1))
        if let cached = cache.get(key) { return cached }
        let bytes: [UInt8]
        if let segment = place.segment {
            do {
                bytes = try segments.read(segment, offset: place.offset, length: place.storedBytes)
            } catch {
                if error.errno == ENOENT { return nil }
                report(place, reason: "\(error)")
                return nil
            }
        } else if let data = place.data {
            bytes = data
        } else {
            bytes = try Data.fetchOne(db, sql: "SELECT data FROM \(table) WHERE id = ?", arguments: [place.id]).map { [UInt8]($0) } ?? []
        }
        do throws(BlockCorruption) {
            let block: Block
            if let part = place.part { block = try decodePart(bytes, part) } else { block = try decode(bytes) }
            cache.put(key, block)
            return block
        } catch {
            report(place, reason: error.reason)
            return nil
        }
    }

    private func report(_ place: BlockPlace, reason: String) {
        let file = place.segment.map { segments.path($0) }
        let spans = kind == .spans
        guard damage.record(DamagedBlock(block: place.id, kind: spans ? "spans" : nil, file: file, offset: place.offset, reason: reason,
                                         found: Timestamps.iso8601(nanoseconds: Timestamps.now()))) else { return }
        var metadata: Logger.Metadata = [spans ? "span_block" : "block": "\(place.id)", "reason": "\(reason)"]
        if let file {
            metadata["file"] = "\(file)"
            metadata["offset"] = "\(place.offset)"
        }
        logger.error(spans ? "damaged span block skipped: its spans cannot be read; the blocks around it are unaffected"
                           : "damaged block skipped: its records cannot be read; the blocks around it are unaffected",
                     metadata: metadata)
    }
}
