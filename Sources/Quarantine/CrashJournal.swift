import Logging
import Synchronization
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

#if canImport(Glibc)
import Glibc
#endif

/// Remembers, across a crash of the process, which input it was working on, so that an input
/// that stops the daemon stops it once and is then set aside (quarantined), never in a loop.
///
/// The journal is a small file under the state directory, mapped shared into memory
/// (`mmap(2)` with `MAP_SHARED`). A store into the mapping is a store into the page cache: it
/// outlives the process however it ends (a trap, `SIGKILL`, an abort in a dependency), with no
/// system call and no `fsync` (a crash of the whole machine is not what this guards against).
///
/// Before a log record is parsed, the tail thread notes its file and offset; before a payload
/// is decoded and stored, the intake notes its digest in a free slot. Each note is cleared when
/// the work is done. A start after an unclean stop reads what was noted:
/// - exactly one thing noted (the usual case: the tail thread alone, or one request): that
///   record or payload stopped the process. It is quarantined: the record is stored as raw text,
///   not parsed; the payload is refused with 400.
/// - several things noted at once (a record and requests in flight together): each becomes a
///   suspect. A suspect met again is handled on probation (noted as such, payloads one at a
///   time); a crash while one is on probation quarantines it.
/// A stop by SIGTERM marks the journal clean; what it holds is then kept, but nothing is
/// accused. Entries are dropped once they can no longer come back (a record behind its file's
/// committed checkpoint) or when a list is full (the oldest first).
///
/// Memory layout: 64-bit words, little-endian as the machine writes them. Word 0 is the magic,
/// 1 the state, 2–5 the tail slot (flags, device, inode, offset), then `payloadSlots` slots of
/// (flags, digest), then two lists (quarantined, suspects) of (kind, a, b, c) entries, each led
/// by its count.
///
/// Thread safety: the tail slot is written by the tail thread only; payload slots and the lists
/// under `lock`. The lists read at start are copied into memory, so checks take no lock.
public final class CrashJournal: @unchecked Sendable {
    /// What an entry names.
    public enum Item: Hashable, Sendable {
        /// A log record: its file's device and inode, and its first byte's offset.
        case record(device: UInt64, inode: UInt64, offset: Int64)
        /// An intake payload, by its digest (``digest(_:)``).
        case payload(UInt64)
    }

    /// A payload refused because it stopped the daemon before.
    public struct PayloadQuarantined: Error, Sendable, CustomStringConvertible {
        public var digest: UInt64
        public var description: String {
            "this payload (digest \(String(digest, radix: 16))) stopped the daemon when it was last received; it is refused"
        }
    }

    static let magic: UInt64 = 0x3130_4C4E_524A_4A54   // "TJJRNL01"
    static let running: UInt64 = 1, clean: UInt64 = 2
    static let payloadSlots = 64
    static let listCapacity = 256
    static let noted: UInt64 = 1, probation: UInt64 = 2

    // Word positions.
    static let tailSlot = 2
    /// Set by the crash signal handlers (``armCrashSignals()``): the process is dying of a
    /// trap, an abort or a fault, not of `SIGKILL` or a power cut.
    static let crashedWord = 6
    static let payloadBase = 8
    static let quarantineBase = payloadBase + 2 * payloadSlots
    static let suspectBase = quarantineBase + 1 + 4 * listCapacity
    static let words = suspectBase + 1 + 4 * listCapacity

    public let path: String
    private let words: UnsafeMutablePointer<UInt64>
    private let mappedBytes: Int
    private let lock = Locked<State>(State())
    private let logger: Logger
    private let counters: QuarantineCounters
    /// Read at start; changed only by ``forgetRecords(before:)`` (before the tail thread starts).
    private let lists: Locked<Lists>
    /// Whether any record entry exists at all (checked per record without a lock).
    private let anyRecordEntry = Atomic<Bool>(false)

    struct State {
        var freeSlots: [Int] = Array((0..<CrashJournal.payloadSlots).reversed())
        /// Items already logged as quarantined (logged once each).
        var logged: Set<Item> = []
    }

    struct Lists {
        var quarantined: [Item] = []
        var suspects: [Item] = []
    }

    /// What a start found, for the log and the tests.
    public private(set) var foundAtStart: (unclean: Bool, quarantined: [Item], suspects: [Item]) = (false, [], [])

