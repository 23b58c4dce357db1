import TracejoinModel

/// How continuation lines (tracebacks, stack traces) are joined to the record they follow.
public struct MultilineSettings: Sendable {
    /// Says whether a line starts a new record; other lines continue the current one.
    public var start: any LineMatcherFactory
    /// A record is closed after this many lines…
    public var maxLines: Int
    /// …or this many bytes…
    public var maxBytes: Int
    /// …or when no line has come for this long.
    public var timeout: Duration

    public init(start: any LineMatcherFactory, maxLines: Int = 500, maxBytes: Int = 1 << 20, timeout: Duration = .seconds(1)) {
        self.start = start
        self.maxLines = maxLines
        self.maxBytes = maxBytes
        self.timeout = timeout
    }
}
