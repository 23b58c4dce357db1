import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// A moment as the tracker is told it: the monotonic clock for durations, the wall clock for
/// what `/v1/stats` shows.
struct Moment: Sendable {
    var now: ContinuousClock.Instant
    var wall: Int64
}

/// What the driver saw of one followed file.
struct Look {
    /// `fstat` of its descriptor (or `stat` of its path while it has none).
    var status: FileStatus
    /// Its first `min(size, Fingerprint.maxLength)` bytes.
    var prefix: [UInt8]
    /// What its path holds now (`nil`: nothing).
    var atPath: FileIdentity?
}

/// A file a scan found that is not followed yet.
struct Candidate {
    var path: String
    var source: String
    var status: FileStatus
    /// Found the first time its source's globs were looked at (for `start_at: end`).
    var firstScan: Bool
}

/// Something the tracker noticed, for the driver to log.
struct TailEvent: Sendable {
    enum Level: Sendable { case info, warning }
    var level: Level
    var message: String
    var metadata: [(String, String)]
}

/// Decides what each file is and where it is read from. Pure: it makes no system call and reads
/// no clock. The driver hands it what it saw — a scan's results, a file's status and first
/// bytes, the time — and carries out what it answers: follow this candidate from that offset,
/// read this file up to there, let that one go, commit these checkpoints.
///
/// Files are known by identity (device, inode), not by path: a renamed file keeps being read
/// from where it was, and a rotated-away file is read to its end while its writer may still
/// add to it (`rotateWait`). A fingerprint of the first bytes tells a truncated or replaced
/// file from the one that was there, and a copy (copytruncate) from a new file.
struct FileTracker {
    private(set) var sources: [String: TailSource] = [:]
    private(set) var sourceOrder: [String] = []
    /// Checkpoints from the index not yet matched to a file.
    private var restored: [FileIdentity: FileCheckpoint] = [:]
    private(set) var files: [FileIdentity: TrackedFile] = [:]
    /// The files in the `copy` state, by the identity of their original: letting a file go or
    /// truncating it looks up its copies instead of looking at every file (releasing the
    /// thousands a `/**` took up, one scan each, was quadratic). Kept exact by the few places
    /// that make or unmake a copy; checked against `files` on use all the same.
    private var copiesByOriginal: [FileIdentity: Set<FileIdentity>] = [:]
    /// Files truncated while no copy of them was known: a copy found soon after (copytruncate)
    /// is read from where the original was.
    private var truncated: [TruncatedFile] = []
    /// New files not taken up yet because they hold no whole line: such a file may be a copy
    /// still being written, which cannot be told from a new file until it has a line.
    private var deferred: [FileIdentity: ContinuousClock.Instant] = [:]
    /// Sources whose globs have been looked at once (for `start_at: end`).
    private var scannedSources = Set<String>()
    /// What happened since the driver last took the events.
    private(set) var events: [TailEvent] = []

    struct TrackedFile {
        var path: String
        let source: String
        let identity: FileIdentity
        var fingerprint: Fingerprint
        /// The bytes the fingerprint covers, kept to recognise a copy after a truncation.
        var prefix: [UInt8]
        var position: ReadPosition
        var state: State
        var size: Int64
        var lastGrowth: ContinuousClock.Instant
        var linesRead = 0
        var linesCut = 0
        var bytesLost: Int64 = 0
        var rotations = 0
        var lastRotation: (String, Int64)?
        /// The checkpoint last handed on, so that unchanged ones are not written again.
        var lastCheckpoint: Int64 = -1
        /// A copy just taken up for its truncated original: its position was set from the
        /// original's, and is brought within the copy's size when the copy is next looked at.
        var positionFromOriginal = false

        enum State: Equatable {
            case live
            /// No longer at its path (renamed or deleted): read until quiet for `rotateWait`.
            case rotated
            /// A copy of the live file with this identity; not read unless that file is truncated.
            case copy(of: FileIdentity)
        }

        var committedOffset: Int64 { position.resume }

