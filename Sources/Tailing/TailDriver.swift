import Logging
import Quarantine
import TracejoinModel

/// The part of the tailer that touches the file system: it globs, opens, stats and reads (all
/// through one ``FileAccess``), hands what it saw to the ``FileTracker`` and carries out what
/// the tracker answers, reading with a ``FileReader``.
///
/// It also spends the two scarce things: system calls and descriptors. A file that did not
/// change is looked at again later and later (up to `maxPollInterval`), and not at all between
/// inotify events when its directory is watched; a file idle for its source's `close_inactive`
/// gives its descriptor back, keeping its place. When descriptors run short, files take turns:
/// one read to its end gives its descriptor to one that waits.
///
/// Not shared: one thread owns it (the tailer's), and tests drive it with a clock they move.
final class TailDriver<Files: FileAccess> {
    let files: Files
    private(set) var tracker = FileTracker()
    private let reader = FileReader()
    /// Written through `store(_:for:)`, which keeps `byActivity` up to date.
    private var handles: [FileIdentity: Handle] = [:]
    /// The open descriptors of `handles` by when their file was last active, oldest first: the
    /// one to close when descriptors run short is found without looking at every file (with
    /// tens of thousands followed and a few hundred descriptors, a look at each per open made
    /// taking them up quadratic). An entry is stale once its file was active again or its
    /// descriptor closed; stale entries are dropped when met.
    private var byActivity = MinHeap<Activity>()
    /// Open descriptors taken out of `byActivity` because their file could not be closed when
    /// met (not read to its end). Each goes back when its handle is next written (a file only
    /// becomes closable by being looked at), and all of them at each pass and after each scan
    /// (a scan can make a renamed file live again): `evictOne` never meets them twice in a row.
    private var parked = Set<FileIdentity>()
    private var sessions: [String: any LineParserSession] = [:]
    private var matchers: [String: any LineMatcher] = [:]
    private var generation = -1
    private let chunkSize: Int
    let logger: Logger
    /// Where each record is noted while it is parsed (docs/reliability.md, "Quarantine").
    let journal: CrashJournal?
    /// Directories (with a trailing `/`) whose files are never taken up: the daemon's own state.
    let neverTail: [String]

    let pollInterval: Duration
    /// How long an unchanged file waits at most before it is looked at again: `watched` when
    /// inotify hears of its changes, `polled` when it does not.
    let maxPollInterval: (watched: Duration, polled: Duration)
    private var nextScan: ContinuousClock.Instant?
    private var scanInterval: Duration

    /// Descriptors the driver may hold at once.
    private(set) var descriptorBudget: Int
    private var openCount = 0
    /// Files that wanted a descriptor in the last pass and had to wait for one.
    private(set) var waiting = Set<String>()
    /// Files already warned about (no descriptor, cannot open): once per file, not per attempt.
    private var warned = Set<String>()
    /// Whether the last pass read anything (the tailer then goes on without pausing).
    private(set) var readAnything = false
    private let epoch = ContinuousClock.now
    /// Bytes one pass reads at most, so that a batch (and the transaction that commits it)
    /// stays small however much is waiting; what is left is read by the next pass at once.
    let passBytes: Int64
    private var passBytesLeft: Int64 = 0
    /// Where the next pass starts among the followed files, so that with more to read than a
    /// pass takes, every file gets its turn.
    private var passStart = 0

    private struct Activity: Comparable {
        var lastActive: ContinuousClock.Instant
        var identity: FileIdentity

        static func < (a: Activity, b: Activity) -> Bool { (a.lastActive, a.identity) < (b.lastActive, b.identity) }
    }

    struct Handle {
        var handle: Files.Handle?
        /// The status and first bytes as last looked at, and when (wall clock).
        var status: FileStatus?
        var prefix: [UInt8] = []
        var takenAt: Int64 = 0
        var lastActive: ContinuousClock.Instant
        var interval: Duration
        var nextLook: ContinuousClock.Instant
        /// The pod fields of the path they were read from (``PodPath``): read once per path,
        /// not once per read.
        var pathFields: (path: String, fields: [LogRecord.FieldText])?
    }

