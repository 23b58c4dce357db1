import Grok

/// Calendar arithmetic on the proleptic Gregorian calendar, in exact integers.
enum Civil {
    static let nanosPerSecond: Int64 = 1_000_000_000

    @inline(__always)
    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inline(__always)
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the date (Howard Hinnant's `days_from_civil`). For years within
    /// ±10⁶ (every caller's are four digits) nothing here can overflow.
    @inline(__always)
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        JavaDatePattern.daysFromCivil(year, month, day)
    }

    /// The date of a day count from 1970-01-01 (Hinnant's `civil_from_days`).
    static func date(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// ⌊a / b⌋ for b > 0.
    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b < 0) ? q - 1 : q
    }

    /// A two-digit year as POSIX `strptime`'s `%y` reads it: 69–99 are 1969–1999, 00–68 are
    /// 2000–2068.
    @inline(__always)
    static func expandTwoDigitYear(_ y: Int) -> Int { y >= 69 ? 1900 + y : 2000 + y }
}

/// What a time's text said, field by field, before it is resolved to an instant.
struct TimeFields {
    var year: Int?
    var month: Int?
    var day: Int?
    var dayOfYear: Int?
    var hour = 0
    var minute = 0
    /// 0–60: a leap second (60) is read as `timegm` reads it, the first second of the next minute.
    var second = 0
    /// The fraction of the second, in nanoseconds (digits past the ninth are dropped).
    var nanos: Int64 = 0
    /// 0 none, 1 AM, 2 PM.
    var meridiem: UInt8 = 0
    /// The hour was read on a 12-hour clock (`h`, `K`, `%I`, `%l`): it must be 0–12.
    var twelveHour = false
    /// An offset the text gave (seconds east of UTC): a numeric offset or an abbreviation.
    var offset: Int64?
    /// A zone the text named (`[Europe/Berlin]`, a `VV` field), by its number
    /// (``ZoneRule/named(_:)``: the fields stay plain values, copied without reference counting).
    var namedZone: Int32?
    /// Nanoseconds since the epoch when the text is an epoch count (`%s`, a number).
    var epochNanos: Int64?
    /// The epoch count was negative: a fraction read after it (`%s.%f`) counts back from it.
    var epochNegative = false

    /// Nanoseconds since the epoch, or nil: fields out of range, a date that does not exist, or
    /// an instant beyond 64-bit nanoseconds. A time without an offset is in `zone`; a date
    /// without a year takes one from `now` (``inferYear``); a time without a date takes the day
    /// of `now` (``inferDay``). (`mutating` only so that the fields are not copied for the call;
    /// nothing is changed.)
    mutating func nanoseconds(zone readerZone: ZoneRule, now: Int64) -> Int64? {
        if let epochNanos {
            let (total, overflow) = epochNegative ? epochNanos.subtractingReportingOverflow(nanos) : epochNanos.addingReportingOverflow(nanos)
            return overflow ? nil : total
        }
        var hour = self.hour
        if meridiem != 0 || twelveHour {
            guard hour <= 12 else { return nil }
            if meridiem != 0 { hour = hour % 12 + (meridiem == 2 ? 12 : 0) }
        }
        guard hour >= 0, hour < 24, minute >= 0, minute < 60, second >= 0, second <= 60, nanos >= 0 else { return nil }
        let clock = Int64(hour * 3600 + minute * 60 + second)
        let zone = namedZone.map(ZoneRule.registered) ?? readerZone
        if let year {
            guard let days = Self.days(year: year, month: month, day: day, dayOfYear: dayOfYear) else { return nil }
            return instant(local: days * 86_400 + clock, zone: zone)
        }
        if month != nil || dayOfYear != nil { return inferYear(clock: clock, zone: zone, now: now) }
        return inferDay(clock: clock, zone: zone, now: now)
    }

    /// Days since 1970 of a date, nil if it does not exist (month 13, Feb 30, day 366 of 2026).
    /// A missing month or day is 1 (a day without a month is refused when a format is read).
    @inline(__always)
    static func days(year: Int, month: Int?, day: Int?, dayOfYear: Int?) -> Int64? {
        guard year >= 0, year <= 9999 else { return nil }
        if let dayOfYear {
            guard dayOfYear >= 1, dayOfYear <= (Civil.isLeap(year) ? 366 : 365) else { return nil }
            return Civil.days(year: year, month: 1, day: 1) + Int64(dayOfYear - 1)
        }
        let month = month ?? 1, day = day ?? 1
        guard month >= 1, month <= 12, day >= 1, day <= Civil.daysIn(month: month, year: year) else { return nil }
        return Civil.days(year: year, month: month, day: day)
    }

    /// The instant of wall-clock seconds `local` in `zone`, as nanoseconds (with the fraction).
    @inline(__always)
    func instant(local: Int64, zone: ZoneRule) -> Int64? {
        let offset = offset ?? zone.offset(local: local)
        let (whole, o1) = (local - offset).multipliedReportingOverflow(by: Civil.nanosPerSecond)
        let (total, o2) = whole.addingReportingOverflow(nanos)
        return o1 || o2 ? nil : total
    }

    /// The local date of the instant `now` (nanoseconds) in `zone`.
    static func localDate(_ now: Int64, zone: ZoneRule) -> (year: Int, month: Int, day: Int) {
        let seconds = Civil.floorDiv(now, Civil.nanosPerSecond)
        return Civil.date(days: Civil.floorDiv(seconds + zone.offset(utc: seconds), 86_400))
    }

    /// A date without a year, read as syslog readers (rsyslog, journald) read one: in the year
    /// `now` is in (in the zone), unless that puts it more than 31 days after `now`, then in the
    /// year before (a December line read in January). Never the year after. A date that does
    /// not exist in the year chosen (Feb 29) makes the year before be tried; then nil.
    func inferYear(clock: Int64, zone: ZoneRule, now: Int64) -> Int64? {
        let current = Self.localDate(now, zone: zone).year
        let limit = now.addingReportingOverflow(31 * 86_400 * Civil.nanosPerSecond)
        for back in 0..<2 {
            let year = current - back
            guard let days = Self.days(year: year, month: month, day: day, dayOfYear: dayOfYear),
                let t = instant(local: days * 86_400 + clock, zone: zone)
            else { continue }
            if year == current, !limit.overflow, t > limit.partialValue { continue }
            return t
        }
        return nil
    }

    /// A time of day without a date: on the day `now` is in (in the zone), unless that puts it
    /// more than an hour after `now`, then the day before (a line from before midnight read
    /// after it).
    func inferDay(clock: Int64, zone: ZoneRule, now: Int64) -> Int64? {
        let today = Self.localDate(now, zone: zone)
        let days = Civil.days(year: today.year, month: today.month, day: today.day)
        let limit = now.addingReportingOverflow(3600 * Civil.nanosPerSecond)
        guard let t = instant(local: days * 86_400 + clock, zone: zone) else { return nil }
        if !limit.overflow, t > limit.partialValue { return instant(local: (days - 1) * 86_400 + clock, zone: zone) }
        return t
    }
}
