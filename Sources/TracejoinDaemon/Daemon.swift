import Export
import Foundation
import HTTPSupport
import Index
import Intake
import IntakeGRPC
import Logging
import Quarantine
import QueryAPI
import Rules
import ServiceLifecycle
import Synchronization
import Tailing
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// `tracejoin serve`: wires the stages together and runs them until SIGTERM or SIGINT.
public enum Daemon {
    /// Loads `configDirectory`, takes the state directory's lock, opens the index and runs the
    /// tailer and both sockets. Returns after a graceful shutdown.
    ///
    /// - Throws: ``ConfigErrors`` for a bad configuration, ``DaemonError`` when the daemon
    ///   cannot start (state directory in use or not writable).
    public static func run(configDirectory: String, logger: Logger) async throws {
        let counters = CounterRegistry()
        let config = try ConfigDirectory.load(configDirectory, counters: counters)
        let settings = config.daemon
        // Private state whatever the umask (`make run`'s is 022): everything the daemon creates is
        // 0600, its directories 0700; the sockets get their configured modes by chmod, and their
        // directories stay reachable (0755) for the users those modes admit.
        umask(0o077)
        for directory in [settings.stateDirectory, parent(settings.intake.socketPath), parent(settings.query.socketPath)] {
            let existed = FileManager.default.fileExists(atPath: directory)
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw DaemonError("cannot create directory \(directory): \(error.localizedDescription)")
            }
            if !existed && directory != settings.stateDirectory { chmod(directory, 0o755) }
        }
        PrivateState.restrict(settings.stateDirectory, logger: logger)
        let lock = try StateLock(directory: settings.stateDirectory)
        defer { lock.release() }
        let descriptors = OpenFileLimit.raise(logger: logger).after
        if let fleet = settings.fleet {
            try await runFleet(fleet, settings, logger: logger)
            return
        }
        // What was being parsed or decoded when the last run stopped, if it did not stop cleanly:
        // that input is quarantined, so it costs one restart, never a loop (docs/reliability.md).
        let journal: CrashJournal
        do {
            journal = try CrashJournal(path: settings.stateDirectory + "/crash-journal", counters: counters.quarantine, logger: logger)
        } catch {
            throw DaemonError("cannot open the crash journal: \(error)")
        }
        // A trap, abort or fault marks the journal: only then is the input in hand to blame.
        journal.armCrashSignals()

        var indexOptions = CorrelationStore.Options()
        indexOptions.maxBytes = settings.retention.maxBytes
        let index = try CorrelationStore(path: settings.stateDirectory + "/index.db", options: indexOptions, logger: logger)
        logger.info("index open", metadata: ["path": "\(index.path)"])

