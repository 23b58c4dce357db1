import TraceContext
import TracejoinSupport

// The small protocols through which the daemon wires stages together. Stages never import each
// other: each reaches the others only through these (its status types and counters are
// TracejoinAPI's, its utilities TracejoinSupport's).

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

/// A write the index could not make because its storage is full or failing. Nothing of the
/// write was stored; the writer may try the same write again later. Thrown by the sinks
/// (``TailSink``, ``SpanSink``, ``LogRecordSink``) while ingest is paused.
public struct IngestPaused: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "ingest paused: \(reason)" }
}

/// What the intake needs from storage.
public protocol SpanSink: Sendable {
    /// Stores all of `spans` or none of them.
    func insert(_ spans: [SpanRecord]) async throws
}

/// What the intake needs to store log records that arrive over the network (OTLP logs): they
/// are stored like tailed lines, with no file offset to commit.
public protocol LogRecordSink: Sendable {
    /// Stores all of `records` or none of them.
    func append(_ records: [LogRecord]) async throws
}

/// What the query side needs from storage.
public protocol TraceReader: Sendable {
    /// The spans and the first `logLimit` log records (arrival order) of every trace that `id`
    /// matches; empty when none is known. ``StoredTrace/logsOmitted`` counts the lines left out.
    func trace(_ id: TraceID, logLimit: Int) async throws -> StoredTrace
    /// Log records matching `query`, newest first.
    func logs(_ query: LogQuery) async throws -> LogPage
    /// The lines ``logs(_:)`` would return for `query` (all of them, not a page), counted by
    /// time bucket (at most `buckets`, clamped to 1…500) and level class.
    func logVolume(_ query: LogQuery, buckets: Int) async throws -> LogVolume
    /// Traces with their counts, most recent first.
    func recentTraces(_ query: TraceListQuery) async throws -> [TraceSummary]
    /// A span and the log lines joined to it; `nil` if no span has that ID.
    func span(_ id: SpanID) async throws -> (span: SpanRecord, logs: [LogRecord])?
    /// Lines whose trace ID no span has claimed, ingested between `since` and `until`
    /// (nanoseconds), grouped by source and rule.
    func unmatched(since: Int64, until: Int64, samples: Int) async throws -> [UnmatchedGroup]
    /// The id of the newest log record (0 when there is none): where a follow starts.
    func lastLogID() async throws -> Int64
    /// Every service name spans were received from, sorted.
    func services() async throws -> [String]
    /// The operations (span names, with each span kind seen: `server`, `client`, …, or "") of
    /// `service`, sorted.
    func operations(service: String) async throws -> [SpanOperation]
    /// Traces with a span that matches `query`, the most recently started first.
    func findTraces(_ query: SpanSearch) async throws -> [TraceID]
    /// Calls between services (a span of `parent` with a child span of `child`) among spans
    /// started between `since` and `until` (nanoseconds).
    func dependencies(since: Int64, until: Int64) async throws -> [ServiceLink]
}

extension TraceReader {
    /// The trace with all its lines.
    public func trace(_ id: TraceID) async throws -> StoredTrace {
        try await trace(id, logLimit: .max)
    }
}

/// An operation of a service: a span name and a kind its spans had.
public struct SpanOperation: Sendable, Hashable {
    public var name: String
    /// `server`, `client`, `producer`, `consumer`, `internal`, or "" when unknown.
    public var kind: String
    public init(name: String, kind: String) {
        self.name = name
        self.kind = kind
    }
}

/// A search for traces by one of their spans (Jaeger's trace search).
public struct SpanSearch: Sendable {
    public var service: String
    public var operation: String?
    /// Tags that must have exactly these values: `meta` (text), `metrics` (compared as
    /// numbers), typed attributes (`true`/`false`, integers), `error` (the span's flag),
    /// `resource.name`, `span.type`, `span.kind`.
    public var tags: [String: String]
    /// Only spans of this kind (`server`, `client`, …).
    public var spanKind: String?
    /// Span start bounds, nanoseconds since the epoch.
    public var since: Int64
    public var until: Int64
    /// Span duration bounds, nanoseconds.
    public var minDuration: Int64?
    public var maxDuration: Int64?
    public var limit: Int

    public init(service: String, operation: String? = nil, tags: [String: String] = [:], since: Int64, until: Int64,
                minDuration: Int64? = nil, maxDuration: Int64? = nil, limit: Int = 100) {
        self.service = service
        self.operation = operation
        self.tags = tags
        self.since = since
        self.until = until
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.limit = limit
    }
}

/// Calls from one service to another, counted.
public struct ServiceLink: Sendable, Equatable {
    public var parent: String
    public var child: String
    public var calls: Int
    public init(parent: String, child: String, calls: Int) {
        self.parent = parent
        self.child = child
        self.calls = calls
    }
}

