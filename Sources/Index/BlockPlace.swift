import Foundation
import GRDB

/// Where a block is kept, as the catalog says.
struct BlockPlace {
    var id: Int64
    var segment: Int64?
    var offset: Int64
    var storedBytes: Int
    /// The block itself, when it is kept in the database and was selected with its row.
    var data: [UInt8]?
    /// Its lines of the trace it was found for (trace lookups only).
    var lines = 0
    /// Where in the block the group holding that trace lies, when the block is grouped by
    /// trace (``TraceGroups``): a trace lookup reads and decodes that group alone.
    var part: (offset: Int, bytes: Int)?

    /// From a row with the columns `id, segment, offset, stored_bytes, data`.
    init(_ row: Row) {
        id = row["id"]
        segment = row["segment"]
        offset = row["offset"] ?? 0
        storedBytes = row["stored_bytes"]
        data = (row["data"] as Data?).map { [UInt8]($0) }
    }

    /// The columns ``init(_:)-(RawStatement)`` reads, in its order (prefix `b.`).
    static let columns = "b.id, b.segment, b.offset, b.stored_bytes, CASE WHEN b.segment IS NULL THEN b.data END"

    init(_ row: borrowing RawStatement) {
        id = row.int64(0)
        segment = row.int64OrNil(1)
        offset = row.int64OrNil(2) ?? 0
        storedBytes = Int(row.int64(3))
        data = row.int64OrNil(1) == nil ? row.blob(4) : nil
    }
}