        for source in config.sources {
            logger.info("rule file loaded", metadata: [
                "file": "\(source.file.path)", "source": "\(source.file.source)", "rules": "\(source.file.rules.count)",
            ])
        }
        for warning in config.warnings {
            logger.warning("rules: warning: \(warning)")
        }
        let registry = RuleRegistry(config, counters: counters)
        let shutdown = ShutdownFlag(drainTimeout: settings.drainTimeout, logger: logger)
        let retainer = Retainer(index: index, maxAgeSeconds: settings.retention.maxAgeSeconds,
                                maxBytes: settings.retention.maxBytes, interval: .seconds(settings.retention.intervalSeconds), logger: logger)
        // The exporter reads what the index stored; the index is its buffer.
        let exporter = settings.clickhouse.map { c in
            ClickHouseExporter(
                settings: .init(client: ClickHouseClient.exporting(c),
                                host: c.host, maxRows: c.maxRows, maxWait: c.maxWait),
                source: index, logger: logger)
        }
        // Each stage reports its own part of `/v1/stats`; the query side composes them.
        let tailStatus = TailStatusBoard()
        let history = StatusHistory()
        var reporters: [any StatusReporting] = [registry, tailStatus, retainer, index.health, index.damage,
                                                counters.intake, counters.quarantine]
        if let exporter { reporters.append(exporter) }
        let status = DaemonReports(reporters: reporters, rules: registry, history: history)
        let sampler = StatusSampler(status: status, history: history)
        // Descriptors shared out: the daemon's own, the query socket's reserve, each listener's
        // connections, and the rest for log files (DescriptorPlan).
        let intakeLimits = settings.intake.limits, queryLimits = settings.query.limits
        let plan = DescriptorPlan(
            limit: Int(min(descriptors, 1 << 30)),
            listeners: [intakeLimits.maxConnections] + (settings.intake.tcp + settings.intake.grpc).map { _ in intakeLimits.maxConnections }
                + settings.query.tcp.map { _ in queryLimits.maxConnections })
        if plan.scaled {
            logger.warning("the open file limit is low for the listeners' connection limits: each is scaled down",
                           metadata: ["limit": "\(descriptors)", "connections": "\(plan.connections.map(String.init).joined(separator: ","))",
                                      "log_files": "\(plan.tailing)"])
        }
        var connectionLimits = plan.connections.makeIterator()
        func limits(_ l: DaemonConfig.Limits, streaming: Bool = false) -> ConnectionLimits {
            ConnectionLimits(maxConnections: connectionLimits.next() ?? l.maxConnections, idleTimeout: l.idleTimeout,
                             bodyTimeout: l.bodyTimeout, closeWhenPeerLeaves: streaming)
        }
        let tailSources = TailSources(registry: registry)
        let tailer = Tailer(sources: { tailSources.current() }, sink: index, status: tailStatus,
                            descriptorBudget: plan.tailing, journal: journal,
                            neverTail: [settings.stateDirectory] + resolvedPaths(settings.stateDirectory), logger: logger)
        let watcher = RuleWatcher(registry: registry, settings: settings.reload, logger: logger)
        // OTLP log records are stored like tailed lines, under their own source.
        let logIntake = LogIntake(sink: index, source: settings.intake.otlpLogs.source,
                                  keepUntraced: settings.intake.otlpLogs.keepUntraced, counters: counters)
        let sinks = IntakeServer.Sinks(spans: index, logs: logIntake, counters: counters, journal: journal,
                                       bodies: BodyBudget(limit: intakeLimits.bodyMemory,
                                                          onRefused: { [refused = counters.intake.counter("refused_body_memory", "all")] in refused.add() }))
        let intake = IntakeServer.application(
            .init(socketPath: settings.intake.socketPath, mode: settings.intake.mode, maxBodyBytes: settings.intake.maxBodyBytes,
                  allowedOrigins: settings.intake.allowedOrigins, limits: limits(intakeLimits)),
            sinks: sinks, logger: logger)
        var tcpIntakes: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for address in settings.intake.tcp + settings.intake.grpc where !address.isLoopback {
            logger.warning("intake listening on a non-loopback address: anyone who can reach it can send spans and logs",
                           metadata: ["address": "\(address)"])
        }
        for address in settings.intake.tcp {
            tcpIntakes.append(.init(service: IntakeServer.tcpApplication(
                host: address.host, port: address.port, maxBodyBytes: settings.intake.maxBodyBytes,
                allowedOrigins: settings.intake.allowedOrigins, limits: limits(intakeLimits), sinks: sinks, logger: logger)))
        }
        for address in settings.intake.grpc {
            tcpIntakes.append(.init(service: OTLPGRPCServer(
                host: address.host, port: address.port, maxMessageBytes: settings.intake.maxBodyBytes, limits: limits(intakeLimits),
                maxStreams: intakeLimits.maxStreams, sinks: sinks, logger: logger)))
        }
        let queries = try queryServices(
            settings, reader: index, status: status, shutdown: shutdown,
            socketLimits: ConnectionLimits(maxConnections: DescriptorPlan.querySocket, idleTimeout: queryLimits.idleTimeout,
                                           bodyTimeout: queryLimits.bodyTimeout, closeWhenPeerLeaves: true),
            tcpLimits: { limits(queryLimits, streaming: true) }, logger: logger)

        // A ServiceGroup stops services in reverse order: the sockets close before the tailer
        // makes its last commit.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: retainer), .init(service: sampler)] + (exporter.map { [.init(service: $0)] } ?? [])
                    + [.init(service: tailer), .init(service: watcher), .init(service: intake)] + tcpIntakes
                    + queries + [.init(service: shutdown)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
                .drainTimeout(settings.drainTimeout))
        defer {
            unlink(settings.intake.socketPath)
            unlink(settings.query.socketPath)
        }
        try await group.run()
        journal.closeCleanly()
        if let drain = shutdown.drainDuration, drain > settings.drainTimeout {
            logger.warning("drain cut short at drain_timeout: a request or write had not finished; nothing committed is lost",
                           metadata: ["drain_timeout": "\(settings.drainTimeout)"])
        }
        logger.info("stopped")
    }

    /// The query socket and the query TCP listeners (with their token, browser sessions and, on
    /// a terminal, a login link), over `reader`: the daemon's index or the fleet's ClickHouse.
    static func queryServices(_ settings: DaemonConfig, reader: any TraceReader, status: DaemonReports, shutdown: ShutdownFlag,
                              socketLimits: ConnectionLimits, tcpLimits: () -> ConnectionLimits,
                              logger: Logger) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        // Browser sessions of the query TCP listeners behind a token: one set for the daemon (each
        // listener's cookie carries its port). In memory only, so a restart, and with it a
        // changed token, ends them all. The query socket mints their one-time login codes.
        let sessions: Sessions? = !settings.query.tcp.isEmpty && settings.query.auth == .token
            ? Sessions(ttl: settings.query.sessionTTL) : nil
        let query = QueryServer.application(
            socketPath: settings.query.socketPath, mode: settings.query.mode, reader: reader, status: status,
            stopping: { shutdown.isShuttingDown },
            limits: socketLimits,
            loginCodes: sessions, logger: logger)

        var queryTCP: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if !settings.query.tcp.isEmpty {
            let token: String?
            switch settings.query.auth {
            case .none:
                logger.warning("query TCP listeners without authentication (query.auth: none): every user who can reach them reads the logs",
                               metadata: ["addresses": "\(settings.query.tcp.map(\.description).joined(separator: ","))"])
                token = nil
            case .token:
                token = try QueryToken.loadOrCreate(settings.query.tokenFile ?? settings.stateDirectory + "/query.token", logger: logger)
            }
            for address in settings.query.tcp {
                if !address.isLoopback {
                    logger.warning("query API listening on a non-loopback address", metadata: ["address": "\(address)"])
                }
                queryTCP.append(.init(service: QueryServer.tcpApplication(
                    host: address.host, port: address.port, token: token, sessions: sessions, reader: reader, status: status,
                    stopping: { shutdown.isShuttingDown }, limits: tcpLimits(), logger: logger)))
            }
            // On a terminal (`make run`), a link that logs a browser in once (a one-time code, valid
            // 10 minutes; `tracejoin login-link` prints another): never the token, which a
            // browser's history would keep.
            if isatty(STDOUT_FILENO) != 0, let first = settings.query.tcp.first {
                let login = token != nil ? sessions.map { "login?code=" + $0.mintCode() } : nil
                print("query API and web view: http://\(first)/" + (login ?? ""))
            }
        }

        return [.init(service: query)] + queryTCP
    }

    private static func parent(_ path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }
}

