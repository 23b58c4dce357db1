import Foundation

/// How a rule reads the times it captures.
///
/// A reader turns the bytes a rule captured as its time into nanoseconds since the Unix epoch,
/// exactly (integer arithmetic, never a `Double`, no `String` or `DateFormatter` per call), with
/// the right zone: the one the text gives, else the rule's `timezone:`. `nil` for text that is
/// not a time the reader knows, for dates that do not exist (month 13, Feb 30, hour 25), and
/// for instants 64-bit nanoseconds cannot hold (before 1677-09-21T00:12:43Z, after
/// 2262-04-11T23:47:16Z); never a trap, whatever the input.
///
/// Without a `time_format` the format is recognised from the text: ISO 8601/RFC 3339 and
/// variants, the Logstash library's timestamp forms (`HTTPDATE`, `SYSLOGTIMESTAMP`,
/// `DATESTAMP_RFC822`, `DATESTAMP_RFC2822`, `DATESTAMP_OTHER`, `DATESTAMP_EVENTLOG`,
/// `DATESTAMP`, `CATALINA_DATESTAMP`, `TOMCAT_DATESTAMP`, `CISCOTIMESTAMP`, `BIND9_TIMESTAMP`,
/// `REDISTIMESTAMP`, `BACULA_TIMESTAMP`, `HAPROXYDATE`, `HTTPDERROR_DATE`, …), and epoch numbers
/// (``AutoTime``; docs/grok.md, "Times").
///
/// **Zones.** A time whose text carries no zone is in `zone`. Local times that a DST change
/// skips or repeats resolve as java.time's `ZonedDateTime.ofLocal` resolves them: in a
/// spring-forward gap, shifted forward by the gap's length (Berlin's 2026-03-29 02:30 is 03:30
/// CEST); in a fall-back overlap, the earlier offset (Berlin's 2026-10-25 02:30 is 02:30 CEST).
///
/// **Speed and threads.** A reader is immutable and `Sendable`: share it freely, from any
/// thread, without a session. The zone's offsets are read from Foundation once (per zone and
/// process) into a table; a line costs a table lookup, never a Foundation call. An ISO 8601
/// time reads in a few tens of nanoseconds.
package struct TimeReader: Sendable {
    /// The `time_format` this reader was made with (nil: recognised by itself).
    package let format: String?
    /// The zone of times that carry none.
    package let zoneSetting: TimeZoneSetting

    private let zone: ZoneRule
    private let mode: Mode

    private enum Mode: Sendable {
        /// The format recognised from the text.
        case auto
        /// `ISO8601`: ISO 8601 only.
        case iso8601
        /// `UNIX`, `UNIX_MS`, `UNIX_US`, `UNIX_NS`: an epoch count in that unit (nanoseconds per
        /// unit, fraction digits that count).
        case epoch(UInt64, Int)
        case pattern(TimePattern)
    }

    /// A reader for one rule.
    ///
    /// - Parameters:
    ///   - format: the rule's `time_format:` (a Java-style pattern like `yyyy-MM-dd HH:mm:ss.SSS`,
    ///     or a strftime pattern like `%d/%b/%Y:%H:%M:%S %z` — a `%` means strftime), or nil to
    ///     recognise the format by itself. Also Logstash's date-filter keywords: `ISO8601`,
    ///     `UNIX` (seconds, with a fraction or not), `UNIX_MS`; and `UNIX_US`, `UNIX_NS`.
    ///   - zone: the zone of times that carry none (the rule file's `timezone:`): `.local` (the
    ///     host's: `TimeZone.current`, i.e. `TZ` or `/etc/localtime`) or an IANA name.
    /// - Throws: ``TimeFormatError`` naming what is wrong: a pattern letter or directive that is
    ///   not supported, an unclosed quote or section, a pattern without a date or time, a day
    ///   without a month; a zone name the TZ database does not know.
    package init(format: String?, zone: TimeZoneSetting) throws(TimeFormatError) {
        self.format = format
        self.zoneSetting = zone
        self.zone = try zone.rule()
        guard let format else {
            mode = .auto
            return
        }
        switch format {
        case "ISO8601": mode = .iso8601
        case "UNIX": mode = .epoch(1_000_000_000, 9)
        case "UNIX_MS": mode = .epoch(1_000_000, 6)
        case "UNIX_US": mode = .epoch(1_000, 3)
        case "UNIX_NS": mode = .epoch(1, 0)
        case "": throw TimeFormatError("time_format is empty (leave it out to recognise the format by itself)")
        default:
            mode = .pattern(format.utf8.contains(UInt8(ascii: "%")) ? try TimePattern.strftime(format) : try TimePattern.java(format))
        }
    }

    /// Nanoseconds since the epoch of `text` (the bytes a rule captured), or nil if it is not a
    /// time this reader knows.
    ///
    /// - Parameter now: nanoseconds since the epoch, for the times that leave out the year
    ///   (syslog's `Dec  6 15:35:02`: the year `now` is in, in the zone, unless that puts the
    ///   time more than 31 days after `now`, then the year before) or the date (a `time_format`
    ///   of only a time: the day `now` is in, unless that puts it more than an hour after `now`,
    ///   then the day before).
    package func nanoseconds(_ text: UnsafeBufferPointer<UInt8>, now: Int64) -> Int64? {
        var s = TimeScanner(text)
        var f = TimeFields()
        switch mode {
        case .auto:
            guard AutoTime.read(&s, &f) else { return nil }
        case .iso8601:
            if AutoTime.canonical(text, &f) { break }
            let run = s.digitRun()
            let next = s.peek(run)
            if run == 4, next == UInt8(ascii: "-") {
                guard AutoTime.yearFirst(&s, &f) else { return nil }
            } else if run == 8, next | 0x20 == UInt8(ascii: "t") {
                guard AutoTime.basic(&s, &f) else { return nil }
            } else {
                return nil
            }
        case .epoch(let unit, let places):
            guard AutoTime.epoch(&s, &f, unit: (unit, places)) else { return nil }
        case .pattern(let pattern):
            guard pattern.read(&s, &f), s.atEnd else { return nil }
        }
        return f.nanoseconds(zone: zone, now: now)
    }
}