    /// Opens (or creates) the journal at `path`, judges what an unclean stop left in it, and
    /// marks it running.
    public init(path: String, counters: QuarantineCounters, logger: Logger) throws(JournalError) {
        self.path = path
        self.logger = logger
        self.counters = counters
        let bytes = Self.words * 8
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw JournalError(path: path, operation: "fstat", errno: errno) }
        let fresh = st.st_size != bytes
        if fresh {
            // A new journal, or one of another layout: start empty.
            guard ftruncate(fd, 0) == 0, ftruncate(fd, off_t(bytes)) == 0 else {
                throw JournalError(path: path, operation: "ftruncate", errno: errno)
            }
        }
        guard let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw JournalError(path: path, operation: "mmap", errno: errno)
        }
        mappedBytes = bytes
        words = base.bindMemory(to: UInt64.self, capacity: Self.words)
        var lists = Lists()
        if !fresh && words[0] == Self.magic {
            lists.quarantined = Self.readList(words, at: Self.quarantineBase)
            lists.suspects = Self.readList(words, at: Self.suspectBase)
            if words[1] == Self.running {
                let judged = Self.judge(words, crashed: words[Self.crashedWord] != 0)
                for item in judged.quarantined where !lists.quarantined.contains(item) { lists.quarantined.append(item) }
                lists.suspects.removeAll { judged.quarantined.contains($0) }
                for item in judged.suspects where !lists.suspects.contains(item) && !lists.quarantined.contains(item) {
                    lists.suspects.append(item)
                }
                foundAtStart = (true, judged.quarantined, judged.suspects)
            }
        }
        lists.quarantined = Array(lists.quarantined.suffix(Self.listCapacity))
        lists.suspects = Array(lists.suspects.suffix(Self.listCapacity))
        self.lists = Locked(lists)
        // Rewritten from scratch: slots empty, the lists as judged, then marked running.
        (words + 1).initialize(repeating: 0, count: Self.words - 1)
        words[0] = Self.magic
        Self.writeList(lists.quarantined, words, at: Self.quarantineBase)
        Self.writeList(lists.suspects, words, at: Self.suspectBase)
        words[1] = Self.running
        anyRecordEntry.store(lists.quarantined.contains(where: \.isRecord) || lists.suspects.contains(where: \.isRecord), ordering: .relaxed)
        if foundAtStart.unclean {
            for item in foundAtStart.quarantined {
                logger.error("the last run stopped while handling this input; it is quarantined",
                             metadata: ["input": "\(item)", "journal": "\(path)"])
            }
            if !foundAtStart.suspects.isEmpty {
                logger.warning("the last run stopped with several inputs in hand; each is handled on probation when it comes again",
                               metadata: ["inputs": "\(foundAtStart.suspects)"])
            }
        }
    }

    deinit {
        munmap(words, mappedBytes)
    }

    /// Installs handlers for the signals a crash raises (`SIGILL` and `SIGTRAP` for Swift's
    /// traps, `SIGABRT`, `SIGSEGV`, `SIGBUS`, `SIGFPE`): each sets the journal's crash flag — one
    /// store into the mapping, async-signal-safe — puts the previous handler back and returns,
    /// so the faulting instruction (or `abort`'s own second raise) ends the process as before,
    /// through whatever handler was there (AddressSanitizer's in the test build). The daemon
    /// calls it once; the journal must then live as long as the process.
    public func armCrashSignals() {
        crashFlag = words + Self.crashedWord
        for signal in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, previousActions + Int(signal))
        }
    }

    /// Sets the crash flag as the signal handlers do (for tests of the judgement).
    package func markCrashed() {
        words[Self.crashedWord] = 1
    }

    /// Marks the journal clean: the process is stopping of its own accord.
    public func closeCleanly() {
        lock.withLock { _ in words[1] = Self.clean }
    }

    // MARK: Log records (the tail thread)

    /// What to do with the record at `offset` of a file.
    public enum Verdict: Sendable {
        case parse
        /// Parse it, noted as on probation.
        case probation
        /// Do not parse it: it stopped the daemon.
        case quarantined
    }

    /// Whether the record may be parsed. Lock-free unless some record is quarantined or suspect.
    @inline(__always)
    public func verdict(device: UInt64, inode: UInt64, offset: Int64) -> Verdict {
        guard anyRecordEntry.load(ordering: .relaxed) else { return .parse }
        let item = Item.record(device: device, inode: inode, offset: offset)
        return lists.withLock { l in
            l.quarantined.contains(item) ? .quarantined : l.suspects.contains(item) ? .probation : .parse
        }
    }

    /// Notes the record about to be parsed (the tail thread only).
    @inline(__always)
    public func noteRecord(device: UInt64, inode: UInt64, offset: Int64, probation: Bool = false) {
        let slot = words + Self.tailSlot
        slot[1] = device
        slot[2] = inode
        slot[3] = UInt64(bitPattern: offset)
        slot[0] = probation ? Self.noted | Self.probation : Self.noted
    }

    /// The noted record is done.
    @inline(__always)
    public func clearRecord() {
        words[Self.tailSlot] = 0
    }

    /// A quarantined record was met and set aside: counted, and logged once.
    public func quarantinedRecordMet(device: UInt64, inode: UInt64, offset: Int64, path: String) {
        counters.records.add()
        let item = Item.record(device: device, inode: inode, offset: offset)
        if lock.withLock({ $0.logged.insert(item).inserted }) {
            logger.error("a log record that stopped the daemon is stored as raw text, not parsed",
                         metadata: ["file": "\(path)", "offset": "\(offset)"])
        }
    }

    /// Drops record entries that can no longer be read again: at or behind their file's
    /// committed checkpoint (`offset` is where the next unread record starts).
    public func forgetRecords(before checkpoints: [(device: UInt64, inode: UInt64, offset: Int64)]) {
        var committed: [FileKey: Int64] = [:]
        for c in checkpoints { committed[FileKey(device: c.device, inode: c.inode)] = c.offset }
        func live(_ item: Item) -> Bool {
            guard case .record(let device, let inode, let offset) = item, let done = committed[FileKey(device: device, inode: inode)] else {
                return true
            }
            return offset >= done
        }
        lock.withLock { _ in
            lists.withLock { l in
                l.quarantined.removeAll { !live($0) }
                l.suspects.removeAll { !live($0) }
                Self.writeList(l.quarantined, words, at: Self.quarantineBase)
                Self.writeList(l.suspects, words, at: Self.suspectBase)
                anyRecordEntry.store(l.quarantined.contains(where: \.isRecord) || l.suspects.contains(where: \.isRecord), ordering: .relaxed)
            }
        }
    }

    // MARK: Payloads (intake, any thread)

    /// Runs `body` (decoding and storing a payload) with the payload's digest noted, unless the
    /// payload stopped the daemon before: then throws ``PayloadQuarantined`` without running it.
    ///
    /// - Parameter digest: the payload's ``digest(_:)``, taken of the bytes as received.
    public func handlePayload<T>(digest: UInt64, size: Int, _ body: () async throws -> T) async throws -> T {
        let slot = try beginPayload(digest: digest, size: size)
        defer { endPayload(slot) }
        return try await body()
    }

    /// Notes a payload about to be decoded (``handlePayload(digest:size:_:)`` for code that
    /// cannot await); pass what it returns to ``endPayload(_:)`` when done.
    public func beginPayload(digest: UInt64, size: Int) throws(PayloadQuarantined) -> PayloadSlot {
        let item = Item.payload(digest)
        let (quarantined, suspect) = lists.withLock { ($0.quarantined.contains(item), $0.suspects.contains(item)) }
        if quarantined {
            counters.payloads.add()
            if lock.withLock({ $0.logged.insert(item).inserted }) {
                logger.error("a payload that stopped the daemon came again; it is refused",
                             metadata: ["digest": "\(String(digest, radix: 16))", "bytes": "\(size)"])
            }
            throw PayloadQuarantined(digest: digest)
        }
        // Without a free slot (more requests in flight than slots) the payload is handled
        // unnoted: a crash then accuses only what was noted.
        let slot: Int? = lock.withLock { state in
            guard let slot = state.freeSlots.popLast() else { return nil }
            let w = words + Self.payloadBase + 2 * slot
            w[1] = digest
            w[0] = suspect ? Self.noted | Self.probation : Self.noted
            return slot
        }
        return PayloadSlot(index: slot)
    }

    /// The payload noted by ``beginPayload(digest:size:)`` is done with.
    public func endPayload(_ slot: PayloadSlot) {
        guard let index = slot.index else { return }
        lock.withLock { state in
            words[Self.payloadBase + 2 * index] = 0
            state.freeSlots.append(index)
        }
    }

    /// A payload slot taken by ``beginPayload(digest:size:)``.
    public struct PayloadSlot: Sendable {
        let index: Int?
    }

    /// A payload's digest: 64 bits over its bytes and length, the same in every run (Swift's
    /// `Hasher` is seeded per process). Not cryptographic: a collision refuses one payload.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        // Eight bytes at a time; multiplications wrap on purpose (&*).
        while i + 8 <= bytes.count {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h
    }

    // MARK: Judging and lists

    /// What was noted when the process stopped. After a crash (a trap, an abort, a fault: the
    /// flag the signal handlers set), one thing alone, or one on probation, is accused; several
    /// together are suspects. After a death without a crash (`SIGKILL` by an operator or the
    /// OOM killer, a power cut) nothing noted is to blame for certain: each becomes a suspect,
    /// and only one that was already on probation (it dies with the process a second time) is
    /// accused — so a `kill -9` never sets an innocent line aside, and an input that exhausts
    /// memory still costs two restarts, not a loop.
    static func judge(_ words: UnsafeMutablePointer<UInt64>, crashed: Bool) -> (quarantined: [Item], suspects: [Item]) {
        var noted: [(Item, probation: Bool)] = []
        let tail = words + tailSlot
        if tail[0] & Self.noted != 0 {
            noted.append((.record(device: tail[1], inode: tail[2], offset: Int64(bitPattern: tail[3])), tail[0] & Self.probation != 0))
        }
        for slot in 0..<payloadSlots {
            let w = words + payloadBase + 2 * slot
            if w[0] & Self.noted != 0 { noted.append((.payload(w[1]), w[0] & Self.probation != 0)) }
        }
        if crashed && noted.count == 1 { return ([noted[0].0], []) }
        let onProbation = noted.filter(\.probation).map(\.0)
        if !onProbation.isEmpty { return (onProbation, noted.filter { !$0.probation }.map(\.0)) }
        return ([], noted.map(\.0))
    }

    static func readList(_ words: UnsafeMutablePointer<UInt64>, at base: Int) -> [Item] {
        let count = Int(min(words[base], UInt64(listCapacity)))
        var items: [Item] = []
        for i in 0..<count {
            let e = words + base + 1 + 4 * i
            switch e[0] {
            case 1: items.append(.record(device: e[1], inode: e[2], offset: Int64(bitPattern: e[3])))
            case 2: items.append(.payload(e[1]))
            default: continue
            }
        }
        return items
    }

    static func writeList(_ items: [Item], _ words: UnsafeMutablePointer<UInt64>, at base: Int) {
        let items = items.suffix(listCapacity)
        for (i, item) in items.enumerated() {
            let e = words + base + 1 + 4 * i
            switch item {
            case .record(let device, let inode, let offset): (e[0], e[1], e[2], e[3]) = (1, device, inode, UInt64(bitPattern: offset))
            case .payload(let digest): (e[0], e[1], e[2], e[3]) = (2, digest, 0, 0)
            }
        }
        words[base] = UInt64(items.count)
    }

    struct FileKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }
}

extension CrashJournal.Item: CustomStringConvertible {
    var isRecord: Bool {
        if case .record = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .record(let device, let inode, let offset): "record at byte \(offset) of file \(device):\(inode)"
        case .payload(let digest): "payload \(String(digest, radix: 16))"
        }
    }
}

/// The journal could not be opened or mapped.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

// MARK: Crash signals

/// The signals a crash raises.
private let crashSignals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]
/// The journal's crash word, read by the handler (set once, before any handler is installed).
nonisolated(unsafe) private var crashFlag: UnsafeMutablePointer<UInt64>?
/// The handlers in place before ours, by signal number.
nonisolated(unsafe) private let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

/// Marks the crash and gives the signal back to the handler that was there before.
private func crashSignalHandler(_ signal: Int32) {
    crashFlag?.pointee = 1
    sigaction(signal, previousActions + Int(signal), nil)
}