/// Records a sample of the daemon's status every `interval` while it runs: the last hour that
/// the status page plots and `GET /v1/stats/history` returns. A sample is a few snapshots taken
/// under short locks, so it runs on the cooperative pool.
final class StatusSampler: Service {
    let status: DaemonReports
    let history: StatusHistory
    let interval: Duration

    init(status: DaemonReports, history: StatusHistory, interval: Duration = .seconds(1)) {
        self.status = status
        self.history = history
        self.interval = interval
    }

    func run() async throws {
        // Cancelled on graceful shutdown, so the daemon does not wait out the interval.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.history.record(StatusHistory.sample(of: self.status.stats(), now: Timestamps.now()))
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}

extension ServiceGroupConfiguration {
    /// A drain longer than `timeout` is escalated to cancellation, which gets a second more.
    func drainTimeout(_ timeout: Duration) -> Self {
        var configuration = self
        configuration.maximumGracefulShutdownDuration = timeout
        configuration.maximumCancellationDuration = .seconds(1)
        return configuration
    }
}

/// Set when graceful shutdown begins. Listed last in the service group, so it hears of the
/// shutdown first (services stop in reverse order) and live query streams can end before the
/// query server waits for its connections.
///
/// It also bounds the drain: a service that ignores even cancellation (a client stalled
/// mid-request, a blocked write) cannot hold the process past `drainTimeout` plus a second.
/// Stopping then loses nothing: checkpoints only move with the records they cover, so lines not
/// yet committed are read again on the next start, and spans not acknowledged are retried by
/// their tracer.
final class ShutdownFlag: Service {
    private let flag = Atomic<Bool>(false)
    private let began = Locked<ContinuousClock.Instant?>(nil)
    private let drainTimeout: Duration
    private let logger: Logger
    var isShuttingDown: Bool { flag.load(ordering: .relaxed) }
    /// How long the drain has taken so far, once it has begun.
    var drainDuration: Duration? { began.withLock { $0.map { ContinuousClock.now - $0 } } }

    init(drainTimeout: Duration, logger: Logger) {
        self.drainTimeout = drainTimeout
        self.logger = logger
    }

    func run() async throws {
        try? await gracefulShutdown()
        flag.store(true, ordering: .relaxed)
        began.withLock { $0 = .now }
        logger.info("draining", metadata: ["timeout": "\(drainTimeout)"])
        let deadline = drainTimeout + .seconds(1)
        let logger = logger
        // A thread of its own, not a task: it must fire even if the cooperative pool is stuck.
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18)
            logger.warning("drain did not finish in time; exiting now (uncommitted lines are read again on the next start)",
                           metadata: ["timeout": "\(deadline)"])
            exit(0)
        }
    }
}

/// Why the daemon could not start.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An exclusive `flock(2)` on `STATE_DIR/lock`, held for the daemon's life: a second daemon on
/// the same state directory is refused. The kernel drops it if the process dies.
final class StateLock {
    private let fd: Int32

    init(directory: String) throws(DaemonError) {
        let path = directory + "/lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DaemonError("cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            let pid = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw DaemonError("another tracejoin daemon (pid \(pid)) is using the state directory \(directory)")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    func release() {
        close(fd)
    }
}

extension ClickHouseClient {
    /// The exporter's client: `compression: auto` sends as it is to a loopback URL and gzip
    /// anywhere else.
    static func exporting(_ c: DaemonConfig.ClickHouseExport) -> ClickHouseClient {
        let plain = ClickHouseClient(url: c.url, database: c.database, user: c.user, password: c.password)
        let compression: ClickHouseClient.Compression = c.compression == "none" || (c.compression == "auto" && plain.isLoopback) ? .none : .gzip
        return ClickHouseClient(url: c.url, database: c.database, user: c.user, password: c.password, compression: compression)
    }
}