        /// Read to its end with nothing held back: its descriptor may be closed and opened again
        /// later without losing anything.
        var atRest: Bool { state == .live && position.consumed >= size && position.pending == nil }
    }

    struct TruncatedFile {
        /// The file's first bytes before the truncation, to recognise a copy still being written.
        var prefix: [UInt8]
        var offset: Int64
        var lastSize: Int64
        var identity: FileIdentity
        var since: ContinuousClock.Instant
        var rotateWait: Duration
        /// The unread bytes were counted as lost (no copy came within `rotateWait`).
        var countedLost = false
    }

    /// How long a truncated file's old start is kept to recognise a late copy of it.
    static let copyRecognitionWindow: Duration = .seconds(300)

    mutating func restore(_ checkpoints: [FileCheckpoint]) {
        for c in checkpoints { restored[FileIdentity(device: c.device, inode: c.inode)] = c }
    }

    mutating func takeEvents() -> [TailEvent] {
        defer { events = [] }
        return events
    }

    private mutating func note(_ message: String, _ metadata: (String, String)...) {
        events.append(TailEvent(level: .info, message: message, metadata: metadata))
    }

    private mutating func warn(_ message: String, _ metadata: (String, String)...) {
        events.append(TailEvent(level: .warning, message: message, metadata: metadata))
    }

    // MARK: Sources

    /// Takes a new set of sources; returns the files to let go (their source is gone). Files
    /// keep their offsets: a changed rule file changes how lines are parsed from here on, never
    /// which bytes are read. A let-go file's checkpoint stays, so a source that comes back
    /// resumes where it was.
    mutating func setSources(_ new: [TailSource]) -> [FileIdentity] {
        sources = [:]
        sourceOrder = []
        for s in new where sources[s.name] == nil {
            sources[s.name] = s
            sourceOrder.append(s.name)
        }
        var gone: [FileIdentity] = []
        for (identity, file) in files where sources[file.source] == nil {
            gone.append(identity)
            note("no longer following log file (its source is gone)", ("file", file.path), ("source", file.source))
            _ = release(identity)
        }
        return gone.sorted()
    }

    /// Stops following `identity`; returns its final checkpoint (none for a copy: it was never
    /// read on its own).
    mutating func release(_ identity: FileIdentity) -> FileCheckpoint? {
        guard let file = files.removeValue(forKey: identity) else { return nil }
        if case .copy(let original) = file.state { forgetCopy(identity, of: original) }
        // Its copies lose their original now, not when next looked at: the identity may be
        // taken up again (the same file found under another name) before then. What a copy
        // holds was read through the original.
        for id in copies(of: identity) {
            guard var copy = files[id] else { continue }
            copy.state = .rotated
            copy.position = .at(copy.size)
            copy.lastCheckpoint = -1
            files[id] = copy
        }
        copiesByOriginal[identity] = nil
        if case .copy = file.state { return nil }
        let c = checkpoint(file)
        restored[identity] = c
        return c
    }

    /// The files that are copies of `original` now, in identity order.
    private func copies(of original: FileIdentity) -> [FileIdentity] {
        (copiesByOriginal[original] ?? []).filter { files[$0]?.state == .copy(of: original) }.sorted()
    }

    /// `copy` is no longer a copy of `original`.
    private mutating func forgetCopy(_ copy: FileIdentity, of original: FileIdentity) {
        copiesByOriginal[original]?.remove(copy)
        if copiesByOriginal[original]?.isEmpty == true { copiesByOriginal[original] = nil }
    }

    private func checkpoint(_ file: TrackedFile) -> FileCheckpoint {
        FileCheckpoint(path: file.path, device: file.identity.device, inode: file.identity.inode, offset: file.committedOffset,
                       fingerprint: file.fingerprint.hash, fingerprintLength: file.fingerprint.length)
    }

    /// The followed files, by path: the order a pass looks at them.
    func followed() -> [FileIdentity] {
        files.values.sorted { ($0.path, $0.identity) < ($1.path, $1.identity) }.map(\.identity)
    }

