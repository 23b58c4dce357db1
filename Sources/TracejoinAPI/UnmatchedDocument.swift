import TracejoinModel
import TracejoinSupport

/// `GET /v1/logs/unmatched`: lines whose trace no span has claimed, by source and rule, with a
/// few samples each.
///
/// The server writes it by hand (``json(_:since:graceSeconds:)``); clients read it into this type.
public struct UnmatchedDocument: Codable, Sendable, Equatable {
    /// The start of the window (RFC 3339).
    public var since: String
    /// Lines younger than this were left out: their spans may still come.
    public var grace_seconds: Int64
    public var groups: [Group]

    public init(since: String, grace_seconds: Int64, groups: [Group]) {
        self.since = since
        self.grace_seconds = grace_seconds
        self.groups = groups
    }

    public struct Group: Codable, Sendable, Equatable {
        public var source: String
        public var rule: String
        public var lines: Int
        public var traces: Int
        public var samples: [LogsPage.Entry]

        public init(_ g: UnmatchedGroup) {
            source = g.source
            rule = g.rule
            lines = g.count
            traces = g.traces
            samples = g.samples.map { LogsPage.Entry(id: nil, ingested: nil, $0) }
        }
    }

    /// The document, written by hand: the server's form. `since` in nanoseconds.
    public static func json(_ groups: [UnmatchedGroup], since: Int64, graceSeconds: Int64) -> [UInt8] {
        var w = JSONWriter()
        w.objectStart()
        w.member("since", Timestamps.iso8601(nanoseconds: since))
        w.member("grace_seconds", graceSeconds)
        w.key("groups")
        w.arrayStart()
        for g in groups {
            w.objectStart()
            w.member("source", g.source)
            w.member("rule", g.rule)
            w.member("lines", Int64(g.count))
            w.member("traces", Int64(g.traces))
            w.key("samples")
            w.arrayStart()
            for r in g.samples { RecordJSON.entry(id: nil, ingested: nil, r, to: &w) }
            w.arrayEnd()
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
        return w.bytes
    }
}
