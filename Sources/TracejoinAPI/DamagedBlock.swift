/// A block of the index found damaged (a checksum that does not match, a truncated segment
/// file): where it is and why it does not read. Queries skip it; the blocks around it are
/// unaffected. `GET /v1/stats` → `index.damaged_blocks`.
public struct DamagedBlock: Sendable, Codable, Equatable {
    public var block: Int64
    /// `"spans"` for a block of spans; absent for a block of log lines (the ids are counted apart).
    public var kind: String?
    /// The segment file holding it, `nil` when it is kept in the database.
    public var file: String?
    public var offset: Int64
    public var reason: String
    /// When it was found (RFC 3339).
    public var found: String

    public init(block: Int64, kind: String? = nil, file: String?, offset: Int64, reason: String, found: String) {
        self.block = block
        self.kind = kind
        self.file = file
        self.offset = offset
        self.reason = reason
        self.found = found
    }
}