    init(files: Files, chunkSize: Int, descriptorBudget: Int, passBytes: Int64 = 2 << 20, pollInterval: Duration = .milliseconds(250),
         maxPollInterval: (watched: Duration, polled: Duration) = (.seconds(10), .seconds(2)), journal: CrashJournal? = nil,
         neverTail: [String] = [], logger: Logger) {
        self.journal = journal
        self.neverTail = neverTail.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        self.files = files
        self.passBytes = passBytes
        self.chunkSize = chunkSize
        self.descriptorBudget = max(1, descriptorBudget)
        self.pollInterval = pollInterval
        self.maxPollInterval = maxPollInterval
        self.scanInterval = pollInterval
        self.logger = logger
    }

    func restore(_ checkpoints: [FileCheckpoint]) {
        tracker.restore(checkpoints)
    }

    /// Takes the sources in force, when their generation changed.
    func update(generation: Int, sources: [TailSource]) {
        guard generation != self.generation else { return }
        self.generation = generation
        sessions = Dictionary(sources.map { ($0.name, $0.parser.makeSession()) }, uniquingKeysWith: { a, _ in a })
        matchers = Dictionary(sources.compactMap { s in s.multiline.map { (s.name, $0.start.makeMatcher()) } }, uniquingKeysWith: { a, _ in a })
        for source in sources { reader.reserve(chunkSize: chunkSize, for: source) }
        for identity in tracker.setSources(sources) { closeHandle(identity) }
        nextScan = nil
        logEvents()
    }

    /// The directories inotify should watch, and whether they cover every file the globs name.
    func watchTargets() -> [(directory: String, covers: Bool)] {
        tracker.sourceOrder.compactMap { tracker.sources[$0] }.flatMap { $0.paths.map { Glob($0) } }.map { ($0.base, $0.baseWatchCovers) }
    }

    // MARK: One pass

    /// One look at the files that may have changed: new files found, rotations and truncations
    /// noticed, new bytes read and parsed into the batch.
    ///
    /// - Parameter changes: what inotify reported since the last pass; `nil` looks at every file
    ///   and scans every glob (the first pass, and tests).
    func pass(at moment: Moment, changes: ChangeWatcher.Changes?, watcher: ChangeWatcher? = nil) -> TailBatch {
        var batch = TailBatch()
        readAnything = false
        waiting = []
        let everything = changes == nil || changes!.overflowed
        // Files already followed first: a truncation is noticed and fingerprints are fresh
        // before a new file is compared with them (is it a copy?).
        var missing: [FileIdentity] = []
        passBytesLeft = passBytes
        unpark()
        var followed = tracker.followed()
        if !followed.isEmpty {
            passStart = passStart % followed.count
            followed = Array(followed[passStart...] + followed[..<passStart])
            passStart += 1
        }
        for identity in followed {
            visit(identity, at: moment, force: everything || changes!.paths.contains(tracker.file(identity)?.path ?? ""),
                  watcher: watcher, missing: &missing, into: &batch)
        }
        // A file closed while idle and no longer at its path: let go where it was. Its inode
        // may already be another file's, so it is not looked for by identity; if the scan finds
        // it under another name, its checkpoint (and fingerprint) take it up where it was.
        for identity in missing {
            if let checkpoint = tracker.lost(identity) { batch.checkpoints.append(checkpoint) }
            handles[identity] = nil
        }
        let scanDue = everything || changes!.directoryChanged || !missing.isEmpty || tracker.hasPendingDiscoveries
            || nextScan.map { moment.now >= $0 } ?? true
        if scanDue {
            let foundNew = discover(at: moment, into: &batch)
            // Globs inotify covers are scanned on its events; the others are polled, less
            // often while they find nothing new.
            let covered = watcher.map { w in watchTargets().allSatisfy { $0.covers && w.isWatched($0.directory) } } ?? false
            scanInterval = foundNew ? pollInterval : min(scanInterval * 2, covered ? maxPollInterval.watched : maxPollInterval.polled)
            nextScan = moment.now + scanInterval
        }
        tracker.expireTruncations(at: moment)
        batch.checkpoints += tracker.checkpoints()
        logEvents()
        return batch
    }