    func file(_ identity: FileIdentity) -> TrackedFile? { files[identity] }

    // MARK: Discovery

    /// Takes a scan of every source's globs; returns the files found that are not followed
    /// yet, in the order they should be taken up. Followed files found under a new name are
    /// renamed (same file, same offset).
    mutating func scanned(_ scans: [(source: String, entries: [(path: String, status: FileStatus)])], at moment: Moment) -> [Candidate] {
        var found: [Candidate] = []
        var seenIdentities = Set<FileIdentity>()
        var atPath: [String: FileIdentity] = [:]
        for scan in scans {
            for entry in scan.entries { atPath[entry.path] = entry.status.identity }
        }
        for scan in scans {
            let first = scannedSources.insert(scan.source).inserted
            for (path, status) in scan.entries {
                if var file = files[status.identity] {
                    if file.path != path && atPath[file.path] != status.identity {
                        // Renamed, and still matched under its new name: same file, same offset,
                        // followed under the new name from now on.
                        file.path = path
                        file.rotations += 1
                        file.lastRotation = ("renamed", moment.wall)
                        if file.state == .rotated { file.state = .live }
                        files[status.identity] = file
                    }
                    continue
                }
                if !seenIdentities.insert(status.identity).inserted { continue }
                found.append(Candidate(path: path, source: scan.source, status: status, firstScan: first))
            }
        }
        return found
    }

    /// Whether a candidate continues its own checkpoint (the same file as before a restart).
    private func resumesOwnCheckpoint(_ candidate: Candidate, prefix: [UInt8]) -> Bool {
        guard let c = restored[candidate.status.identity], c.fingerprintLength > 0, c.fingerprintLength <= candidate.status.size,
              c.fingerprintLength <= prefix.count else {
            return false
        }
        // A partial first line is no evidence that this is the same file (an inode reused for a
        // copy that starts alike would take it, and skip the copy checks: found by the model
        // test). Such a checkpoint is at offset 0 anyway, so "from its start" is the same.
        guard c.fingerprintLength == Fingerprint.maxLength || prefix[..<c.fingerprintLength].contains(0x0A) else { return false }
        return Fingerprint.stored(hash: c.fingerprint, length: c.fingerprintLength).matches(prefix)
    }

    /// Decides, for each candidate (with its first bytes), whether it is followed now and from
    /// where. Returns the identities taken up; the others are to be closed and looked at again
    /// on a later scan.
    ///
    /// O(n log n) in the candidates and followed files: each candidate is compared through
    /// indexes (``Lookup``), never with every other file (a scan of `/**` finds tens of
    /// thousands at once).
    mutating func admit(_ candidates: [(Candidate, prefix: [UInt8])], at moment: Moment) -> [FileIdentity] {
        // Files that continue their own checkpoint first, so that a copy with the same
        // fingerprint never takes the original's checkpoint. Then the larger first, and by
        // name: when an original and its copy are both new, the original is the one still
        // written to (larger) or, at equal size, logrotate's base name (app.log before app.log.1).
        let ordered = candidates.map { (resumesOwnCheckpoint($0.0, prefix: $0.prefix) ? 0 : 1, -$0.0.status.size, $0) }
            .sorted { ($0.0, $0.1, $0.2.0.path) < ($1.0, $1.1, $1.2.0.path) }.map(\.2)
        var lookup = Lookup(self, candidates: ordered.map { $0.prefix })
        var taken: [FileIdentity] = []
        for (slot, (candidate, prefix)) in ordered.enumerated()
            where admit(candidate, prefix: prefix, slot: slot, at: moment, lookup: &lookup)
        {
            taken.append(candidate.status.identity)
        }
        // Truncated files whose copy was found are forgotten (the others keep their order).
        if !lookup.truncationsCopied.isEmpty {
            truncated = truncated.enumerated().filter { !lookup.truncationsCopied.contains($0.offset) }.map(\.element)
        }
        return taken
    }