/// Lines of one source and rule whose trace no span has claimed.
public struct UnmatchedGroup: Sendable {
    public var source: String
    public var rule: String
    public var count: Int
    public var traces: Int
    public var samples: [LogRecord]
    public init(source: String, rule: String, count: Int, traces: Int, samples: [LogRecord]) {
        self.source = source
        self.rule = rule
        self.count = count
        self.traces = traces
        self.samples = samples
    }
}

/// A search over stored log records.
public struct LogQuery: Sendable {
    public var traceID: TraceID?
    public var spanID: SpanID?
    /// Lines joined to a span of this service.
    public var service: String?
    public var level: String?
    /// The rule file's source name.
    public var source: String?
    /// A substring of the message.
    public var text: String?
    /// Time bounds, nanoseconds since the epoch: of ingest, or of the line's own time when
    /// ``byLineTime`` (`/v1/logs?by=time`).
    public var since: Int64?
    public var until: Int64?
    public var byLineTime = false
    public var limit: Int
    /// Continue after this record (the previous page's `next`).
    public var before: Int64?
    /// Continue after the previous page's ``LogPage/cursor`` when it is not a record's id (the
    /// fleet service's pages: lines of many hosts have no one id order).
    public var cursor: String?
    /// Only records newer than this one, oldest first (for following).
    public var after: Int64?
    /// Fields the line must carry with these values (`/v1/logs?field.k8s.pod=…`).
    public var fields: [FieldFilter] = []

    public struct FieldFilter: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(traceID: TraceID? = nil, spanID: SpanID? = nil, service: String? = nil, level: String? = nil, source: String? = nil,
                text: String? = nil, since: Int64? = nil, until: Int64? = nil, limit: Int = 100, before: Int64? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.service = service
        self.level = level
        self.source = source
        self.text = text
        self.since = since
        self.until = until
        self.limit = limit
        self.before = before
    }
}

/// One page of log records, and where the next page starts (`nil`: no more).
public struct LogPage: Sendable {
    public var records: [(id: Int64, ingested: Int64, record: LogRecord)]
    public var next: Int64?
    /// Where the next page starts when that is not a record's id (``LogQuery/cursor``).
    public var nextCursor: String?
    public init(records: [(id: Int64, ingested: Int64, record: LogRecord)], next: Int64?, nextCursor: String? = nil) {
        self.records = records
        self.next = next
        self.nextCursor = nextCursor
    }

    /// The cursor a client passes back for the next page (`nil`: no more).
    public var cursorText: String? { nextCursor ?? next.map(String.init) }
}

/// Log lines counted by time and level (`/v1/logs/volume`, the logs page's histogram): the lines
/// a ``LogQuery`` selects, in `counts.count` buckets of `bucket_ns` from `since` (the last one
/// cut short at `until`), each bucket counted by level class.
public struct LogVolume: Sendable, Codable {
    /// The level classes, in the order of each bucket's counts. A line's level is compared
    /// without case: `error` is error, err, critical, crit, fatal, alert, emerg, emergency,
    /// severe or panic; `warn` is warn or warning; `info` is info, information, notice or
    /// informational; `debug` is debug, trace, verbose, fine, finer or finest; `other` is any
    /// other level, or none.
    public static let levelClasses = ["error", "warn", "info", "debug", "other"]

    /// The time axis, nanoseconds since the epoch: the query's bounds, else the earliest
    /// counted line's time and the latest's plus one.
    public var since: Int64
    public var until: Int64
    /// Each bucket's width (clamped to `Int64.max` for an axis wider than it holds).
    public var bucket_ns: Int64
    /// ``levelClasses``.
    public var levels: [String]
    /// Per bucket, oldest first, the lines of each level class.
    public var counts: [[Int]]
    /// Every line counted: the sum of `counts`.
    public var total: Int
    /// Lines read to count them, matching or not.
    public var scanned: Int
    /// False when the search stopped at its bound before reading every block that could match:
    /// the counts are then of the newest lines.
    public var complete: Bool

    /// The levels of each class but `other`, in the order of ``levelClasses``.
    public static let levelNames: [[String]] = [
        ["error", "err", "critical", "crit", "fatal", "alert", "emerg", "emergency", "severe", "panic"],
        ["warn", "warning"],
        ["info", "information", "notice", "informational"],
        ["debug", "trace", "verbose", "fine", "finer", "finest"],
    ]

    private static let classOfLevel: [String: Int] = {
        var table: [String: Int] = [:]
        for (c, names) in levelNames.enumerated() { for name in names { table[name] = c } }
        return table
    }()

    /// The class (index in ``levelClasses``) of a level already folded to lower case.
    public static func levelClass(ofLowercased level: String) -> Int {
        classOfLevel[level] ?? levelClasses.count - 1
    }

    /// The time axis of a histogram: from `since` (else the earliest time) to `until` (else the
    /// latest plus one), in at most `buckets` (1…500) equal buckets.
    ///
    /// Times may be anywhere in Int64: widths are taken in UInt64, which holds the difference
    /// of any two Int64s, and nothing here can overflow.
    public struct Axis: Sendable, Equatable {
        public var from: Int64
        public var to: Int64
        /// Each bucket's width: at least 1.
        public var step: UInt64
        public var count: Int

