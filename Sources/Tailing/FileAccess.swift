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