    /// What a candidate is compared with, indexed once for all the candidates of a scan (a
    /// host with thousands of files finds thousands at once).
    private struct Lookup {
        /// The starts of the live followed files, then of the candidates (each becomes one when
        /// taken up live): a copy starts like its original. Keyed by identity: the least wins.
        /// Built when a candidate first needs it (one with a whole line): a pass that only
        /// finds files still waiting for their first line sorts nothing.
        private var live: CopyIndex<FileIdentity>?
        private let liveFiles: [(prefix: [UInt8], identity: FileIdentity)]
        private let candidates: [[UInt8]]
        /// Candidates taken up live before `live` was built.
        private var admittedLive: [(slot: Int, identity: FileIdentity)] = []
        /// The starts truncated files had before their truncation, keyed by their place in
        /// `truncated`: the first one a candidate is a copy of wins.
        var truncations: CopyIndex<Int>
        /// Places in `truncated` whose copy was found during this admission.
        var truncationsCopied = Set<Int>()
        /// Checkpoints not matched yet by fingerprint length (the array index, up to
        /// `Fingerprint.maxLength`), then hash. Built when first needed, as `live` is.
        private var restoredByLength: [[UInt64: Checkpoints]] = []
        /// Checkpoints whose stored length is above `Fingerprint.maxLength` (not written by this
        /// tracker, but an index may hold them): by length, then hash.
        private var restoredLonger: [Int: [UInt64: Checkpoints]] = [:]
        private var restoredIndexed = false

        /// Identities in order; those before `start` are matched already.
        struct Checkpoints {
            var identities: [FileIdentity] = []
            var start = 0
        }

        init(_ tracker: FileTracker, candidates: [[UInt8]]) {
            liveFiles = tracker.files.values.filter { $0.state == .live }.map { (prefix: $0.prefix, identity: $0.identity) }
            self.candidates = candidates
            truncations = CopyIndex(tracker.truncated.map(\.prefix))
            for place in tracker.truncated.indices { truncations.activate(place, key: place) }
        }

        /// Indexes the checkpoints not matched yet.
        private mutating func index(_ restored: [FileIdentity: FileCheckpoint]) {
            var byLength = [[UInt64: Checkpoints]](repeating: [:], count: Fingerprint.maxLength + 1)
            var longer: [Int: [UInt64: Checkpoints]] = [:]
            for (identity, c) in restored where c.fingerprintLength > 0 {
                if c.fingerprintLength <= Fingerprint.maxLength {
                    byLength[c.fingerprintLength][c.fingerprint, default: Checkpoints()].identities.append(identity)
                } else {
                    longer[c.fingerprintLength, default: [:]][c.fingerprint, default: Checkpoints()].identities.append(identity)
                }
            }
            let sorted = { (c: Checkpoints) -> Checkpoints in Checkpoints(identities: c.identities.sorted()) }
            restoredByLength = byLength.map { $0.mapValues(sorted) }
            restoredLonger = longer.mapValues { $0.mapValues(sorted) }
            restoredIndexed = true
        }

        /// The live file (the least identity) that a file starting with `prefix` is a copy of.
        /// `hashes` are `Fingerprint.runningHashes(prefix)`.
        mutating func liveOriginal(of prefix: [UInt8], hashes: [UInt64]) -> FileIdentity? {
            // Without a whole line it is a copy of nothing (`Fingerprint.isCopy`).
            guard prefix.contains(0x0A) else { return nil }
            if live == nil {
                var index = CopyIndex<FileIdentity>(liveFiles.map { $0.prefix } + candidates)
                for (entry, file) in liveFiles.enumerated() { index.activate(entry, key: file.identity) }
                for (slot, identity) in admittedLive { index.activate(liveFiles.count + slot, key: identity) }
                admittedLive = []
                live = index
            }
            return live!.leastCopy(of: prefix, hashes: hashes)
        }

        /// The candidate at `slot` was taken up as a live file: later candidates may be copies of it.
        mutating func takenLive(slot: Int, identity: FileIdentity) {
            if live != nil {
                live!.activate(liveFiles.count + slot, key: identity)
            } else {
                admittedLive.append((slot, identity))
            }
        }

