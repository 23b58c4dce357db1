import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Quarantine
import Synchronization
import TracejoinModel

/// Follows the files of every source and hands parsed batches, with the offsets that produced
/// them, to a ``TailSink``.
///
/// Two threads share the work. The tail thread (its own, not Swift's cooperative pool: it makes
/// blocking system calls and runs PCRE2) sleeps until inotify, a wake-up or its next timer,
/// then reads and parses what changed. The batches it makes go through a bounded queue to the
/// committer, which writes them to the index (the index's own writer thread, and its block
/// compression on the other core). When the index falls behind, the queue fills and the tail
/// thread waits: reading slows down, memory stays bounded (`queueDepth` batches and one read
/// buffer), nothing is dropped. Records are committed together with the offsets that produced
/// them, so after a crash every line is in the index exactly once.
public final class Tailer: Service {
    /// The sources in force and a number that changes when they do (rules are reloaded while
    /// the daemon runs).
    public typealias SourceProvider = @Sendable () -> (generation: Int, sources: [TailSource])

    let sources: SourceProvider
    let sink: any TailSink
    let pollInterval: Duration
    let useInotify: Bool
    let logger: Logger
    let chunkSize: Int
    let status: TailStatusBoard?
    let descriptorBudget: Int
    /// Batches read but not yet committed, at most.
    let queueDepth: Int
    /// How often a commit the index refused is tried again.
    let retryInterval: Duration
    /// Notes each record while it is parsed; sets aside one that stopped the daemon.
    let journal: CrashJournal?
    /// Directories whose files are never tailed, whatever a glob says (the daemon's own state).
    let neverTail: [String]

    public init(sources: @escaping SourceProvider, sink: any TailSink, pollInterval: Duration = .milliseconds(250),
                inotify: Bool = true, chunkSize: Int = 1 << 20, status: TailStatusBoard? = nil, descriptorBudget: Int = 1024,
                queueDepth: Int = 2, retryInterval: Duration = .seconds(1), journal: CrashJournal? = nil, neverTail: [String] = [],
                logger: Logger) {
        self.journal = journal
        self.neverTail = neverTail
        self.retryInterval = retryInterval
        self.sources = sources
        self.sink = sink
        self.pollInterval = pollInterval
        self.useInotify = inotify
        self.chunkSize = chunkSize
        self.status = status
        self.descriptorBudget = descriptorBudget
        self.queueDepth = max(1, queueDepth)
        self.logger = logger
    }

    public func run() async throws {
        let checkpoints = try await sink.loadCheckpoints()
        // Records already committed can never be read again: the journal forgets them.
        journal?.forgetRecords(before: checkpoints.map { ($0.device, $0.inode, $0.offset) })
        let (batches, continuation) = AsyncStream<TailBatch>.makeStream()
        let slots = DispatchSemaphore(value: queueDepth)
        let watcher = ChangeWatcher(useInotify: useInotify)
        if useInotify && !watcher.usesInotify {
            logger.warning("inotify unavailable; log files are polled", metadata: ["error": "\(watcher.unavailableReason ?? "")"])
        }
        let stop = StopFlag()
        let (exited, exitedContinuation) = AsyncStream<Void>.makeStream()
        let thread = Thread { [self] in
            Thread.current.name = "tracejoin-tail"
            readLoop(checkpoints: checkpoints, watcher: watcher, stop: stop, slots: slots, batches: continuation)
            continuation.finish()
            exitedContinuation.finish()
        }
        thread.name = "tracejoin-tail"
        thread.start()

        await withGracefulShutdownHandler {
            for await batch in batches {
                guard await commitPatiently(batch) else { break }
                slots.signal()
            }
        } onGracefulShutdown: {
            stop.set()
            watcher.wake()
        }
        stop.set()
        watcher.wake()
        // Let the tail thread go (it may wait for a slot) and wait until it has closed its files.
        for _ in 0..<queueDepth { slots.signal() }
        for await _ in exited {}
        logger.info("tailer stopped")
    }

    /// The tail thread: passes over the files, whenever something may have changed.
    private func readLoop(checkpoints: [FileCheckpoint], watcher: ChangeWatcher, stop: StopFlag, slots: DispatchSemaphore,
                          batches: AsyncStream<TailBatch>.Continuation) {
        let driver = TailDriver(files: SystemFiles(), chunkSize: chunkSize, descriptorBudget: descriptorBudget,
                                pollInterval: pollInterval, journal: journal, neverTail: neverTail, logger: logger)
        defer { driver.closeAll() }
        driver.restore(checkpoints)
        var firstPass = true
        var published = ContinuousClock.now - .seconds(10)
        while !stop.isSet {
            let (generation, current) = sources()
            driver.update(generation: generation, sources: current)
            watcher.watch(Set(driver.watchTargets().map(\.directory)))
            // Events are taken before the pass: one that comes during it wakes the next.
            let changes = firstPass ? nil : watcher.drain()
            firstPass = false
            let batch = driver.pass(at: Moment(now: .now, wall: SystemFiles.wallClock()), changes: changes, watcher: watcher)
            let hasNews = !batch.checkpoints.isEmpty || !batch.records.isEmpty || batch.linesUnmatched > 0 || batch.linesWithoutTrace > 0
            if hasNews || ContinuousClock.now - published >= .seconds(5) {
                status?.publish(driver.tracker.statuses(), waitingForDescriptor: driver.waiting.count, descriptorsHeld: driver.descriptorsHeld)
                published = .now
            }
            if hasNews {
                // Back-pressure: wait for the committer to take a batch.
                while slots.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
                    if stop.isSet { return }
                }
                if stop.isSet { return }
                batches.yield(batch)
            }
            // Keep reading without a pause while there is a backlog.
            if !driver.readAnything && !stop.isSet {
                let wait = driver.nextDue(after: .now)
                let ms = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
                watcher.wait(timeoutMilliseconds: Int32(clamping: max(1, min(ms, 10_000))))
            }
        }
    }

    /// Commits `batch`, trying again every `retryInterval` while the index refuses writes (a
    /// full disk): meanwhile the queue fills and nothing more is read, so memory stays bounded,
    /// and no line is lost or skipped. Returns `false` if the daemon began shutting down first;
    /// the batch is then dropped uncommitted, and since its offsets were not committed either,
    /// its lines are read again on the next start.
    private func commitPatiently(_ batch: TailBatch) async -> Bool {
        var failures = 0
        while true {
            do {
                try await sink.commit(batch)
                if failures > 0 {
                    logger.notice("tailer resumed", metadata: ["failed_attempts": "\(failures)"])
                }
                return true
            } catch {
                failures += 1
                if failures == 1 {
                    logger.warning("cannot commit lines; holding them and trying again",
                                   metadata: ["error": "\(error)", "records": "\(batch.records.count)", "every": "\(retryInterval)"])
                }
            }
            let until = ContinuousClock.now + retryInterval
            while ContinuousClock.now < until {
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// Set once, read from any thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
