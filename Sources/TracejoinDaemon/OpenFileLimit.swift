import Glibc
import Logging

/// The soft limit on open file descriptors, raised to the hard one at start.
///
/// A host with many log files (a Kubernetes node has one per container) needs a descriptor for
/// each file being followed, and the common default soft limit is 1,024 while the hard limit is
/// much higher; raising the soft limit to the hard one needs no privilege (`setrlimit(2)`).
enum OpenFileLimit {
    /// Raises the soft limit to the hard one; returns the limits before and after.
    @discardableResult
    static func raise(logger: Logger) -> (before: UInt64, after: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("cannot read the open file limit", metadata: ["errno": "\(errno)"])
            return (0, 0)
        }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else {
            logger.info("open file limit", metadata: ["soft": "\(limit.rlim_cur)", "hard": "\(limit.rlim_max)"])
            return (before, before)
        }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("cannot raise the open file limit to the hard limit",
                           metadata: ["soft": "\(before)", "hard": "\(limit.rlim_max)", "errno": "\(errno)"])
            return (before, before)
        }
        logger.notice("raised the open file limit to the hard limit, for following many files",
                      metadata: ["from": "\(before)", "to": "\(limit.rlim_max)"])
        return (before, UInt64(limit.rlim_max))
    }
}

/// How the open file limit is shared: the daemon's own descriptors, a reserve for the query
/// socket that no other client can take, each listener's connections, and the log files.
///
/// Connections are the descriptors outsiders control; left unbounded, enough idle clients take
/// every descriptor and the daemon can neither accept the operator's query nor open a new log
/// file. So every listener has a connection limit (`limits.max_connections`), and when their
/// sum would take more than half of what is left after the daemon's own and the query socket's
/// reserve, each is scaled down, with a warning (docs/security.md, "Bounded clients").
struct DescriptorPlan: Equatable {
    /// The index, segment files, crash journal, inotify, epoll and event descriptors, the
    /// listening sockets.
    static let own = 64
    /// Connections the query socket may always hold: the operator's way in.
    static let querySocket = 32

    /// Each listener's connection limit, in the order given.
    var connections: [Int]
    /// Log files the tailer may hold open.
    var tailing: Int
    /// Whether the listeners' limits had to be scaled down.
    var scaled: Bool

    init(limit: Int, listeners wanted: [Int]) {
        let available = max(0, limit - Self.own - Self.querySocket)
        let share = available / 2
        let total = wanted.reduce(0) { $0 + min($1, 1 << 30) }
        if total <= share {
            connections = wanted
            scaled = false
        } else {
            // Proportionally, at least 1 each.
            connections = wanted.map { max(1, Int((Int64(min($0, 1 << 30)) * Int64(share)) / Int64(max(1, total)))) }
            scaled = true
        }
        tailing = max(16, available - connections.reduce(0, +))
    }
}
