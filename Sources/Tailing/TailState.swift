import Logging
import TracejoinModel

/// The tailer's files and what it knows of them; one pass reads what is new in each.
///
/// Files are known by identity (device, inode), not by path: a renamed file keeps being read
/// from where it was, and a rotated-away file is read to its end while its writer may still
/// add to it (`rotateWait`). A fingerprint of the first bytes tells a truncated or replaced
/// file from the one that was there, and a copy (copytruncate) from a new file. Not shared:
/// owned by the tailer's one task; time is passed in, so tests drive it.
package struct TailState {
    var sources: [TailSource] = []
    private var sessions: [String: any LineParserSession] = [:]
    private var matchers: [String: any LineMatcher] = [:]
    private var generation = -1
    let logger: Logger
    private var buffer: [UInt8]
    private let chunkSize: Int

    /// Checkpoints from the index not yet matched to a file.
    private var restored: [FileSystem.Identity: FileCheckpoint] = [:]
    private(set) var files: [FileSystem.Identity: TrackedFile] = [:]
    /// Files truncated while no copy of them was known: a copy found soon after (copytruncate)
    /// is read from where the original was.
    private var truncated: [TruncatedFile] = []
    /// New files not taken up yet because they hold no whole line: such a file may be a copy
    /// still being written, which cannot be told from a new file until it has a line.
    private var deferred: [FileSystem.Identity: ContinuousClock.Instant] = [:]
    /// Sources whose globs have been looked at once (for `start_at: end`).
    private var scannedSources = Set<String>()
    /// Whether the last pass read anything (the tailer then goes on without pausing).
    private(set) var readAnything = false

    struct TrackedFile {
        var path: String
        let source: String
        let fd: Int32
        let identity: FileSystem.Identity
        var fingerprint: Fingerprint
        /// The bytes the fingerprint covers, kept to recognise a copy after a truncation.
        var prefix: [UInt8] = []
        /// Bytes read and framed.
        var consumed: Int64
        var framer: LineFramer
        var pending: PendingRecord?
        var state: State
        var size: Int64 = 0
        var lastGrowth: ContinuousClock.Instant
        var linesRead = 0
        var linesCut = 0
        var bytesLost: Int64 = 0
        var rotations = 0
        var lastRotation: (String, Int64)?
        /// The checkpoint last handed to the sink, to avoid writing unchanged ones.
        var lastCheckpoint: Int64 = -1

        enum State: Equatable {
            case live
            /// No longer at its path (renamed or deleted): read until quiet for `rotateWait`.
            case rotated
            /// A copy of the live file with this identity; not read unless that file is truncated.
            case copy(of: FileSystem.Identity)
        }

        /// What a restart resumes from: the start of a record still being gathered, or what
        /// has been consumed.
        var committedOffset: Int64 { pending?.startOffset ?? consumed }
    }

    struct TruncatedFile {
        var fingerprint: Fingerprint
        /// The file's first bytes before the truncation, to recognise a copy still being written.
        var prefix: [UInt8]
        var offset: Int64
        var lastSize: Int64
        var identity: FileSystem.Identity
        var since: ContinuousClock.Instant
        var rotateWait: Duration
        /// The unread bytes were counted as lost (no copy came within `rotateWait`).
        var countedLost = false
    }

    /// How long a truncated file's old fingerprint is kept to recognise a late copy of it.
    static let copyRecognitionWindow: Duration = .seconds(300)

    init(chunkSize: Int, logger: Logger) {
        self.logger = logger
        self.chunkSize = chunkSize
        buffer = []
    }

    mutating func restore(_ checkpoints: [FileCheckpoint]) {
        for c in checkpoints { restored[FileSystem.Identity(device: c.device, inode: c.inode)] = c }
    }

    /// Takes a new set of sources. Files keep their offsets: a changed rule file changes how
    /// lines are parsed from here on, never which bytes are read. Files whose source is gone
    /// are let go; their checkpoints stay, so a source that comes back resumes where it was.
    mutating func update(generation: Int, sources: [TailSource]) {
        guard generation != self.generation else { return }
        self.generation = generation
        self.sources = sources
        sessions = Dictionary(sources.map { ($0.name, $0.parser.makeSession()) }, uniquingKeysWith: { a, _ in a })
        matchers = Dictionary(sources.compactMap { s in s.multiline.map { (s.name, $0.start.makeMatcher()) } }, uniquingKeysWith: { a, _ in a })
        let needed = sources.map { max(chunkSize, $0.maxLineBytes + 1) }.max() ?? chunkSize
        if buffer.count < needed { buffer = [UInt8](repeating: 0, count: needed) }
        for (identity, file) in files where !sources.contains(where: { $0.name == file.source }) {
            release(identity, file)
            logger.info("no longer following log file (its source is gone)", metadata: ["file": "\(file.path)", "source": "\(file.source)"])
        }
    }

    private mutating func release(_ identity: FileSystem.Identity, _ file: TrackedFile) {
        FileSystem.close(file.fd)
        files[identity] = nil
        if case .copy = file.state { return }
        restored[identity] = checkpoint(file)
    }

    private func checkpoint(_ file: TrackedFile) -> FileCheckpoint {
        FileCheckpoint(path: file.path, device: file.identity.device, inode: file.identity.inode, offset: file.committedOffset,
                       fingerprint: file.fingerprint.hash, fingerprintLength: file.fingerprint.length)
    }

    // MARK: One pass

    /// One look at every file: new files found, rotations and truncations noticed, new bytes
    /// read and parsed into `batch`.
    mutating func pass(now: ContinuousClock.Instant) -> TailBatch {
        var batch = TailBatch()
        readAnything = false
        // Files already followed first: a truncation is noticed and fingerprints are fresh
        // before a new file is compared with them (is it a copy?).
        let known = Set(files.keys)
        for identity in known.sorted(by: { files[$0]!.path < files[$1]!.path }) {
            follow(identity, now: now, into: &batch)
        }
        discover(now: now)
        for identity in files.keys.filter({ !known.contains($0) }).sorted(by: { files[$0]!.path < files[$1]!.path }) {
            follow(identity, now: now, into: &batch)
        }
        expireTruncations(now: now)
        for identity in files.keys {
            guard var file = files[identity] else { continue }
            if case .copy = file.state { continue }
            if file.committedOffset != file.lastCheckpoint {
                file.lastCheckpoint = file.committedOffset
                batch.checkpoints.append(checkpoint(file))
                files[identity] = file
            }
        }
        return batch
    }

    /// Finds files the globs name that are not followed yet, and decides where each starts.
    private mutating func discover(now: ContinuousClock.Instant) {
        var found: [(path: String, status: FileSystem.Status, source: TailSource, first: Bool)] = []
        for source in sources {
            let first = scannedSources.insert(source.name).inserted
            for (path, status) in source.currentFiles() {
                if var file = files[status.identity] {
                    if file.path != path && FileSystem.status(path: file.path)?.identity != status.identity {
                        // Renamed, and still matched under its new name: same file, same offset,
                        // followed under the new name from now on.
                        file.path = path
                        file.rotations += 1
                        file.lastRotation = ("renamed", Timestamps.now())
                        if file.state == .rotated { file.state = .live }
                        files[status.identity] = file
                    }
                    continue
                }
                if found.contains(where: { $0.status.identity == status.identity }) { continue }
                found.append((path, status, source, first))
            }
        }
        // Files that continue their own checkpoint first, so that a copy with the same
        // fingerprint never takes the original's checkpoint. Then the larger first, and by
        // name: when an original and its copy are both new, the original is the one still
        // written to (larger) or, at equal size, logrotate's base name (app.log before app.log.1).
        func resumes(_ candidate: (path: String, status: FileSystem.Status, source: TailSource, first: Bool)) -> Int {
            guard let c = restored[candidate.status.identity], c.fingerprintLength > 0, c.fingerprintLength <= candidate.status.size,
                let fd = FileSystem.openForReading(candidate.path)
            else { return 1 }
            defer { FileSystem.close(fd) }
            return Fingerprint.stored(hash: c.fingerprint, length: c.fingerprintLength).matches(fd: fd) ? 0 : 1
        }
        let keyed = found.map { (resumes($0), -$0.status.size, $0) }
        found = keyed.sorted { ($0.0, $0.1, $0.2.path) < ($1.0, $1.1, $1.2.path) }.map(\.2)
        for candidate in found {
            open(candidate.path, source: candidate.source, startAtEnd: candidate.first && candidate.source.startAtEnd, now: now)
        }
    }

    private mutating func open(_ path: String, source: TailSource, startAtEnd: Bool, now: ContinuousClock.Instant) {
        guard let fd = FileSystem.openForReading(path), let status = FileSystem.status(fd: fd) else {
            logger.warning("cannot open log file", metadata: ["file": "\(path)", "error": "\(FileSystem.lastError)"])
            return
        }
        let length = Int(min(status.size, Int64(Fingerprint.maxLength)))
        guard let fingerprint = Fingerprint.of(fd: fd, length: length) else {
            FileSystem.close(fd)
            return
        }
        // A file with no whole line yet, and no checkpoint of its own: wait (up to the partial
        // line timeout) until it has one, so that a copy in progress is recognised as a copy.
        let ownCheckpoint = restored[status.identity].map { $0.fingerprintLength > 0 } ?? false
        let firstSeen = deferred[status.identity] ?? now
        if !ownCheckpoint && !Fingerprint.prefix(fd: fd, size: status.size).contains(0x0A) && status.size < Int64(Fingerprint.maxLength) {
            let since = deferred[status.identity] ?? now
            deferred[status.identity] = since
            if now - since < source.partialLineTimeout {
                FileSystem.close(fd)
                return
            }
        }
        deferred[status.identity] = nil
        var offset: Int64 = startAtEnd ? status.size : 0
        var state = TrackedFile.State.live
        var how = startAtEnd ? "from its end (start_at: end)" : "from its start"
        // A checkpoint of an empty file says nothing (its inode may have been reused): it is
        // not taken before the copy checks below.
        if let c = restored[status.identity], c.fingerprintLength > 0, c.fingerprintLength <= status.size,
            Fingerprint.stored(hash: c.fingerprint, length: c.fingerprintLength).matches(fd: fd)
        {
            // The same file as before the restart.
            restored[status.identity] = nil
            offset = min(c.offset, status.size)
            how = "from its checkpoint"
        } else if let original = files.first(where: {
            // Compared with the start each file had when last looked at: the original may have
            // been truncated since (copytruncate's second step).
            $0.value.state == .live && Fingerprint.isCopy(Fingerprint.prefix(fd: fd, size: status.size), of: $0.value.prefix)
        }) {
            // Starts like a file being followed: a copy of it (copytruncate's first step).
            state = .copy(of: original.key)
            offset = 0
            how = "as a copy of \(original.value.path), read only if that file is truncated"
        } else if let index = truncated.firstIndex(where: { Fingerprint.isCopy(Fingerprint.prefix(fd: fd, size: status.size), of: $0.prefix) }) {
            // Starts like a file that was truncated: the copy copytruncate made.
            let t = truncated[index]
            offset = min(t.offset, status.size)
            if t.countedLost, var original = files[t.identity] {
                // Counted as lost too early: the copy has them after all.
                original.bytesLost -= max(0, min(t.lastSize, status.size) - t.offset)
                files[t.identity] = original
            }
            truncated.remove(at: index)
            state = .rotated
            how = "as the copy of a truncated file, from where that file was"
        } else if let (identity, c) = restored.first(where: { $0.value.fingerprintLength <= status.size
            && Fingerprint.stored(hash: $0.value.fingerprint, length: $0.value.fingerprintLength).identifies(fd: fd)
            && FileSystem.Identity(device: $0.value.device, inode: $0.value.inode) != status.identity })
        {
            // A file seen before under another identity: moved or copied while the daemon was
            // stopped. Only when the checkpoint's own file is gone, else this is a copy of it.
            _ = identity
            restored[identity] = nil
            offset = min(c.offset, status.size)
            how = "from the checkpoint of \(c.path) (moved or copied while stopped)"
        }
        // A checkpoint whose inode now holds other content (reused, or truncated while stopped)
        // stays: a copy of the old content (copytruncate while stopped) may still claim it.
        files[status.identity] = TrackedFile(
            path: path, source: source.name, fd: fd, identity: status.identity, fingerprint: fingerprint, consumed: offset,
            framer: LineFramer(maxLineBytes: source.maxLineBytes), state: state, size: status.size, lastGrowth: firstSeen,
            lastCheckpoint: state == .live || state == .rotated ? -1 : offset)
        files[status.identity]!.prefix = Fingerprint.prefix(fd: fd, size: status.size)
        logger.info("following log file \(how)", metadata: ["file": "\(path)", "source": "\(source.name)", "offset": "\(offset)"])
    }

    private mutating func follow(_ identity: FileSystem.Identity, now: ContinuousClock.Instant, into batch: inout TailBatch) {
        guard var file = files[identity], let source = sources.first(where: { $0.name == file.source }) else { return }
        guard let status = FileSystem.status(fd: file.fd) else { return }
        if status.size > file.size { file.lastGrowth = now }

        if case .copy(let original) = file.state {
            // Not read while the original is intact; it becomes a rotated file when the original
            // is truncated (see `truncate`). If the original was let go some other way, all the
            // copy holds was read from the original: nothing is left to read in it.
            if files[original] == nil {
                file.state = .rotated
                file.consumed = status.size
                file.lastCheckpoint = -1
            } else if status.size < file.size || status.size < Int64(file.fingerprint.length) || !file.fingerprint.matches(fd: file.fd) {
                // Its own content changed: it was the one being truncated — taken for a copy
                // when both were new. What it held was read through the other file.
                file.state = .live
                file.consumed = 0
                file.fingerprint = Fingerprint.of(fd: file.fd, length: Int(min(status.size, Int64(Fingerprint.maxLength)))) ?? .empty
                file.prefix = Fingerprint.prefix(fd: file.fd, size: status.size)
                file.lastCheckpoint = -1
                logger.info("a file taken for a copy was truncated; following it as a live file", metadata: ["file": "\(file.path)"])
            }
            file.size = status.size
            files[identity] = file
            if case .copy = file.state { return }
        }

        // Truncated in place (copytruncate's second step, or `> file`), or its first bytes replaced.
        // (Shorter than its fingerprint: it had those bytes, so it was cut.)
        if status.size < file.consumed || status.size < Int64(file.fingerprint.length) || !file.fingerprint.matches(fd: file.fd) {
            truncate(&file, status: status, source: source, now: now)
        }
        file.size = status.size

        read(&file, source: source, now: now, into: &batch)

        // Grow the fingerprint with the file, up to its full length.
        if file.fingerprint.length < Fingerprint.maxLength && Int64(file.fingerprint.length) < file.size,
            let grown = Fingerprint.of(fd: file.fd, length: Int(min(file.size, Int64(Fingerprint.maxLength))))
        {
            file.fingerprint = grown
            file.prefix = Fingerprint.prefix(fd: file.fd, size: file.size)
            file.lastCheckpoint = -1
        }

        // Still at its path? If not, it was renamed away or deleted.
        if file.state == .live {
            let atPath = FileSystem.status(path: file.path)
            if atPath?.identity != identity {
                file.state = .rotated
                file.rotations += 1
                file.lastRotation = (atPath == nil && status.links == 0 ? "deleted" : "renamed", Timestamps.now())
                file.lastGrowth = now
                logger.info("log file rotated; reading it to its end", metadata: ["file": "\(file.path)", "how": "\(file.lastRotation!.0)"])
            }
        }
        // A rotated or deleted file is let go once read to its end and quiet for rotateWait.
        if file.state == .rotated && file.consumed >= file.size && now - file.lastGrowth >= source.rotateWait {
            flushPending(&file, source: source, into: &batch)
            files[identity] = file
            logger.info("done with rotated log file", metadata: ["file": "\(file.path)"])
            batch.checkpoints.append(checkpoint(file))
            release(identity, file)
            return
        }
        files[identity] = file
    }

    private mutating func truncate(_ file: inout TrackedFile, status: FileSystem.Status, source: TailSource, now: ContinuousClock.Instant) {
        let offset = file.committedOffset
        let copy = files.first { $0.value.state == .copy(of: file.identity) }
        if var copy = copy?.value {
            // copytruncate, copy already found: it holds what was not read yet, from `offset`.
            // Its size now, not as last looked at: it may still have been growing then.
            copy.size = FileSystem.status(fd: copy.fd)?.size ?? copy.size
            copy.consumed = min(offset, copy.size)
            copy.state = .rotated
            copy.lastGrowth = now
            copy.lastCheckpoint = -1
            files[copy.identity] = copy
            logger.info("log file truncated; reading the rest from its copy", metadata: ["file": "\(file.path)", "copy": "\(copy.path)", "offset": "\(offset)"])
        } else {
            // No copy known yet: one may appear (copytruncate copies first, but a scan may see
            // the truncation first); it is then read from `offset`. Unread bytes not found in a
            // copy within rotateWait are counted as lost.
            truncated.append(TruncatedFile(fingerprint: file.fingerprint, prefix: file.prefix, offset: offset, lastSize: file.size,
                                           identity: file.identity, since: now, rotateWait: source.rotateWait))
            logger.info("log file truncated", metadata: ["file": "\(file.path)", "offset": "\(offset)", "size": "\(status.size)"])
        }
        file.consumed = 0
        file.pending = nil
        file.framer.reset()
        file.size = 0
        file.fingerprint = Fingerprint.of(fd: file.fd, length: Int(min(status.size, Int64(Fingerprint.maxLength)))) ?? .empty
        file.prefix = Fingerprint.prefix(fd: file.fd, size: status.size)
        file.rotations += 1
        file.lastRotation = ("truncated", Timestamps.now())
        file.lastCheckpoint = -1
    }

    private mutating func expireTruncations(now: ContinuousClock.Instant) {
        for index in truncated.indices where !truncated[index].countedLost && now - truncated[index].since >= truncated[index].rotateWait {
            truncated[index].countedLost = true
            let t = truncated[index]
            let lost = t.lastSize - t.offset
            guard lost > 0 else { continue }
            if var file = files[t.identity] {
                file.bytesLost += lost
                files[t.identity] = file
            }
            logger.warning("bytes of a truncated log file were lost: they were not read before the truncation and no copy of them was found",
                           metadata: ["identity": "\(t.identity.device):\(t.identity.inode)", "bytes_lost": "\(lost)"])
        }
        truncated.removeAll { now - $0.since >= Self.copyRecognitionWindow }
    }

    /// Reads what `file` holds past what was consumed and hands on every complete record.
    private mutating func read(_ file: inout TrackedFile, source: TailSource, now: ContinuousClock.Instant, into batch: inout TailBatch) {
        guard let session = sessions[source.name] else { return }
        let matcher = matchers[source.name]
        while file.consumed < file.size {
            let start = file.consumed
            let quiet = now - file.lastGrowth >= source.partialLineTimeout
            let limit = min(buffer.count, Int(file.size - start))
            var fileRef = file
            var framer = file.framer
            let consumed = buffer.withUnsafeMutableBytes { raw -> Int in
                let n = FileSystem.read(fileRef.fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<limit]), at: start)
                guard n > 0 else { return 0 }
                let bytes = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
                // Flush a trailing partial line only when the file is quiet and this read reached its end.
                let atEnd = start + Int64(n) >= fileRef.size
                return framer.frame(bytes, flushPartial: quiet && atEnd) { line in
                    fileRef.linesRead += 1
                    if line.cut { fileRef.linesCut += 1 }
                    Self.handle(line.bytes, at: start + Int64(line.start), file: &fileRef, source: source, session: session,
                                matcher: matcher, now: now, into: &batch)
                }
            }
            fileRef.framer = framer
            file = fileRef
            guard consumed > 0 else { break }
            file.consumed += Int64(consumed)
            readAnything = true
            // A full buffer may have more behind it; anything less was all there was.
            if consumed < limit { break }
        }
        // A multiline record whose lines stopped coming is complete.
        if let pending = file.pending, let multiline = source.multiline, now - pending.lastLineAt >= multiline.timeout {
            flushPending(&file, source: source, into: &batch)
        }
    }

    /// One line: on its own a record, or part of a multiline record.
    private static func handle(_ line: UnsafeBufferPointer<UInt8>, at offset: Int64, file: inout TrackedFile, source: TailSource,
                               session: any LineParserSession, matcher: (any LineMatcher)?, now: ContinuousClock.Instant,
                               into batch: inout TailBatch) {
        guard let multiline = source.multiline, let matcher else {
            emit(line, continuation: [], file: file, session: session, into: &batch)
            return
        }
        if var pending = file.pending, !matcher.matches(line),
            pending.continuation.count + 1 < multiline.maxLines, pending.bytes + line.count + 1 <= multiline.maxBytes
        {
            pending.continuation.append(Array(line))
            pending.bytes += line.count + 1
            pending.lastLineAt = now
            file.pending = pending
            return
        }
        if let pending = file.pending {
            pending.firstLine.withUnsafeBufferPointer { emit($0, continuation: pending.continuation, file: file, session: session, into: &batch) }
        }
        file.pending = PendingRecord(startOffset: offset, firstLine: Array(line), bytes: line.count, lastLineAt: now)
    }

    private mutating func flushPending(_ file: inout TrackedFile, source: TailSource, into batch: inout TailBatch) {
        guard let pending = file.pending, let session = sessions[source.name] else { return }
        let f = file
        pending.firstLine.withUnsafeBufferPointer { Self.emit($0, continuation: pending.continuation, file: f, session: session, into: &batch) }
        file.pending = nil
    }

    /// Parses a record's first line; continuation lines join its raw text and message.
    private static func emit(_ first: UnsafeBufferPointer<UInt8>, continuation: [[UInt8]], file: TrackedFile,
                             session: any LineParserSession, into batch: inout TailBatch) {
        if first.isEmpty && continuation.isEmpty { return }
        switch session.parse(first, file: file.path) {
        case .record(let record):
            batch.records.append(joined(record, continuation))
        case .noTrace(_, let record):
            batch.linesWithoutTrace += 1
            if let record { batch.records.append(joined(record, continuation)) }
        case .unmatched: batch.linesUnmatched += 1
        }
    }

    private static func joined(_ record: LogRecord, _ continuation: [[UInt8]]) -> LogRecord {
        guard !continuation.isEmpty else { return record }
        var record = record
        let rest = continuation.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        record.raw += "\n" + rest
        record.message = (record.message ?? "") + "\n" + rest
        return record
    }

    mutating func closeAll() {
        for file in files.values { FileSystem.close(file.fd) }
        files = [:]
    }

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
            return TailedFileStatus(
                path: f.path, source: f.source, device: String(f.identity.device), inode: String(f.identity.inode),
                fingerprint: String(repeating: "0", count: 16 - hex.count) + hex, fingerprint_bytes: f.fingerprint.length,
                offset: f.committedOffset, size: f.size, lag_bytes: max(0, f.size - f.committedOffset), lines_read: f.linesRead,
                lines_cut: f.linesCut, bytes_lost: f.bytesLost, state: state, rotations: f.rotations,
                last_rotation: f.lastRotation?.0, last_rotation_at: f.lastRotation.map { Timestamps.iso8601(nanoseconds: $0.1) })
        }
    }
}
