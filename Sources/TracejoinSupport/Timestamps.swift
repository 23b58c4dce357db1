#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 timestamps in UTC.
public enum Timestamps {
    /// `2026-11-24T22:11:28.925123456Z`: all nine digits of the nanoseconds.
    public static func iso8601(nanoseconds: Int64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000_000
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let digits = String(fraction)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 9 - digits.count) + digits + "Z"
    }

    /// Nanoseconds since the Unix epoch, now.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Nanoseconds since the epoch of a timestamp as log lines write it: `2026-11-24 22:11:28,925`,
    /// `2026-11-24T22:11:28.925123Z`, `…+01:00`. Date and time are required; a fraction (`.` or
    /// `,`, up to nine digits) and a zone (`Z`, `±hh:mm`, `±hhmm`) are optional; without a zone
    /// the time is taken as UTC. `nil` for anything else.
    public static func nanoseconds(parsing text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= b.count else { return nil }
            var v: Int64 = 0
            for i in at..<(at + n) {
                guard b[i] &- 48 <= 9 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b.count >= 19, b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D, let day = digits(8, 2),
            b[10] == 0x20 || b[10] == 0x54, let hour = digits(11, 2), b[13] == 0x3A, let minute = digits(14, 2), b[16] == 0x3A,
            let second = digits(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < b.count, b[i] &- 48 <= 9 {
                if scale > 0 { fraction += Int64(b[i] - 48) * scale }
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset: Int64 = 0
        if i < b.count {
            if b[i] == 0x5A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D, let h = digits(i + 1, 2) {
                let sign: Int64 = b[i] == 0x2B ? 1 : -1
                var m: Int64 = 0
                if let mm = digits(i + 3, 2) { m = mm; i += 5 } else if i + 4 < b.count, b[i + 3] == 0x3A, let mm = digits(i + 4, 2) { m = mm; i += 6 } else { i += 3 }
                offset = sign * (h * 3600 + m * 60)
            }
        }
        return nanoseconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction,
                           offset: offset)
    }

    /// A civil date and time (`offset` seconds east of UTC) in nanoseconds since the epoch: days
    /// from the civil date by Howard Hinnant's algorithm, no time zone database involved.
    /// Nanoseconds since 1970 hold the years 1678 to 2262: a time beyond is `nil`. The fields
    /// are expected in their ranges (years 0–9999), as parsers check them.
    public static func nanoseconds(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64,
                                   fraction: Int64, offset: Int64) -> Int64? {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        let (whole, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, o2) = whole.addingReportingOverflow(fraction)
        return o1 || o2 ? nil : nanoseconds
    }
}

