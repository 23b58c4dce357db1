
/// One followed file, as `GET /v1/stats` shows it.
public struct TailedFileStatus: Sendable, Codable, Equatable {
    public var path: String
    public var source: String
    public var device: String
    public var inode: String
    /// The fingerprint of the file's first bytes (16 hex) and how many bytes it covers.
    public var fingerprint: String
    public var fingerprint_bytes: Int
    /// Bytes committed to the index (what a restart resumes from).
    public var offset: Int64
    public var size: Int64
    /// Bytes written but not yet committed.
    public var lag_bytes: Int64
    public var lines_read: Int
    /// Lines longer than the limit, cut.
    public var lines_cut: Int
    /// Bytes that could not be read before they were gone (truncated away, never copied).
    public var bytes_lost: Int64
    /// `live`; `rotated` (renamed or deleted, read until quiet); `copy` (a copy of a live file
    /// made by copytruncate: read only from where the original was when it was truncated).
    public var state: String
    public var rotations: Int
    /// What last happened to it (`renamed`, `truncated`, …) and when (RFC 3339).
    public var last_rotation: String?
    public var last_rotation_at: String?

    public init(path: String, source: String, device: String, inode: String, fingerprint: String, fingerprint_bytes: Int,
                offset: Int64, size: Int64, lag_bytes: Int64, lines_read: Int, lines_cut: Int, bytes_lost: Int64, state: String,
                rotations: Int, last_rotation: String?, last_rotation_at: String?) {
        self.path = path
        self.source = source
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
        self.fingerprint_bytes = fingerprint_bytes
        self.offset = offset
        self.size = size
        self.lag_bytes = lag_bytes
        self.lines_read = lines_read
        self.lines_cut = lines_cut
        self.bytes_lost = bytes_lost
        self.state = state
        self.rotations = rotations
        self.last_rotation = last_rotation
        self.last_rotation_at = last_rotation_at
    }
}