    /// `instant` rounded up to a multiple of `interval` (from the driver's start): files that
    /// poll at the same interval come due together, so an idle host's files are looked at in a
    /// few passes rather than one wake-up each.
    private func aligned(_ instant: ContinuousClock.Instant, to interval: Duration) -> ContinuousClock.Instant {
        let since = instant - epoch
        let steps = (since / interval).rounded(.up)
        return epoch + interval * steps
    }

    /// How long the tailer may sleep before the next pass is due if no event comes.
    func nextDue(after now: ContinuousClock.Instant) -> Duration {
        var due = nextScan ?? now
        for identity in handles.keys where tracker.isBusy(identity) { due = min(due, now + pollInterval) }
        for handle in handles.values { due = min(due, handle.nextLook) }
        if tracker.hasPendingDiscoveries { due = min(due, now + pollInterval) }
        return max(.zero, due - now)
    }

    /// Looks at one followed file and reads what it has.
    private func visit(_ identity: FileIdentity, at moment: Moment, force: Bool, watcher: ChangeWatcher?,
                       missing: inout [FileIdentity], into batch: inout TailBatch) {
        guard let file = tracker.file(identity), let source = tracker.sources[file.source] else { return }
        var h = handles[identity] ?? Handle(lastActive: moment.now, interval: pollInterval, nextLook: moment.now)
        let busy = tracker.isBusy(identity)
        guard force || busy || moment.now >= h.nextLook else { return }

        // What the file is now: through its descriptor, or (closed while idle) at its path.
        var status: FileStatus
        let atPath: FileIdentity?
        if let fd = h.handle {
            guard let s = files.status(fd) else { return }
            status = s
            atPath = files.status(path: file.path)?.identity
        } else {
            guard let s = files.status(path: file.path), s.identity == identity else {
                missing.append(identity)
                return
            }
            status = s
            atPath = identity
        }
        let unchanged = h.status == status && files.isSettled(status, takenAt: h.takenAt)
        if unchanged && !busy && atPath == identity {
            // Nothing happened: look again later, and give the descriptor back when idle long enough.
            let watched = watcher.map { w in w.isWatched(Self.parent(file.path)) } ?? false
            h.interval = min(h.interval * 2, watched ? maxPollInterval.watched : maxPollInterval.polled)
            h.nextLook = aligned(moment.now + h.interval, to: h.interval)
            if h.handle != nil, moment.now - h.lastActive >= source.closeInactive, file.atRest {
                closeHandle(identity, keep: &h)
            }
            store(h, for: identity)
            return
        }
        if !unchanged || h.handle == nil {
            if h.handle == nil {
                guard let fd = acquire(file.path, identity: identity) else {
                    store(h, for: identity)
                    return
                }
                h.handle = fd
                if let s = files.status(fd) { status = s }
            }
            h.prefix = readPrefix(h.handle!, size: status.size)
        }
        h.status = status
        h.takenAt = moment.wall
        let look = Look(status: status, prefix: h.prefix, atPath: atPath)
        if var plan = tracker.look(identity, look, at: moment), let fd = h.handle, let current = tracker.file(identity), passBytesLeft > 0 {
            plan.maxBytes = passBytesLeft
            var position = current.position
            let outcome = reader.read(files, fd, position: &position, plan: plan, context: context(for: current, source), into: &batch)
            tracker.didRead(identity, position: position, outcome: outcome)
            passBytesLeft -= outcome.bytesRead
            if outcome.bytesRead > 0 || passBytesLeft <= 0 {
                readAnything = true
                h.lastActive = moment.now
            }
        }
        if !unchanged {
            h.interval = pollInterval
            h.lastActive = moment.now
        }
        h.nextLook = aligned(moment.now + h.interval, to: h.interval)
        store(h, for: identity)
        if tracker.settle(identity, look, at: moment) {
            finish(identity, at: moment, into: &batch)
        }
    }

