import Index
import Logging
import ServiceLifecycle
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// Keeps the index within `retention.max_age` and `retention.max_bytes`, in small steps (one
/// short transaction each) so that ingest never waits long behind it.
final class Retainer: Service {
    let index: CorrelationStore
    let maxAgeSeconds: Int64
    let maxBytes: Int64
    let interval: Duration
    let logger: Logger
    let state: Locked<RetentionStatus>

    init(index: CorrelationStore, maxAgeSeconds: Int64, maxBytes: Int64, interval: Duration = .seconds(10), logger: Logger) {
        self.index = index
        self.maxAgeSeconds = maxAgeSeconds
        self.maxBytes = maxBytes
        self.interval = interval
        self.logger = logger
        state = Locked(RetentionStatus(max_bytes: maxBytes, max_age_seconds: maxAgeSeconds))
    }

    func status() -> RetentionStatus {
        // Deletions made as blocks are written count too, not only this timer's.
        var status = state.withLock { $0 }
        let deleted = index.deletedSoFar()
        status.deleted_logs = deleted.logs
        status.deleted_spans = deleted.spans
        return status
    }

    func run() async throws {
        // Cancelled on graceful shutdown, so the daemon does not wait out the interval.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.enforce()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("retention failed; will try again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One round: everything older than max_age, then the oldest records while over max_bytes.
    func enforce() async throws {
        var total = CorrelationStore.Pruned()
        let cutoff = Timestamps.now() - maxAgeSeconds * 1_000_000_000
        while !Task.isShuttingDownGracefully {
            let step = try await index.pruneOlderThan(cutoff)
            total.logs += step.logs
            total.spans += step.spans
            if step.isEmpty { break }
            await Task.yield()
        }
        var used = try await index.usedBytes()
        while used > maxBytes && !Task.isShuttingDownGracefully {
            let step = try await index.pruneOldest()
            total.logs += step.logs
            total.spans += step.spans
            if step.isEmpty { break }
            used = try await index.usedBytes()
            await Task.yield()
        }
        if !total.isEmpty {
            logger.info("retention deleted records", metadata: ["logs": "\(total.logs)", "spans": "\(total.spans)", "used_bytes": "\(used)"])
        }
        state.withLock {
            $0.used_bytes = used
            $0.last_run = Timestamps.iso8601(nanoseconds: Timestamps.now())
        }
    }
}

extension Retainer: StatusReporting {
    /// `retention`: what the index uses, its bounds, and what was deleted to keep them.
    func report(into stats: inout StatsDocument) {
        stats.retention = status()
    }
}
