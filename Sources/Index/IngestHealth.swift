import TracejoinAPI
import TracejoinSupport

/// Whether the index is taking writes. A write that fails — most often because the disk is
/// full — pauses ingest: the tailer holds its batch and stops reading, the intake answers 503,
/// and `GET /v1/stats` says why. The first write that succeeds again ends the pause.
public final class IngestHealth: Sendable {
    private let state = Locked<IngestStatus>(IngestStatus())

    public init() {}

    public var status: IngestStatus { state.withLock { $0 } }

    /// Records a failed write. Returns `true` when this begins a pause (so it is logged once).
    public func failed(_ reason: String, now: Int64 = Timestamps.now()) -> Bool {
        state.withLock { s in
            s.failed_writes += 1
            s.reason = reason
            guard !s.paused else { return false }
            s.paused = true
            s.since = Timestamps.iso8601(nanoseconds: now)
            s.pauses += 1
            return true
        }
    }

    /// Records a successful write. Returns the status it ends when a pause was on.
    public func succeeded() -> IngestStatus? {
        state.withLock { s in
            guard s.paused else { return nil }
            let ended = s
            s.paused = false
            s.reason = nil
            s.since = nil
            return ended
        }
    }
}

extension IngestHealth: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.ingest = status
    }
}