        public init(since: Int64?, until: Int64?, earliest: Int64?, latest: Int64?, buckets: Int, now: Int64 = Timestamps.now()) {
            // Saturating steps along the axis: times may lie anywhere in Int64.
            func back(_ t: Int64, _ d: Int64) -> Int64 { let (r, o) = t.subtractingReportingOverflow(d); return o ? .min : r }
            func forward(_ t: Int64, _ d: Int64) -> Int64 { let (r, o) = t.addingReportingOverflow(d); return o ? .max : r }
            let hour: Int64 = 3600 * 1_000_000_000, minute: Int64 = 60 * 1_000_000_000
            var from: Int64, to: Int64
            // Nothing counted and an end missing: an hour's axis (to now, or from or to the one given).
            switch (since ?? earliest, until ?? latest.map { forward($0, 1) }) {
            case let (start?, end?): (from, to) = (start, end)
            case let (nil, end?): (from, to) = (back(end, hour), end)
            case let (start?, nil): (from, to) = (start, forward(start, hour))
            case (nil, nil):
                to = now
                from = back(to, hour)
            }
            // Lines of one burst, without a `since`: a minute's axis ending with them, not a
            // nanosecond's (a histogram of one bar reads as nothing).
            if since == nil, to > from, UInt64(bitPattern: to &- from) < UInt64(minute) {
                from = back(to, minute)
            }
            if to <= from {
                // An empty range (`until` at or before `since`): one nanosecond, for an axis.
                if from == .max { from = .max - 1 }
                to = from + 1
            }
            let width = UInt64(bitPattern: to &- from)  // to > from: the exact difference, 1…2^64 - 1
            let n = UInt64(min(max(buckets, 1), 500))
            step = (width - 1) / n + 1  // ceil(width / n), at least 1
            count = Int((width - 1) / step + 1)  // the buckets of `step` that cover the axis: at most n
            self.from = from
            self.to = to
        }

        /// The bucket of a line at `time`; `nil` before the axis. Only a line at Int64.max itself
        /// lies at or past the axis's end: it goes in the last bucket.
        public func bucket(_ time: Int64) -> Int? {
            guard time >= from else { return nil }
            return Int(min(UInt64(count - 1), UInt64(bitPattern: time &- from) / step))
        }
    }

    public init(axis: Axis, counts: [[Int]], total: Int, scanned: Int, complete: Bool) {
        self.init(since: axis.from, until: axis.to, bucket_ns: Int64(clamping: axis.step), counts: counts, total: total,
                  scanned: scanned, complete: complete)
    }

    public init(since: Int64, until: Int64, bucket_ns: Int64, counts: [[Int]], total: Int, scanned: Int, complete: Bool) {
        self.since = since
        self.until = until
        self.bucket_ns = bucket_ns
        levels = Self.levelClasses
        self.counts = counts
        self.total = total
        self.scanned = scanned
        self.complete = complete
    }
}

public struct TraceListQuery: Sendable {
    public var service: String?
    public var onlyErrors: Bool
    /// Span start bounds, nanoseconds since the epoch.
    public var since: Int64?
    public var until: Int64?
    public var limit: Int
    public init(service: String? = nil, onlyErrors: Bool = false, since: Int64? = nil, until: Int64? = nil, limit: Int = 20) {
        self.service = service
        self.onlyErrors = onlyErrors
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// A trace as the list of recent traces shows it.
public struct TraceSummary: Sendable {
    public var traceID: TraceID
    public var rootName: String?
    public var services: [String]
    public var start: Int64
    public var end: Int64
    public var spans: Int
    public var errors: Int
    public var logs: Int
    public init(traceID: TraceID, rootName: String?, services: [String], start: Int64, end: Int64, spans: Int, errors: Int, logs: Int) {
        self.traceID = traceID
        self.rootName = rootName
        self.services = services
        self.start = start
        self.end = end
        self.spans = spans
        self.errors = errors
        self.logs = logs
    }
}

/// A trace as stored: flat lists, joined by the reader into a tree.
public struct StoredTrace: Sendable {
    public var spans: [SpanRecord]
    public var logs: [LogRecord]
    /// Lines of the trace beyond the limit the reader was given (not in ``logs``).
    public var logsOmitted = 0

    public init(spans: [SpanRecord], logs: [LogRecord], logsOmitted: Int = 0) {
        self.spans = spans
        self.logs = logs
        self.logsOmitted = logsOmitted
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
    /// A rule matched; the line carries no trace ID. `record` is the line as a record (without
    /// IDs) when its source keeps untraced lines (`keep_untraced: true`), else `nil`.
    case noTrace(rule: String, record: LogRecord?)
    /// No rule matched.
    case unmatched
}
