import NIOCore
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// What the fleet service knows of one shard (``ShardStatus``): each read it sent and each
/// probe, as it ended. Shared by the reader's tasks; read by `/v1/stats`.
public final class ShardHealth: Sendable {
    private let state: Locked<ShardStatus>

    public init(url: String) {
        state = Locked(ShardStatus(url: url))
    }

    public var status: ShardStatus { state.withLock { $0 } }

    /// A read or probe the shard answered, after `seconds`.
    public func answered(after seconds: Double, version: String? = nil) {
        let now = Timestamps.iso8601(nanoseconds: Timestamps.now())
        state.withLock { s in
            s.queries &+= 1
            s.state = "up"
            s.last_latency_seconds = seconds
            s.last_success = now
            if let version { s.version = version }
        }
    }

    /// A read or probe that failed, after `seconds`: the shard is down until it answers again.
    public func failed(after seconds: Double, _ error: any Error) {
        let now = Timestamps.iso8601(nanoseconds: Timestamps.now())
        let timedOut = (error as? ClickHouseClient.Failure)?.timedOut == true
        state.withLock { s in
            s.queries &+= 1
            s.failures &+= 1
            if timedOut { s.timeouts &+= 1 }
            s.state = "down"
            s.last_latency_seconds = seconds
            s.last_error = FleetReader.reason(error)
            s.last_error_at = now
        }
    }
}

extension FleetReader: StatusReporting {
    /// Every shard's entry in `shards`, in configured order.
    public func report(into stats: inout StatsDocument) {
        stats.shards.append(contentsOf: health.map(\.status))
    }

    /// Asks every shard for its version and which columns its tables have
    /// (``ClickHouseReader/checkTables()``), recording the answer or the failure; nothing is
    /// noted in a request's shortfall (there is no request).
    public func probe() async {
        await withTaskGroup(of: Void.self) { group in
            for (shard, health) in zip(shards, health) {
                group.addTask {
                    let started = ContinuousClock.now
                    do {
                        let body = try await shard.client.execute("SELECT version()")
                        let version = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
                        // Tables an earlier exporter made, not altered yet, are read as they are.
                        try await shard.checkTables()
                        health.answered(after: Self.seconds(since: started), version: version)
                    } catch {
                        health.failed(after: Self.seconds(since: started), error)
                    }
                }
            }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = (ContinuousClock.now - start).components
        return Double(d.seconds) + Double(d.attoseconds) / 1e18
    }
}
