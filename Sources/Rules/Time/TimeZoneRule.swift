import Foundation
import TracejoinModel
import TracejoinSupport

/// A time zone as the time reader applies it: a fixed offset, or a TZ database zone's offsets
/// over every instant 64-bit nanoseconds hold (1677–2262), read once from Foundation and then
/// looked up without it.
///
/// Local times resolve as java.time's `ZonedDateTime.ofLocal` (and Python's `fold=0`) resolve
/// them: a local time in a spring-forward gap is shifted forward by the gap's length, one in a
/// fall-back overlap takes the earlier offset. Both come to the same thing: in the window a
/// transition makes ambiguous or skips, the offset from before the transition applies.
enum ZoneRule: Sendable {
    /// Seconds east of UTC.
    case fixed(Int64)
    case table(ZoneTable)

    /// The offset (seconds east of UTC) of the wall-clock time `local` (seconds since 1970 as
    /// if the wall clock were UTC), gaps and overlaps resolved as above.
    @inline(__always)
    func offset(local: Int64) -> Int64 {
        switch self {
        case .fixed(let seconds): return seconds
        case .table(let table): return table.offsets[table.local.index(of: local)]
        }
    }

    /// The offset in force at the instant `utc` (seconds since 1970).
    @inline(__always)
    func offset(utc: Int64) -> Int64 {
        switch self {
        case .fixed(let seconds): return seconds
        case .table(let table): return table.offsets[table.utc.index(of: utc)]
        }
    }

    /// The rule for a Foundation zone: fixed when it never changes over the range, else its table.
    /// Tables are built once per zone (by `key`, the identifier by default) and process (a zone
    /// with DST: ~600 transitions, about a millisecond) and shared by every reader.
    static func of(_ zone: TimeZone, key: String? = nil) -> ZoneRule {
        let key = key ?? zone.identifier
        if let id = registry.withLock({ $0.ids[key] }) { return registered(id) }
        let table = ZoneTable(zone)
        let rule: ZoneRule = table.offsets.count == 1 ? .fixed(table.offsets[0]) : .table(table)
        registry.withLock { registry in
            guard registry.ids[key] == nil, registry.rules.count < maximumRegistered else { return }
            registry.ids[key] = Int32(registry.rules.count)
            registry.rules.append(rule)
        }
        return rule
    }

    /// A zone named in a line (`[Europe/Berlin]`, a `VV` or `%Z` field), as its number in the
    /// registry (which keeps a line's fields plain values), or nil if the TZ database has no
    /// such zone. Rare, and under a lock: never on the path of an ordinary line.
    static func named(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        for byte in bytes {
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let other = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "/")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            guard letter || other else { return nil }
        }
        let name = String(decoding: bytes, as: UTF8.self)
        if let id = registry.withLock({ $0.ids[name] }) { return id }
        guard let zone = TimeZone(identifier: name) else { return nil }
        _ = of(zone, key: name)
        return registry.withLock { $0.ids[name] }
    }

    /// The zone numbered `id` by ``named(_:)``.
    static func registered(_ id: Int32) -> ZoneRule {
        registry.withLock { $0.rules[Int(id)] }
    }

    /// Zones by name, numbered. Bounded: a reader's zone beyond it is built for that reader
    /// alone; a zone a line names beyond it is not known.
    private struct Registry {
        var ids: [String: Int32] = [:]
        var rules: [ZoneRule] = []
    }

    private static let registry = Locked(Registry())
    private static let maximumRegistered = 512
}

/// A zone's offsets as spans, over 1677–2262, immutable once built.
final class ZoneTable: Sendable {
    /// The offset (seconds east) of each span.
    let offsets: [Int64]
    /// Where each span starts, in UTC seconds.
    let utc: SpanIndex
    /// Where each span starts in local (wall-clock) seconds, gaps and overlaps given to the
    /// span before the transition.
    let local: SpanIndex

    /// A little beyond what 64-bit nanoseconds hold (±9,223,372,037 s) on either side.
    static let first: Int64 = -9_300_000_000
    static let last: Int64 = 9_300_000_000