        /// The least identity, other than `own`, of a checkpoint not matched yet whose
        /// fingerprint (covering a whole line, or `maxLength` bytes) a file of `size` bytes
        /// starting with `prefix` has. `hashes` are `Fingerprint.runningHashes(prefix)`.
        mutating func restoredMatch(_ prefix: [UInt8], hashes: [UInt64], size: Int64, own: FileIdentity,
                                    restored: [FileIdentity: FileCheckpoint]) -> FileIdentity? {
            guard !restored.isEmpty else { return nil }
            if !restoredIndexed { index(restored) }
            var best: FileIdentity?
            // A fingerprint shorter than the first line is no evidence (`Fingerprint.complete`).
            let shortest = prefix.firstIndex(of: 0x0A).map { min($0 + 1, Fingerprint.maxLength) } ?? Fingerprint.maxLength
            let longest = Int(min(Int64(min(prefix.count, Fingerprint.maxLength)), max(0, size)))
            for length in stride(from: shortest, through: longest, by: 1) where !restoredByLength[length].isEmpty {
                let hash = hashes[length]
                guard restoredByLength[length][hash] != nil,
                      let identity = Self.first(in: &restoredByLength[length][hash]!, other: own, restored: restored) else { continue }
                best = LeastTree<FileIdentity>.least(best, identity)
            }
            if !restoredLonger.isEmpty && prefix.count > Fingerprint.maxLength {
                // Hashed over their first `maxLength` bytes, as `Fingerprint.of` does.
                let hash = hashes[Fingerprint.maxLength]
                for length in restoredLonger.keys where Int64(length) <= size && length <= prefix.count {
                    guard restoredLonger[length]![hash] != nil,
                          let identity = Self.first(in: &restoredLonger[length]![hash]!, other: own, restored: restored) else { continue }
                    best = LeastTree<FileIdentity>.least(best, identity)
                }
            }
            return best
        }

        /// The first identity in `checkpoints`, other than `own`, whose checkpoint is not
        /// matched yet. Matched ones at the front are passed for good.
        private static func first(in checkpoints: inout Checkpoints, other own: FileIdentity,
                                  restored: [FileIdentity: FileCheckpoint]) -> FileIdentity? {
            var i = checkpoints.start
            while i < checkpoints.identities.count {
                let identity = checkpoints.identities[i]
                if restored[identity] == nil {
                    if i == checkpoints.start { checkpoints.start += 1 }
                } else if identity != own {
                    return identity
                }
                i += 1
            }
            return nil
        }
    }