    /// Lets a done file go: a record still gathering is handed on, its checkpoint written.
    private func finish(_ identity: FileIdentity, at moment: Moment, into batch: inout TailBatch) {
        if let file = tracker.file(identity), let source = tracker.sources[file.source],
            file.position.pending != nil || (source.format != .plain && file.position.consumed < file.size),
            let fd = handles[identity]?.handle
        {
            var position = file.position
            let plan = ReadPlan(size: file.size, flushPartial: true, finishRecord: true, now: moment.now)
            let outcome = reader.read(files, fd, position: &position, plan: plan, context: context(for: file, source), into: &batch)
            tracker.didRead(identity, position: position, outcome: outcome)
        }
        if let checkpoint = tracker.release(identity) { batch.checkpoints.append(checkpoint) }
        closeHandle(identity)
    }

    private func context(for file: FileTracker.TrackedFile, _ source: TailSource) -> FileReader.Context {
        FileReader.Context(source: source, session: sessions[source.name]!, matcher: matchers[source.name], path: file.path,
                           identity: file.identity, journal: journal, pathFields: pathFields(of: file, source))
    }

    /// A container format's file's pod fields, kept with its handle until its path changes.
    private func pathFields(of file: FileTracker.TrackedFile, _ source: TailSource) -> [LogRecord.FieldText] {
        guard source.format != .plain else { return [] }
        if let cached = handles[file.identity]?.pathFields, cached.path == file.path { return cached.fields }
        let fields = PodPath.fields(of: file.path)
        handles[file.identity]?.pathFields = (file.path, fields)
        return fields
    }

    /// Finds files the globs name that are not followed yet and takes them up. Returns whether
    /// any was found.
    private func discover(at moment: Moment, into batch: inout TailBatch) -> Bool {
        let neverTail = neverTail
        let scans = tracker.sourceOrder.compactMap { tracker.sources[$0] }.map { source in
            (source: source.name, entries: files.list(source.paths, exclude: source.exclude).filter { entry in
                !neverTail.contains { entry.path.hasPrefix($0) }
            })
        }
        let candidates = tracker.scanned(scans, at: moment)
        unpark()
        guard !candidates.isEmpty else { return false }
        var withPrefixes: [(Candidate, prefix: [UInt8])] = []
        var opened: [FileIdentity: Files.Handle] = [:]
        for candidate in candidates {
            guard let fd = acquire(candidate.path, identity: candidate.status.identity) else { continue }
            // Its status through the descriptor: the file may have grown since the scan.
            var c = candidate
            if let s = files.status(fd) { c.status = s }
            withPrefixes.append((c, readPrefix(fd, size: c.status.size)))
            // Descriptors are kept for the files taken up, unless they run short.
            if openCount < descriptorBudget {
                opened[c.status.identity] = fd
            } else {
                release(fd)
            }
        }
        let taken = Set(tracker.admit(withPrefixes, at: moment))
        for (identity, fd) in opened where !taken.contains(identity) { release(fd) }
        logEvents()
        var missing: [FileIdentity] = []
        for identity in tracker.followed() where taken.contains(identity) {
            store(Handle(handle: opened[identity], lastActive: moment.now, interval: pollInterval, nextLook: moment.now), for: identity)
            visit(identity, at: moment, force: true, watcher: nil, missing: &missing, into: &batch)
        }
        return true
    }

    // MARK: Descriptors

    /// Opens `path` if it still is `identity`, making room when descriptors are short.
    private func acquire(_ path: String, identity: FileIdentity) -> Files.Handle? {
        if openCount >= descriptorBudget { evictOne() }
        var result = files.open(path)
        if case .failure(.noDescriptor) = result {
            // Fewer than the budget assumed: hold no more than are open now.
            descriptorBudget = max(1, openCount)
            if evictOne() { result = files.open(path) }
        }
        switch result {
        case .success(let fd):
            guard files.status(fd)?.identity == identity else {
                files.close(fd)
                return nil
            }
            openCount += 1
            waiting.remove(path)
            return fd
        case .failure(.noDescriptor):
            waiting.insert(path)
            if warned.insert(path).inserted {
                logger.warning("no file descriptor free for a log file; it is read when another file gives one back",
                               metadata: ["file": "\(path)", "descriptors_held": "\(openCount)"])
            }
            return nil
        case .failure(.failed(let error)):
            if warned.insert(path).inserted {
                logger.warning("cannot open log file", metadata: ["file": "\(path)", "error": "\(error)"])
            }
            return nil
        }
    }

