import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// Where the tailer posts its files' states and readers (the query API) look.
public final class TailStatusBoard: StatusReporting {
    private let state = Locked<(files: [TailedFileStatus], waiting: Int, held: Int)>(([], 0, 0))
    public init() {}
    public func publish(_ files: [TailedFileStatus], waitingForDescriptor: Int = 0, descriptorsHeld: Int = 0) {
        state.withLock { $0 = (files, waitingForDescriptor, descriptorsHeld) }
    }

    /// `files` and `tail` (the files followed; the descriptors held, and the files that waited
    /// for one in the tailer's last pass): the board as the tailer last published it.
    public func report(into stats: inout StatsDocument) {
        let now = state.withLock { $0 }
        stats.files = now.files
        stats.tail.descriptors_held = now.held
        stats.tail.waiting_for_descriptor = now.waiting
        stats.tail.lag_bytes = now.files.reduce(Int64(0)) { sum, file in
            let (total, overflow) = sum.addingReportingOverflow(file.lag_bytes)
            return overflow ? .max : total
        }
    }
}