    private mutating func admit(_ candidate: Candidate, prefix: [UInt8], slot: Int, at moment: Moment, lookup: inout Lookup) -> Bool {
        guard let source = sources[candidate.source] else { return false }
        let status = candidate.status
        let path = candidate.path
        let now = moment.now
        let startAtEnd = candidate.firstScan && source.startAtEnd
        // A file with no whole line yet, that does not continue a checkpoint of its own: wait
        // (up to the partial line timeout) until it has one, so that a copy in progress is
        // recognised as a copy. A checkpoint under the same identity is not enough: copytruncate's
        // copy is created empty, often in the inode of the file it replaces (found by the soak).
        let ownCheckpoint = resumesOwnCheckpoint(candidate, prefix: prefix)
        let firstSeen = deferred[status.identity] ?? now
        if !ownCheckpoint && !prefix.contains(0x0A) && status.size < Int64(Fingerprint.maxLength) {
            deferred[status.identity] = firstSeen
            if now - firstSeen < source.partialLineTimeout { return false }
        }
        deferred[status.identity] = nil
        var offset: Int64 = startAtEnd ? status.size : 0
        var state = TrackedFile.State.live
        var how = startAtEnd ? "from its end (start_at: end)" : "from its start"
        let hashes = Fingerprint.runningHashes(prefix)
        // Only a checkpoint whose whole first line (or first 1 KiB) this file still starts with
        // is its own: an empty file, or one starting otherwise, may be another in a reused inode,
        // and goes through the copy checks below.
        if ownCheckpoint, let c = restored[status.identity] {
            // The same file as before the restart, or as when it was let go.
            restored[status.identity] = nil
            offset = min(c.offset, status.size)
            how = "from its checkpoint"
        } else if let original = lookup.liveOriginal(of: prefix, hashes: hashes).flatMap({ files[$0] }) {
            // Starts like a file being followed: a copy of it (copytruncate's first step).
            // Compared with the start each file had when last looked at: the original may have
            // been truncated since (copytruncate's second step).
            state = .copy(of: original.identity)
            offset = 0
            how = "as a copy of \(original.path), read only if that file is truncated"
        } else if let index = lookup.truncations.leastCopy(of: prefix, hashes: hashes) {
            // Starts like a file that was truncated: the copy copytruncate made.
            let t = truncated[index]
            offset = min(t.offset, status.size)
            if t.countedLost, var original = files[t.identity] {
                // Counted as lost too early: the copy has them after all.
                original.bytesLost -= max(0, min(t.lastSize, status.size) - t.offset)
                files[t.identity] = original
            }
            lookup.truncations.deactivate(index)
            lookup.truncationsCopied.insert(index)
            state = .rotated
            how = "as the copy of a truncated file, from where that file was"
        } else if let identity = lookup.restoredMatch(prefix, hashes: hashes, size: status.size, own: status.identity, restored: restored),
                  let c = restored[identity]
        {
            // A file seen before under another identity: moved or copied while the daemon was
            // stopped. Only when the checkpoint's own file is gone, else this is a copy of it.
            restored[identity] = nil
            offset = min(c.offset, status.size)
            how = "from the checkpoint of \(c.path) (moved or copied while stopped)"
        }
        // A checkpoint whose inode now holds other content (reused, or truncated while stopped)
        // stays: a copy of the old content (copytruncate while stopped) may still claim it.
        files[status.identity] = TrackedFile(
            path: path, source: source.name, identity: status.identity, fingerprint: Fingerprint.of(prefix), prefix: prefix,
            position: .at(offset), state: state, size: status.size, lastGrowth: firstSeen,
            lastCheckpoint: state == .live || state == .rotated ? -1 : offset)
        if state == .live { lookup.takenLive(slot: slot, identity: status.identity) }
        if case .copy(let original) = state { copiesByOriginal[original, default: []].insert(status.identity) }
        note("following log file \(how)", ("file", path), ("source", source.name), ("offset", "\(offset)"))
        return true
    }

    // MARK: Following

    /// Takes a look at a followed file; returns what to read from it, if anything.
    mutating func look(_ identity: FileIdentity, _ look: Look, at moment: Moment) -> ReadPlan? {
        guard var file = files[identity], let source = sources[file.source] else { return nil }
        let status = look.status
        let now = moment.now
        if status.size > file.size { file.lastGrowth = now }

        if case .copy(let original) = file.state {
            // Not read while the original is intact; it becomes a rotated file when the original
            // is truncated (see `truncate`). If the original was let go some other way, all the
            // copy holds was read from the original: nothing is left to read in it.
            if files[original] == nil {
                file.state = .rotated
                file.position = .at(status.size)
                file.lastCheckpoint = -1
            } else if status.size < file.size || status.size < Int64(file.fingerprint.length) || !file.fingerprint.matches(look.prefix) {
                // Its own content changed: it was the one being truncated — taken for a copy
                // when both were new. What it held was read through the other file.
                file.state = .live
                file.position = .at(0)
                file.fingerprint = Fingerprint.of(look.prefix)
                file.prefix = look.prefix
                file.lastCheckpoint = -1
                note("a file taken for a copy was truncated; following it as a live file", ("file", file.path))
            }
            file.size = status.size
            files[identity] = file
            if case .copy = file.state { return nil }
            forgetCopy(identity, of: original)
        }

        if file.positionFromOriginal {
            file.positionFromOriginal = false
            file.position = .at(min(file.position.consumed, status.size))
        }
        // Truncated in place (copytruncate's second step, or `> file`), or its first bytes replaced.
        // (Shorter than its fingerprint: it had those bytes, so it was cut.)
        if status.size < file.position.consumed || status.size < Int64(file.fingerprint.length) || !file.fingerprint.matches(look.prefix) {
            truncate(&file, look: look, at: moment)
        }
        file.size = status.size
        files[identity] = file
        guard file.position.consumed < file.size || file.position.pending != nil else { return nil }
        return ReadPlan(size: file.size, flushPartial: now - file.lastGrowth >= source.partialLineTimeout, finishRecord: false, now: now)
    }