    /// Closes the descriptor of the file that has been at rest longest; whether there was one.
    /// Looks only at open descriptors, oldest first, up to the first that can be closed.
    @discardableResult
    private func evictOne() -> Bool {
        while let oldest = byActivity.pop() {
            guard isCurrent(oldest), var h = handles[oldest.identity] else { continue }
            // A file read to its end, or a copy (not read until its original is truncated),
            // can be opened again later without losing anything.
            guard let file = tracker.file(oldest.identity) else {
                parked.insert(oldest.identity)
                continue
            }
            if case .copy = file.state {} else if !file.atRest {
                parked.insert(oldest.identity)
                continue
            }
            closeHandle(oldest.identity, keep: &h)
            store(h, for: oldest.identity)
            return true
        }
        return false
    }

    /// Writes a handle, noting an open descriptor's last activity in `byActivity`.
    private func store(_ h: Handle, for identity: FileIdentity) {
        let old = handles.updateValue(h, forKey: identity)
        let wasParked = parked.remove(identity) != nil
        guard h.handle != nil, wasParked || old?.handle == nil || old?.lastActive != h.lastActive else { return }
        byActivity.push(Activity(lastActive: h.lastActive, identity: identity))
        // Files active again leave stale entries behind: drop them once they outnumber the
        // open descriptors (amortised, each entry is dropped once).
        if byActivity.count > 2 * openCount + 64 {
            var seen = Set<FileIdentity>()
            byActivity = MinHeap(byActivity.elements.filter { isCurrent($0) && seen.insert($0.identity).inserted })
        }
    }

    /// Puts the parked descriptors back in `byActivity`.
    private func unpark() {
        for identity in parked {
            if let h = handles[identity], h.handle != nil { byActivity.push(Activity(lastActive: h.lastActive, identity: identity)) }
        }
        parked = []
    }

    /// Whether an entry of `byActivity` still stands for an open descriptor as last active.
    private func isCurrent(_ entry: Activity) -> Bool {
        guard let h = handles[entry.identity], h.handle != nil else { return false }
        return h.lastActive == entry.lastActive
    }

    private func closeHandle(_ identity: FileIdentity, keep h: inout Handle) {
        if let fd = h.handle { release(fd) }
        h.handle = nil
    }

    private func closeHandle(_ identity: FileIdentity) {
        if let fd = handles.removeValue(forKey: identity)?.handle { release(fd) }
    }

    private func release(_ fd: Files.Handle) {
        files.close(fd)
        openCount -= 1
    }

    private func readPrefix(_ fd: Files.Handle, size: Int64) -> [UInt8] {
        let length = Int(min(size, Int64(Fingerprint.maxLength)))
        guard length > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: length)
        let n = buffer.withUnsafeMutableBytes { files.read(fd, into: $0, at: 0) }
        if n <= 0 { return [] }
        if n < length { buffer.removeLast(length - n) }
        return buffer
    }

    func closeAll() {
        for h in handles.values { if let fd = h.handle { files.close(fd) } }
        handles = [:]
        byActivity = MinHeap()
        parked = []
        openCount = 0
    }

    /// Descriptors held now.
    var descriptorsHeld: Int { openCount }

    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private func logEvents() {
        for event in tracker.takeEvents() {
            var metadata: Logger.Metadata = [:]
            for (k, v) in event.metadata { metadata[k] = "\(v)" }
            switch event.level {
            case .info: logger.info("\(event.message)", metadata: metadata)
            case .warning: logger.warning("\(event.message)", metadata: metadata)
            }
        }
    }
}
