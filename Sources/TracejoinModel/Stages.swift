import TraceContext

// The small protocols through which the daemon wires stages together. Stages never import each
// other; each depends only on this module.

/// Where a file's reading stands: the byte offset after the last record handed on.
///
/// A file is known by its device and inode plus a fingerprint of its first bytes, so that an
/// inode reused for another file is not taken for the old one, and a copy (copytruncate) or a
/// file moved while the daemon was stopped is recognised.
public struct FileCheckpoint: Sendable, Hashable {
    /// The path the file last had.
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    public var offset: Int64
    /// FNV-1a hash of the file's first `fingerprintLength` bytes.
    public var fingerprint: UInt64
    public var fingerprintLength: Int

    public init(path: String, device: UInt64, inode: UInt64, offset: Int64, fingerprint: UInt64 = 0, fingerprintLength: Int = 0) {
        self.path = path
        self.device = device
        self.inode = inode
        self.offset = offset
        self.fingerprint = fingerprint
        self.fingerprintLength = fingerprintLength
    }
}

/// Records parsed from a stretch of files, and where each file's reading now stands.
///
/// A sink commits both in one transaction, so a crash neither loses nor repeats a line.
public struct TailBatch: Sendable {
    public var records: [LogRecord]
    public var checkpoints: [FileCheckpoint]
    /// Lines that matched a rule but carried no trace ID (counted, not stored).
    public var linesWithoutTrace: Int
    /// Lines no rule matched.
    public var linesUnmatched: Int

    public init(records: [LogRecord] = [], checkpoints: [FileCheckpoint] = [], linesWithoutTrace: Int = 0, linesUnmatched: Int = 0) {
        self.records = records
        self.checkpoints = checkpoints
        self.linesWithoutTrace = linesWithoutTrace
        self.linesUnmatched = linesUnmatched
    }
}

/// What the tailer needs from storage.
public protocol TailSink: Sendable {
    func loadCheckpoints() async throws -> [FileCheckpoint]
    func commit(_ batch: TailBatch) async throws
}

/// What the intake needs from storage.
public protocol SpanSink: Sendable {
    /// Stores all of `spans` or none of them.
    func insert(_ spans: [SpanRecord]) async throws
}

/// What the query side needs from storage.
public protocol TraceReader: Sendable {
    /// The spans and log records of every trace that `id` matches; empty when none is known.
    func trace(_ id: TraceID) async throws -> StoredTrace
}

/// A trace as stored: flat lists, joined by the reader into a tree.
public struct StoredTrace: Sendable {
    public var spans: [SpanRecord]
    public var logs: [LogRecord]

    public init(spans: [SpanRecord], logs: [LogRecord]) {
        self.spans = spans
        self.logs = logs
    }

    public var isEmpty: Bool { spans.isEmpty && logs.isEmpty }
}

/// Decides whether a line starts a new multiline record. Built from a rule file's
/// `multiline.start`; used by the tailer.
public protocol LineMatcherFactory: Sendable {
    func makeMatcher() -> any LineMatcher
}

/// The per-task side of a ``LineMatcherFactory``.
public protocol LineMatcher: AnyObject {
    func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool
}

/// Turns one line into a record. Built from rule files; used by the tailer.
public protocol LineParser: Sendable {
    /// A parsing context with its own scratch space, for one task at a time.
    func makeSession() -> any LineParserSession
}

/// The per-task side of a ``LineParser``: owns scratch space, so it is used by one task at a time.
public protocol LineParserSession: AnyObject {
    /// Parses one line (without its newline). `file` is the path it came from.
    func parse(_ line: UnsafeBufferPointer<UInt8>, file: String) -> LineOutcome
}

/// What parsing one line gave.
public enum LineOutcome: Sendable {
    /// A rule matched and the line has a trace ID (or an invalid one, see ``LogRecord/idError``).
    case record(LogRecord)
    /// A rule matched; the line carries no trace ID.
    case noTrace(rule: String)
    /// No rule matched.
    case unmatched
}