    /// Takes what a read did.
    mutating func didRead(_ identity: FileIdentity, position: ReadPosition, outcome: FileReader.Outcome) {
        guard var file = files[identity] else { return }
        file.position = position
        file.linesRead += outcome.linesRead
        file.linesCut += outcome.linesCut
        files[identity] = file
    }

    /// After the read: the fingerprint grows with the file; a file no longer at its path is
    /// rotated. Returns whether the file is done (rotated, read to its end and quiet for
    /// `rotateWait`): the driver then finishes any record still gathering and calls `release`.
    mutating func settle(_ identity: FileIdentity, _ look: Look, at moment: Moment) -> Bool {
        guard var file = files[identity], let source = sources[file.source] else { return false }
        if case .copy = file.state { return false }
        // Grow the fingerprint with the file, up to its full length.
        if file.fingerprint.length < Fingerprint.maxLength && look.prefix.count > file.fingerprint.length
            && file.fingerprint.matches(look.prefix)
        {
            file.fingerprint = Fingerprint.of(look.prefix)
            file.prefix = look.prefix
            file.lastCheckpoint = -1
        }
        // Still at its path? If not, it was renamed away or deleted.
        if file.state == .live && look.atPath != identity {
            file.state = .rotated
            file.rotations += 1
            file.lastRotation = (look.atPath == nil && look.status.links == 0 ? "deleted" : "renamed", moment.wall)
            file.lastGrowth = moment.now
            note("log file rotated; reading it to its end", ("file", file.path), ("how", file.lastRotation!.0))
        }
        files[identity] = file
        // A rotated or deleted file is let go once read to its end and quiet for rotateWait.
        if file.state == .rotated && file.position.consumed >= file.size && moment.now - file.lastGrowth >= source.rotateWait {
            note("done with rotated log file", ("file", file.path))
            return true
        }
        return false
    }

    /// A file that cannot be looked at any more (its descriptor was closed while idle, and it
    /// is no longer at its path nor found elsewhere): let go where it was.
    mutating func lost(_ identity: FileIdentity) -> FileCheckpoint? {
        guard var file = files[identity] else { return nil }
        // It may have been truncated before it went (copytruncate while closed): a copy of it
        // holds what was not read yet, from where it was.
        if !copies(of: identity).isEmpty {
            truncate(&file, look: Look(status: FileStatus(identity: identity, size: 0, modified: 0), prefix: [], atPath: nil),
                     at: nil)
            files[identity] = file
        }
        note("log file no longer at its path while closed; letting it go (found under another name, it is read on from its checkpoint)",
             ("file", file.path), ("offset", "\(file.committedOffset)"))
        return release(identity)
    }

