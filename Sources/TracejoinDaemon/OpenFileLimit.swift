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
