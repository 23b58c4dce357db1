#if canImport(Glibc)
import Glibc
#endif

/// A file's identity: the same (device, inode) is the same file under any name.
package struct FileIdentity: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var device: UInt64
    package var inode: UInt64

    package init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    package static func < (a: Self, b: Self) -> Bool { (a.device, a.inode) < (b.device, b.inode) }
    package var description: String { "\(device):\(inode)" }
}

/// What `stat(2)` says of a file, as much as the tailer uses.
package struct FileStatus: Equatable, Sendable {
    package var identity: FileIdentity
    package var size: Int64
    /// Last modification, nanoseconds since the epoch.
    package var modified: Int64
    /// Hard links left: 0 once the file is deleted (but still open).
    package var links: UInt64
    package var isRegular: Bool

    package init(identity: FileIdentity, size: Int64, modified: Int64, links: UInt64 = 1, isRegular: Bool = true) {
        self.identity = identity
        self.size = size
        self.modified = modified
        self.links = links
        self.isRegular = isRegular
    }
}

/// Why a file could not be opened.
package enum OpenFailure: Error, Equatable {
    /// The process (or the system) has no descriptor left: try again when one is free.
    case noDescriptor
    case failed(String)
}

/// Everything the tail driver asks of the file system, in one place: the real one
/// (``SystemFiles``) makes the system calls; the model test brings one held in memory.
package protocol FileAccess {
    associatedtype Handle

    func status(path: String) -> FileStatus?
    func status(_ handle: Handle) -> FileStatus?
    func open(_ path: String) -> Result<Handle, OpenFailure>
    /// Reads up to `buffer.count` bytes at `offset`: the count, 0 at the end, -1 on error.
    func read(_ handle: Handle, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int
    func close(_ handle: Handle)
    /// The regular files that `patterns` name now, minus those `exclude` matches.
    func list(_ patterns: [String], exclude: [String]) -> [(path: String, status: FileStatus)]
    /// Whether a file whose size and modification time have not changed since `status` was
    /// taken (at `takenAt`, wall clock) can be trusted not to have changed at all. File systems
    /// keep modification times at a clock tick's resolution, so a change within the tick of the
    /// last look leaves them equal; such a file is read again (git's "racy clean" rule).
    func isSettled(_ status: FileStatus, takenAt: Int64) -> Bool
}

/// The real file system: `open`, `pread`, `fstat`, glob. Each call retries on `EINTR`.
package struct SystemFiles: FileAccess {
    package typealias Handle = Int32

    package init() {}

    package func status(path: String) -> FileStatus? {
        var st = stat()
        guard retrying({ stat(path, &st) }) == 0 else { return nil }
        return FileStatus(st)
    }

    package func status(_ handle: Int32) -> FileStatus? {
        var st = stat()
        guard retrying({ fstat(handle, &st) }) == 0 else { return nil }
        return FileStatus(st)
    }

    package func open(_ path: String) -> Result<Int32, OpenFailure> {
        let fd = retrying { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
        if fd >= 0 { return .success(fd) }
        if errno == EMFILE || errno == ENFILE { return .failure(.noDescriptor) }
        return .failure(.failed(Self.lastError))
    }

    package func read(_ handle: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        retrying { pread(handle, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    package func close(_ handle: Int32) {
        _ = Glibc.close(handle)
    }

    package func list(_ patterns: [String], exclude: [String]) -> [(path: String, status: FileStatus)] {
        var seen = Set<String>()
        var result: [(String, FileStatus)] = []
        for pattern in patterns {
            for path in Glob(pattern).paths() where seen.insert(path).inserted {
                if exclude.contains(where: { Self.matches($0, path: path) }) { continue }
                guard let status = status(path: path), status.isRegular else { continue }
                result.append((path, status))
            }
        }
        return result
    }

    package func isSettled(_ status: FileStatus, takenAt: Int64) -> Bool {
        // A second is far more than any file system's timestamp tick.
        status.modified < takenAt - 1_000_000_000
    }

    /// fnmatch(3) against the full path and against the file name.
    package static func matches(_ pattern: String, path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, name, 0) == 0
    }

    package static var lastError: String { String(cString: strerror(errno)) }

    /// The wall clock, nanoseconds since the epoch.
    package static func wallClock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    private func retrying<T: FixedWidthInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }
}

extension FileStatus {
    init(_ st: stat) {
        identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        links = UInt64(st.st_nlink)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
    }
}

/// inotify on the directories the globs start from, and a way to wake the waiting thread.
///
/// The driver's thread sleeps in `wait`, on the inotify descriptor and an eventfd, until an
/// event, a wake-up or its deadline. Events name the directory and the file that changed, so a
/// pass looks only at those files; files in directories inotify does not cover (below a
/// `**`, or when inotify is unavailable) are polled.
package final class ChangeWatcher: @unchecked Sendable {
    private let inotify: Int32
    /// A pipe: `wake` writes a byte to [1], `wait` polls [0].
    private let wakePipe: (Int32, Int32)
    /// Watch descriptor → directory, and back. Only the driver's thread touches these.
    private var directories: [Int32: String] = [:]
    private var watches: [String: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// What changed since the last `drain`.
    package struct Changes {
        /// Full paths of files that changed (written, created, moved, deleted).
        package var paths: Set<String> = []
        /// A file appeared in or left a watched directory: the globs are looked at again.
        package var directoryChanged = false
        /// The kernel's queue overflowed: everything is looked at.
        package var overflowed = false
    }

    package init(useInotify: Bool) {
        inotify = useInotify ? inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) : -1
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        wakePipe = (fds[0], fds[1])
    }

    package var usesInotify: Bool { inotify >= 0 }

    /// Watches exactly `paths` (directories); returns those that could not be watched.
    @discardableResult
    package func watch(_ paths: Set<String>) -> Set<String> {
        guard inotify >= 0 else { return paths }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        var failed = Set<String>()
        for directory in paths where watches[directory] == nil {
            let wd = inotify_add_watch(inotify, directory, mask)
            if wd >= 0 {
                watches[directory] = wd
                directories[wd] = directory
            } else {
                failed.insert(directory)
            }
        }
        for (directory, wd) in watches where !paths.contains(directory) {
            inotify_rm_watch(inotify, wd)
            watches[directory] = nil
            directories[wd] = nil
        }
        return failed
    }

    package func isWatched(_ directory: String) -> Bool { watches[directory] != nil }

    /// Sleeps until an inotify event, a `wake()`, or `timeoutMilliseconds` (-1: no limit).
    package func wait(timeoutMilliseconds: Int32) {
        var fds = [pollfd(fd: wakePipe.0, events: Int16(POLLIN), revents: 0)]
        if inotify >= 0 { fds.append(pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        var drained = [UInt8](repeating: 0, count: 64)
        while Glibc.read(wakePipe.0, &drained, drained.count) > 0 {}
    }

    /// Wakes a thread in `wait` (from any thread).
    package func wake() {
        var one: UInt8 = 1
        _ = Glibc.write(wakePipe.1, &one, 1)
    }

    /// The events queued since the last call.
    package func drain() -> Changes {
        var changes = Changes()
        guard inotify >= 0 else { return changes }
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(inotify, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 { changes.overflowed = true }
                    if event.mask & UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                        changes.directoryChanged = true
                    }
                    if event.len > 0, let directory = directories[event.wd] {
                        let nameBytes = UnsafeRawBufferPointer(rebasing: raw[nameStart..<min(n, nameStart + Int(event.len))])
                        let end = nameBytes.firstIndex(of: 0) ?? nameBytes.count
                        let name = String(decoding: nameBytes[0..<end], as: UTF8.self)
                        changes.paths.insert(directory == "/" ? "/" + name : directory + "/" + name)
                    }
                    offset = nameStart + Int(event.len)
                }
            }
        }
        return changes
    }

    deinit {
        if inotify >= 0 { Glibc.close(inotify) }
        Glibc.close(wakePipe.0)
        Glibc.close(wakePipe.1)
    }
}