    private mutating func truncate(_ file: inout TrackedFile, look: Look, at moment: Moment?) {
        let offset = file.committedOffset
        if let copyIdentity = copies(of: file.identity).first, var copy = files[copyIdentity] {
            // copytruncate, copy already found: it holds what was not read yet, from `offset`.
            // Its size is taken when it is next looked at (it may still be growing).
            copy.position = .at(offset)
            copy.positionFromOriginal = true
            copy.state = .rotated
            if let moment { copy.lastGrowth = moment.now }
            copy.lastCheckpoint = -1
            files[copy.identity] = copy
            forgetCopy(copy.identity, of: file.identity)
            note("log file truncated; reading the rest from its copy", ("file", file.path), ("copy", copy.path), ("offset", "\(offset)"))
        } else if let moment {
            // No copy known yet: one may appear (copytruncate copies first, but a scan may see
            // the truncation first); it is then read from `offset`. Unread bytes not found in a
            // copy within rotateWait are counted as lost.
            truncated.append(TruncatedFile(prefix: file.prefix, offset: offset, lastSize: file.size, identity: file.identity,
                                           since: moment.now, rotateWait: sources[file.source]?.rotateWait ?? .seconds(5)))
            note("log file truncated", ("file", file.path), ("offset", "\(offset)"), ("size", "\(look.status.size)"))
        }
        file.position = .at(0)
        file.size = 0
        file.fingerprint = Fingerprint.of(look.prefix)
        file.prefix = look.prefix
        file.rotations += 1
        if let moment { file.lastRotation = ("truncated", moment.wall) }
        file.lastCheckpoint = -1
    }

    /// Counts as lost what truncated files held unread when no copy of it came in time.
    mutating func expireTruncations(at moment: Moment) {
        for index in truncated.indices where !truncated[index].countedLost && moment.now - truncated[index].since >= truncated[index].rotateWait {
            truncated[index].countedLost = true
            let t = truncated[index]
            let lost = t.lastSize - t.offset
            guard lost > 0 else { continue }
            if var file = files[t.identity] {
                file.bytesLost += lost
                files[t.identity] = file
            }
            warn("bytes of a truncated log file were lost: they were not read before the truncation and no copy of them was found",
                 ("identity", "\(t.identity)"), ("bytes_lost", "\(lost)"))
        }
        truncated.removeAll { moment.now - $0.since >= Self.copyRecognitionWindow }
    }

    /// The checkpoints that moved since they were last handed on.
    mutating func checkpoints() -> [FileCheckpoint] {
        var out: [FileCheckpoint] = []
        for identity in files.keys.sorted() {
            guard var file = files[identity] else { continue }
            if case .copy = file.state { continue }
            if file.committedOffset != file.lastCheckpoint {
                file.lastCheckpoint = file.committedOffset
                out.append(checkpoint(file))
                files[identity] = file
            }
        }
        return out
    }

    /// Whether a file needs looking at even if nothing about it changed: it has a timer running
    /// (a partial line or a record waiting to be handed on, a rotated file's wait, a copy).
    func isBusy(_ identity: FileIdentity) -> Bool {
        guard let file = files[identity] else { return false }
        return !file.atRest
    }

    /// Whether any truncated file is still waiting for its copy, or a new file for its first line.
    var hasPendingDiscoveries: Bool { truncated.contains { !$0.countedLost } || !deferred.isEmpty }

    /// The files' states for `/v1/stats`.
    func statuses() -> [TailedFileStatus] {
        files.values.sorted { $0.path < $1.path }.map { f in
            let state: String
            switch f.state {
            case .live: state = "live"
            case .rotated: state = "rotated"
            case .copy: state = "copy"
            }
            let hex = String(f.fingerprint.hash, radix: 16)
            // A copy (copytruncate's first step) holds what its original already gave: nothing
            // of it waits to be read, whatever its size. Counting it would show the whole file
            // as lag until the original is truncated (seen by the soak run).
            let lag: Int64
            if case .copy = f.state { lag = 0 } else { lag = max(0, f.size - f.committedOffset) }
            return TailedFileStatus(
                path: f.path, source: f.source, device: String(f.identity.device), inode: String(f.identity.inode),
                fingerprint: String(repeating: "0", count: 16 - hex.count) + hex, fingerprint_bytes: f.fingerprint.length,
                offset: f.committedOffset, size: f.size, lag_bytes: lag, lines_read: f.linesRead,
                lines_cut: f.linesCut, bytes_lost: f.bytesLost, state: state, rotations: f.rotations,
                last_rotation: f.lastRotation?.0, last_rotation_at: f.lastRotation.map { Timestamps.iso8601(nanoseconds: $0.1) })
        }
    }
}
