/// What a read could not reach, noted while it answers: the fleet service's shards that failed
/// or timed out. A request's handler runs with one in ``current``; readers note into it, and the
/// replies (JSON documents, web pages, a header) say the answer is partial and why.
public final class ReadShortfall: Sendable {
    /// The shortfall of the request being served, if anyone is listening.
    @TaskLocal public static var current: ReadShortfall?

    private let notes = Locked<[String]>([])

    public init() {}

    /// Records that part of the data could not be read, and why (kept once; at most 32 notes).
    public func note(_ text: String) {
        notes.withLock { n in
            if !n.contains(text) && n.count < 32 { n.append(text) }
        }
    }

    /// Every note so far, in the order noted.
    public var all: [String] { notes.withLock { $0 } }

    /// Notes `text` into the current request's shortfall, if there is one.
    public static func note(_ text: String) {
        current?.note(text)
    }

    /// The current request's notes (empty when there is no shortfall or it is whole).
    public static var notes: [String] { current?.all ?? [] }
}

/// A read the reader does not serve (such as a live follow of the fleet), or could not serve at
/// all (every shard down): the reply's status and reason.
public struct ReadRefused: Error, Sendable, CustomStringConvertible {
    /// An HTTP status: 501 not served, 503 unavailable, 504 timed out.
    public var status: Int
    public var reason: String
    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { reason }
}
