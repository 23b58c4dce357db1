import Foundation
import Export
import HTTPSupport
import Logging
import Rules
import ServiceLifecycle
import TracejoinAPI
import TracejoinModel

extension Daemon {
    /// `tracejoin serve` with a `fleet:` section: the query socket and TCP listeners over the
    /// exporter's tables on every shard (``FleetReader``). No index, no tailer, no intake: it runs
    /// wherever ClickHouse can be reached. Returns after a graceful shutdown.
    static func runFleet(_ fleet: DaemonConfig.Fleet, _ settings: DaemonConfig, logger: Logger) async throws {
        let timeout = fleet.timeout.components
        let nanoseconds = timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000
        // The shard stops the query at the same bound (whole seconds, rounded up) as the client
        // stops waiting: a slow query costs ClickHouse no more than it costs the reply.
        let serverSeconds = (nanoseconds + 999_999_999) / 1_000_000_000
        let clients = fleet.urls.map {
            ClickHouseClient(url: $0, database: fleet.database, user: fleet.user, password: fleet.password,
                             timeout: .nanoseconds(nanoseconds), settings: [("max_execution_time", String(serverSeconds))], queryLog: logger)
        }
        let reader = FleetReader(shards: clients)
        let shutdown = ShutdownFlag(drainTimeout: settings.drainTimeout, logger: logger)
        let status = DaemonReports(reporters: [reader], fleet: true)
        let limits = settings.query.limits
        let queries = try queryServices(
            settings, reader: reader, status: status, shutdown: shutdown,
            socketLimits: ConnectionLimits(maxConnections: DescriptorPlan.querySocket, idleTimeout: limits.idleTimeout,
                                           bodyTimeout: limits.bodyTimeout, closeWhenPeerLeaves: true),
            tcpLimits: { ConnectionLimits(maxConnections: limits.maxConnections, idleTimeout: limits.idleTimeout,
                                          bodyTimeout: limits.bodyTimeout, closeWhenPeerLeaves: true) },
            logger: logger)
        logger.info("fleet service: reading ClickHouse, no local index", metadata: [
            "shards": "\(clients.map(\.name).joined(separator: ","))", "database": "\(fleet.database)", "timeout": "\(fleet.timeout)",
        ])
        let group = ServiceGroup(
            configuration: .init(services: queries + [.init(service: FleetProbe(reader: reader)), .init(service: shutdown)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                .drainTimeout(settings.drainTimeout))
        defer { unlink(settings.query.socketPath) }
        try await group.run()
        logger.info("stopped")
    }
}

/// Asks every shard for its version at start and every ``ShardStatus/probeIntervalSeconds``, so
/// the status page and `/metrics` show a shard down, or back, when nobody is reading.
struct FleetProbe: Service {
    let reader: FleetReader

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await reader.probe()
                try? await Task.sleep(for: .seconds(ShardStatus.probeIntervalSeconds))
            }
        }
    }
}
