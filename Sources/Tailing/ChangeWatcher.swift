#if canImport(Glibc)
import Glibc
#endif

/// Tracejoin's one inotify wrapper: inotify on a set of directories, and a way to wake the
/// thread waiting on it.
///
/// Two users share it. The tail driver's thread sleeps in `wait`, on the inotify descriptor and
/// a wake-up pipe, until an event, a wake-up or its deadline; events name the directory and the
/// file that changed, so a pass looks only at those files, and files in directories inotify does
/// not cover (below a `**`, or when inotify is unavailable) are polled. The daemon's rule
/// watcher hands ``eventDescriptor`` to a `DispatchSource` instead and only drains: it looks at
/// the rule files themselves to learn what changed.
///
/// Not thread-safe except for `wake()`: one thread (or one serial queue) calls the rest.
package final class ChangeWatcher: @unchecked Sendable {
    private let inotify: Int32
    /// A pipe: `wake` writes a byte to [1], `wait` polls [0].
    private let wakePipe: (Int32, Int32)
    /// Watch descriptor → directory, and back. Only the owning thread touches these.
    private var directories: [Int32: String] = [:]
    private var watches: [String: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Why inotify is not in use (`strerror` of `inotify_init1`, or that it was turned off);
    /// `nil` when it is. Kept at creation, because `errno` does not last until the caller logs.
    package let unavailableReason: String?

    /// What changed since the last `drain`.
    package struct Changes {
        /// Full paths of files that changed (written, created, moved, deleted).
        package var paths: Set<String> = []
        /// A file appeared in or left a watched directory: the globs are looked at again.
        package var directoryChanged = false
        /// The kernel's queue overflowed: everything is looked at.
        package var overflowed = false
    }

    /// Opens an inotify instance (`inotify_init1`, non-blocking, close-on-exec) unless
    /// `useInotify` is false, and the wake-up pipe. Without inotify the watcher still waits and
    /// wakes: its users then poll.
    package init(useInotify: Bool) {
        if useInotify {
            inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            unavailableReason = inotify >= 0 ? nil : String(cString: strerror(errno))
        } else {
            inotify = -1
            unavailableReason = "turned off in the configuration"
        }
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

    /// The inotify descriptor, readable when events are queued, for a caller that waits in its
    /// own event loop (a `DispatchSource`) rather than in `wait`; `nil` without inotify. It stays
    /// open as long as the watcher lives: keep the watcher until the source is cancelled.
    package var eventDescriptor: Int32? { inotify >= 0 ? inotify : nil }

    /// Watches exactly `paths` (directories) with `inotify_add_watch`, dropping watches on
    /// directories no longer named (`inotify_rm_watch`). Returns the directories that could not
    /// be watched, each with the reason (every one of them when inotify is unavailable).
    @discardableResult
    package func watch(_ paths: Set<String>) -> [String: String] {
        guard inotify >= 0 else {
            let reason = unavailableReason ?? "inotify unavailable"
            return Dictionary(uniqueKeysWithValues: paths.map { ($0, reason) })
        }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        var failed: [String: String] = [:]
        for directory in paths where watches[directory] == nil {
            let wd = inotify_add_watch(inotify, directory, mask)
            if wd >= 0 {
                watches[directory] = wd
                directories[wd] = directory
            } else {
                failed[directory] = String(cString: strerror(errno))
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

    /// The events queued since the last call (read until the non-blocking descriptor is empty).
    @discardableResult
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
