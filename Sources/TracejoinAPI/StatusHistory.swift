#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TracejoinModel
import TracejoinSupport

/// The daemon's recent past, one ``StatusSample`` a second, kept in memory: the last hour that
/// the status page plots and `GET /v1/stats/history` returns. Nothing is written to disk; a
/// restart starts an empty history.
///
/// A ring of at most `capacity` samples: once full, each new sample replaces the oldest.
public final class StatusHistory: Sendable {
    /// The samples kept: one a second for an hour.
    public static let defaultCapacity = 3600

    private struct Ring: Sendable {
        var items: [StatusSample] = []
        /// Where the next sample goes once `items` is full (the oldest sample).
        var next = 0
    }

    private let ring = Locked<Ring>(Ring())
    public let capacity: Int

    public init(capacity: Int = StatusHistory.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Keeps `sample`, dropping the oldest one when the ring is full.
    public func record(_ sample: StatusSample) {
        ring.withLock { ring in
            if ring.items.count < capacity {
                ring.items.append(sample)
            } else {
                ring.items[ring.next] = sample
                ring.next = (ring.next + 1) % capacity
            }
        }
    }

    /// Every sample kept, oldest first.
    public func samples() -> [StatusSample] {
        ring.withLock { ring in
            guard ring.next > 0 else { return ring.items }
            var ordered = Array(ring.items[ring.next...])
            ordered.append(contentsOf: ring.items[..<ring.next])
            return ordered
        }
    }

    /// What `stats` says, as one sample taken at `now` (nanoseconds since the epoch), with one
    /// read of `/proc/self/statm`.
    public static func sample(of stats: StatsDocument, now: Int64) -> StatusSample {
        var lines: [String: Int] = [:]
        for (name, source) in stats.sources {
            // Every line read is matched by one rule or by none.
            var total = source.lines_unmatched
            for rule in source.rules.values { total = saturatingSum(total, rule.matched) }
            lines[name] = total
        }
        var spans = 0
        for (key, value) in stats.intake where key.hasPrefix("spans.") {
            spans = saturatingSum(spans, value)
        }
        var lag: Int64 = 0
        for file in stats.files { lag = saturatingSum(lag, max(0, file.lag_bytes)) }
        return StatusSample(
            time: now, lines: lines, spans: spans, lag_bytes: lag, used_bytes: stats.retention.used_bytes,
            max_bytes: stats.retention.max_bytes, rss_bytes: residentBytes(),
            quarantined: saturatingSum(stats.quarantine.records, stats.quarantine.payloads),
            damaged_blocks: stats.index.damaged_blocks.count)
    }

    /// `a + b`, held at the type's bounds instead of trapping.
    static func saturatingSum<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? T.max : T.min
    }

    private static let pageSize = Int64(max(0, sysconf(Int32(_SC_PAGESIZE))))

    /// The process's resident memory in bytes: the second field of `/proc/self/statm` (pages)
    /// times the page size, read with `open(2)` and `read(2)`. 0 when it cannot be read (not
    /// Linux, no `/proc`).
    static func residentBytes() -> Int64 {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        // `size resident shared text lib data dt`, in pages: seven numbers, well under 128 bytes.
        var bytes = [UInt8](repeating: 0, count: 128)
        var count: Int
        repeat {
            count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        guard count > 0 else { return 0 }
        var field = 0
        var pages: Int64 = 0
        var digits = 0
        for byte in bytes[..<count] {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
                if field == 1 { break }
                field += 1
                continue
            }
            guard field == 1 else { continue }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 18 else { return 0 }
            pages = pages * 10 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0 else { return 0 }
        let (resident, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int64.max : resident
    }
}

/// One second of the daemon, as ``StatusHistory`` keeps it and `GET /v1/stats/history` shows
/// it. Counts are cumulative since the daemon started (a rate is the difference of two samples
/// over their time difference); the others are levels at `time`.
public struct StatusSample: Sendable, Codable, Equatable {
    /// When it was taken, nanoseconds since the Unix epoch.
    public var time: Int64
    /// Lines read by source name: matched by any rule of the source, or by none.
    public var lines: [String: Int]
    /// Spans the intake stored, every protocol together.
    public var spans: Int
    /// Bytes written to followed files and not yet committed, every file together.
    public var lag_bytes: Int64
    /// What the index uses and may use (`retention.max_bytes`), as retention last measured it.
    public var used_bytes: Int64
    public var max_bytes: Int64
    /// The daemon's resident memory (0 when it cannot be read).
    public var rss_bytes: Int64
    /// Log records and intake payloads quarantined since the daemon started.
    public var quarantined: Int
    /// Blocks of the index found damaged since the daemon started.
    public var damaged_blocks: Int

    public init(time: Int64, lines: [String: Int] = [:], spans: Int = 0, lag_bytes: Int64 = 0, used_bytes: Int64 = 0,
                max_bytes: Int64 = 0, rss_bytes: Int64 = 0, quarantined: Int = 0, damaged_blocks: Int = 0) {
        self.time = time
        self.lines = lines
        self.spans = spans
        self.lag_bytes = lag_bytes
        self.used_bytes = used_bytes
        self.max_bytes = max_bytes
        self.rss_bytes = rss_bytes
        self.quarantined = quarantined
        self.damaged_blocks = damaged_blocks
    }
}

extension StatusHistory {
    /// `GET /v1/stats/history`: the samples kept, oldest first, taken every `interval_seconds`.
    public struct Document: Sendable, Codable {
        public var interval_seconds: Int
        public var samples: [StatusSample]

        public init(interval_seconds: Int = 1, samples: [StatusSample]) {
            self.interval_seconds = interval_seconds
            self.samples = samples
        }
    }
}