/// The zone of times that carry none: a rule file's `timezone:`.
package enum TimeZoneSetting: Sendable, Hashable {
    /// The host's zone (`TimeZone.current`: `TZ`, else `/etc/localtime`): the zone the
    /// application beside Tracejoin wrote its local times in. The default.
    case local
    /// A TZ database (IANA) name: `Europe/Berlin`, `Asia/Tokyo`, `UTC`; or a fixed offset,
    /// `+09:00`, `-0500`, `UTC+9`.
    case named(String)

    /// The setting a config value names: `local` (any case) or a zone name.
    package init(_ text: String) {
        self = text.lowercased() == "local" ? .local : .named(text)
    }

    /// The zone, or an error naming the name that is not one.
    func rule() throws(TimeFormatError) -> ZoneRule {
        switch self {
        case .local:
            return ZoneRule.of(TimeZone.current)
        case .named(let name):
            if name.lowercased() == "local" { return ZoneRule.of(TimeZone.current) }
            if let offset = Self.fixedOffset(name) { return .fixed(offset) }
            guard !name.isEmpty, name.utf8.count <= 64, let zone = TimeZone(identifier: name) else {
                throw TimeFormatError("unknown time zone '\(ConfigError.excerpt(name))' (an IANA name like Europe/Berlin, a fixed offset like +09:00, or local)")
            }
            return ZoneRule.of(zone, key: name)
        }
    }

    /// `+09:00`, `-0500`, `UTC`, `GMT`, `UTC+9`: the offset; nil for anything else.
    private static func fixedOffset(_ name: String) -> Int64? {
        Array(name.utf8).withUnsafeBufferPointer { bytes in
            var s = TimeScanner(bytes)
            var f = TimeFields()
            let word = UnsafeBufferPointer(rebasing: bytes.prefix { TimeScanner.isLetter($0) })
            guard s.peek() == UInt8(ascii: "+") || s.peek() == UInt8(ascii: "-") || TimeScanner.isUniversal(word) else { return nil }
            guard s.zone(&f, anyName: false) == true, s.atEnd else { return nil }
            return f.offset
        }
    }
}

/// A `time_format` or `timezone` that cannot be used, with what is wrong.
package struct TimeFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