    init(_ zone: TimeZone) {
        var offsets = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.first))))]
        var starts: [Int64] = [Int64.min]
        var after = Date(timeIntervalSince1970: Double(Self.first))
        var steps = 0
        while steps < 20_000, let next = zone.nextDaylightSavingTimeTransition(after: after) {
            steps += 1
            let seconds = next.timeIntervalSince1970
            guard seconds.isFinite, seconds < Double(Self.last) else { break }
            let at = Int64(seconds.rounded(.down))
            guard at > starts[starts.count - 1] else {
                after = Date(timeIntervalSince1970: Double(starts[starts.count - 1] + 1))
                continue
            }
            let offset = Int64(zone.secondsFromGMT(for: next))
            if offset != offsets[offsets.count - 1] {
                offsets.append(offset)
                starts.append(at)
            }
            after = next
        }
        // The local span of span k starts where the wall clock leaves the window the transition
        // into it makes ambiguous or skips: at the transition plus the larger of the two offsets.
        var localStarts: [Int64] = [Int64.min]
        for k in 1..<max(1, starts.count) {
            let start = starts[k] + max(offsets[k - 1], offsets[k])
            // Transitions hours apart (historical data) could cross; keep the spans ordered.
            localStarts.append(max(start, localStarts[k - 1]))
        }
        self.offsets = offsets
        self.utc = SpanIndex(starts: starts)
        self.local = SpanIndex(starts: localStarts)
    }
}

/// Ascending span starts (the first `Int64.min`) and, per 2^22 seconds (~48 days), the span
/// in force at its start: a lookup is a load and a step or two.
struct SpanIndex: Sendable {
    let starts: [Int64]
    let buckets: [Int32]
    static let shift: Int64 = 22

    init(starts: [Int64]) {
        self.starts = starts
        let count = Int((ZoneTable.last - ZoneTable.first) >> Self.shift) + 1
        var buckets = [Int32](repeating: 0, count: count)
        var k = 0
        for b in 0..<count {
            let at = ZoneTable.first + Int64(b) << Self.shift
            while k + 1 < starts.count, starts[k + 1] <= at { k += 1 }
            buckets[b] = Int32(k)
        }
        self.buckets = buckets
    }

    /// The span in force at `x`: the last whose start is at or before it.
    @inline(__always)
    func index(of x: Int64) -> Int {
        let clamped = min(max(x, ZoneTable.first), ZoneTable.last)
        var k = Int(buckets[Int((clamped - ZoneTable.first) >> Self.shift)])
        while k + 1 < starts.count, starts[k + 1] <= x { k += 1 }
        return k
    }
}

/// Zone abbreviations a line may carry, as fixed offsets in seconds.
///
/// Abbreviations are ambiguous; each is read the one way below: `CST` is US Central (not China
/// or Cuba), `IST` India (not Ireland or Israel), `BST` British Summer Time (not Bangladesh),
/// `AST`/`ADT` Atlantic (not Arabia), `EST`/`EDT` US Eastern (not Australia). An abbreviation
/// is the offset it names whatever the date (`EST` in July is −05:00: the writer said so).
enum ZoneAbbreviation {
    /// The offset of the letters `word` (any case), or nil.
    static func offset(_ word: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard (1...4).contains(word.count) else { return nil }
        var key: UInt32 = 0
        for byte in word {
            let upper = byte & 0xDF
            guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z") else { return nil }
            key = key << 8 | UInt32(upper)
        }
        return table[key].map { Int64($0) * 60 }
    }

    /// Offsets in minutes, by the letters packed into a `UInt32`.
    private static let table: [UInt32: Int16] = {
        let minutes: [(String, Int16)] = [
            ("Z", 0), ("UT", 0), ("UTC", 0), ("GMT", 0), ("WET", 0),
            ("WEST", 60), ("BST", 60), ("CET", 60), ("MET", 60),
            ("CEST", 120), ("MEST", 120), ("EET", 120), ("SAST", 120),
            ("EEST", 180), ("MSK", 180), ("IST", 330),
            ("SGT", 480), ("HKT", 480), ("AWST", 480), ("PHT", 480),
            ("JST", 540), ("KST", 540), ("ACST", 570), ("AEST", 600), ("ACDT", 630), ("AEDT", 660),
            ("NZST", 720), ("NZDT", 780),
            ("NDT", -150), ("ADT", -180), ("NST", -210), ("AST", -240), ("EDT", -240),
            ("EST", -300), ("CDT", -300), ("CST", -360), ("MDT", -360), ("MST", -420), ("PDT", -420),
            ("PST", -480), ("AKDT", -480), ("AKST", -540), ("HST", -600),
        ]
        var table: [UInt32: Int16] = [:]
        for (name, offset) in minutes { table[name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }] = offset }
        return table
    }()
}
