/// Times read without a `time_format`: the format is recognised from the text. Every shape the
/// Logstash library's timestamp patterns capture (docs/grok.md, "Times"), and epoch numbers.
enum AutoTime {
    static func read(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        if canonical(s.bytes, &f) { return true }
        let c = s.peek()
        if TimeScanner.isLetter(c) { return textual(&s, &f) }
        if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { return epoch(&s, &f) }
        guard TimeScanner.isDigit(c) else { return false }
        let run = s.digitRun()
        let next = s.peek(run)
        let dateSeparator = next == UInt8(ascii: "-") || next == UInt8(ascii: "/") || next == UInt8(ascii: ".")
        switch run {
        case 4 where dateSeparator: return yearFirst(&s, &f)
        case 8 where next | 0x20 == UInt8(ascii: "t"): return basic(&s, &f)
        case 1, 2:
            if dateSeparator, TimeScanner.isDigit(s.peek(run + 1)) {
                // `12/06/2026 15:35:02`; else a small number with a fraction (`5.25`).
                var (t, g) = (s, f)
                if numericDate(&t, &g) {
                    (s, f) = (t, g)
                    return true
                }
                return epoch(&s, &f)
            }
            if s.i + run == s.bytes.count { return epoch(&s, &f) }
            return textual(&s, &f)
        case 4 where next == UInt8(ascii: " "): return textual(&s, &f)
        case 14 where c != UInt8(ascii: "0"): return eventLog(&s, &f)
        default: return epoch(&s, &f)
        }
    }

    /// The usual shape of an ISO 8601 time, read straight: `yyyy-MM-dd[T ]HH:mm:ss`, then a
    /// `.`/`,` fraction, then nothing, `Z`, `±hh:mm`, `±hhmm` or `±hh`. Anything else is left
    /// to ``yearFirst`` (false, `f` untouched).
    @inline(__always)
    static func canonical(_ b: UnsafeBufferPointer<UInt8>, _ f: inout TimeFields) -> Bool {
        let n = b.count
        guard n >= 19, let p = b.baseAddress else { return false }
        @inline(__always) func digit(_ k: Int) -> Int { Int(p[k] &- 0x30) }
        @inline(__always) func two(_ k: Int) -> Int { digit(k) * 10 + digit(k + 1) }
        @inline(__always) func isDigit(_ k: Int) -> Bool { p[k] &- 0x30 <= 9 }
        guard isDigit(0), isDigit(1), isDigit(2), isDigit(3), isDigit(5), isDigit(6), isDigit(8), isDigit(9), isDigit(11),
            isDigit(12), isDigit(14), isDigit(15), isDigit(17), isDigit(18), p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"), p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " "),
            p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":")
        else { return false }
        var i = 19
        var nanos: Int64 = 0
        if i < n, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
            i += 1
            let from = i
            var count = 0
            while i < n, p[i] &- 0x30 <= 9 {
                if count < 9 {
                    nanos = nanos * 10 + Int64(p[i] &- 0x30)
                    count += 1
                }
                i += 1
            }
            guard i > from else { return false }
            while count < 9 {
                nanos *= 10
                count += 1
            }
        }
        var offset: Int64? = nil
        if i < n {
            let sign = p[i]
            let rest = n - i - 1
            if sign == UInt8(ascii: "Z"), rest == 0 {
                offset = 0
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                var hours = 0, minutes = 0
                for k in (i + 1)..<n where k != i + 3 || rest != 5 {
                    guard p[k] &- 0x30 <= 9 else { return false }
                }
                switch rest {
                case 2: hours = two(i + 1)
                case 4: (hours, minutes) = (two(i + 1), two(i + 3))
                case 5 where p[i + 3] == UInt8(ascii: ":"): (hours, minutes) = (two(i + 1), two(i + 4))
                default: return false
                }
                guard minutes < 60, hours * 60 + minutes <= 18 * 60 else { return false }
                let seconds = Int64(hours * 3600 + minutes * 60)
                offset = sign == UInt8(ascii: "-") ? -seconds : seconds
            } else {
                return false
            }
        }
        f.year = two(0) * 100 + two(2)
        f.month = two(5)
        f.day = two(8)
        f.hour = two(11)
        f.minute = two(14)
        f.second = two(17)
        f.nanos = nanos
        f.offset = offset
        return true
    }

    /// `2026-12-06T15:35:02.123456789+09:00` and what `TIMESTAMP_ISO8601` (and `TIMESTAMP_CN`,
    /// `TOMCAT_DATESTAMP`, `RAILS3_TIMESTAMP`, `EXIM_DATE`) capture: a `T` or a space before the
    /// time, one-digit month, day or hour, colons optional, no seconds, a `.` or `,` fraction of
    /// any length, a zone attached or after a space (`Z`, `+09:00`, `+0900`, `+09`, `UTC`,
    /// `JST`). Also `/` or `.` between the date's parts (nginx's and Go's `2026/12/06 15:35:02`)
    /// and a date alone (midnight).
    static func yearFirst(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        guard let year = s.fixed(4) else { return false }
        let separator = s.peek()
        s.i += 1
        guard let month = s.number(min: 1, max: 2), s.peek() == separator else { return false }
        s.i += 1
        guard let day = s.number(min: 1, max: 2) else { return false }
        f.year = year
        f.month = month
        f.day = day
        if s.atEnd { return true }
        let c = s.peek()
        guard c | 0x20 == UInt8(ascii: "t") || c == UInt8(ascii: " ") else { return false }
        s.i += 1
        return s.clock(&f, compact: true) && s.trailer(&f)
    }

    /// ISO 8601's basic format: `20261206T153502Z`, `20261206T153502.123+0900`.
    static func basic(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        guard let year = s.fixed(4), let month = s.fixed(2), let day = s.fixed(2) else { return false }
        f.year = year
        f.month = month
        f.day = day
        s.i += 1
        return s.clock(&f, compact: true) && s.trailer(&f)
    }

    /// `DATESTAMP_EVENTLOG`: `20261206153502` (`yyyyMMddHHmmss`), with a fraction or not. Fourteen
    /// digits (the first not 0) are always this, never epoch milliseconds: fourteen digits of
    /// milliseconds are beyond 2262.
    static func eventLog(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        guard let year = s.fixed(4), let month = s.fixed(2), let day = s.fixed(2), let hour = s.fixed(2),
            let minute = s.fixed(2), let second = s.fixed(2)
        else { return false }
        f.year = year
        f.month = month
        f.day = day
        f.hour = hour
        f.minute = minute
        f.second = second
        if s.peek() == UInt8(ascii: ".") || s.peek() == UInt8(ascii: ","), TimeScanner.isDigit(s.peek(1)) {
            s.i += 1
            f.nanos = s.fraction()
        }
        return s.atEnd
    }

    /// `DATESTAMP`: `DATE_US` or `DATE_EU`, `[- ]`, a time (`12/06/2026 15:35:02`,
    /// `06.12.2026 15:35:02`, `12-06-26-15:35`). Which number is the month: with a `.` between
    /// them (only `DATE_EU` allows one), or when the first is above 12, the second (day first);
    /// otherwise the first (month first, US), as Logstash's `DATE` tries `DATE_US` first.
    static func numericDate(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        guard let a = s.number(min: 1, max: 2) else { return false }
        let first = s.peek()
        s.i += 1
        guard let b = s.number(min: 1, max: 2) else { return false }
        let second = s.peek()
        guard second == UInt8(ascii: "/") || second == UInt8(ascii: "-") || second == UInt8(ascii: ".") else { return false }
        s.i += 1
        let digits = s.digitRun()
        guard digits == 2 || digits == 4, let year = s.fixed(digits) else { return false }
        f.year = digits == 2 ? Civil.expandTwoDigitYear(year) : year
        let dayFirst = first == UInt8(ascii: ".") || second == UInt8(ascii: ".") || a > 12
        f.month = dayFirst ? b : a
        f.day = dayFirst ? a : b
        if s.atEnd { return true }
        let c = s.peek()
        guard c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c | 0x20 == UInt8(ascii: "t") else { return false }
        s.i += 1
        return s.clock(&f, compact: false) && s.trailer(&f)
    }

    /// The forms with a month name, read as a sequence of parts in any of the orders they come
    /// in: `SYSLOGTIMESTAMP` (`Dec  6 15:35:02`), `CISCOTIMESTAMP` (`Dec  6 2026 15:35:02`),
    /// `HTTPDATE` (`06/Dec/2026:15:35:02 +0900`), HAProxy's `06/Dec/2026:15:35:02.123`,
    /// `DATESTAMP_RFC822` (`Sat Dec 06 2026 15:35:02 JST`), `DATESTAMP_RFC2822`
    /// (`Sat, 06 Dec 2026 15:35:02 +0900`), `DATESTAMP_OTHER` (`Sat Dec 06 15:35:02 JST 2026`),
    /// ctime and Apache's error log (`Sat Dec  6 15:35:02.123456 2026`), `CATALINA_DATESTAMP`
    /// (`Dec 6, 2026 3:35:02 PM`, `06-Dec-2026 15:35:02.123`), BIND's `06-Dec-2026 15:35:02.326`,
    /// Redis's `06 Dec 15:35:02.123` and `06 Dec 2026 15:35:02.123`, Bacula's `06-Dec 15:35`,
    /// JavaScript's `Sat Dec 06 2026 15:35:02 GMT+0900 (Japan Standard Time)`.
    ///
    /// Before the time: a day name (not checked against the date), a month name, the day (one
    /// or two digits), the year (four digits; two after the day), separated by spaces, `,`,
    /// `/`, `-`, `.` or `:`. The time: `H:mm[:ss[.fraction]]`. After it: `AM`/`PM`, a zone, the
    /// year, a comment in parentheses. Month and day are required; a missing year is inferred.
    static func textual(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        var sawTime = false, sawDayName = false
        while !s.atEnd {
            let c = s.peek()
            if sawTime, c == UInt8(ascii: "+") || c == UInt8(ascii: "-"), TimeScanner.isDigit(s.peek(1)) {
                guard f.offset == nil, f.namedZone == nil, let offset = s.offset() else { return false }
                f.offset = offset
                continue
            }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: ",")
                || (!sawTime && (c == UInt8(ascii: "/") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")))
            {
                s.i += 1
                continue
            }
            if TimeScanner.isDigit(c) {
                let run = s.digitRun()
                if !sawTime, run <= 2, s.peek(run) == UInt8(ascii: ":"), TimeScanner.isDigit(s.peek(run + 1)) {
                    guard s.clock(&f, compact: false) else { return false }
                    sawTime = true
                } else if run == 4, f.year == nil {
                    f.year = s.fixed(4)
                } else if run <= 2, f.day == nil, !sawTime {
                    f.day = s.fixed(run)
                } else if run == 2, f.year == nil, let year = s.fixed(2) {
                    f.year = Civil.expandTwoDigitYear(year)
                } else {
                    return false
                }
                continue
            }
            if TimeScanner.isLetter(c) {
                let save = s.i
                let word = s.letters()
                if f.month == nil, let month = TimeNames.month(word) {
                    f.month = month
                } else if !sawTime, !sawDayName, TimeNames.isDay(word) {
                    sawDayName = true
                } else if sawTime, f.meridiem == 0, let m = TimeNames.meridiem(word) {
                    f.meridiem = m
                } else if sawTime, f.offset == nil, f.namedZone == nil {
                    s.i = save
                    guard s.zone(&f, anyName: false) == true else { return false }
                } else {
                    return false
                }
                continue
            }
            if sawTime, c == UInt8(ascii: "(") { return s.comment() && f.month != nil && f.day != nil }
            return false
        }
        return f.month != nil && f.day != nil
    }

    /// A number: an epoch count, its unit decided by how many integer digits it has (leading
    /// zeros not counted): up to 11 seconds, 12–14 milliseconds, 15–17 microseconds, 18–19
    /// nanoseconds; more is nil. A sign and a `.` fraction are allowed; the fraction is of the
    /// unit, exact to the nanosecond (digits beyond dropped). Integers only, never a Double.
    /// `unit` (nanoseconds per unit, and the fraction digits that count) fixes the unit instead.
    static func epoch(_ s: inout TimeScanner, _ f: inout TimeFields, unit fixedUnit: (UInt64, Int)? = nil) -> Bool {
        var negative = false
        if s.peek() == UInt8(ascii: "-") || s.peek() == UInt8(ascii: "+") {
            negative = s.peek() == UInt8(ascii: "-")
            s.i += 1
        }
        let run = s.digitRun()
        guard run > 0 else { return false }
        var significant = 0
        var value: UInt64 = 0
        for _ in 0..<run {
            let digit = UInt64(s.peek() &- 0x30)
            s.i += 1
            if significant == 0, digit == 0 { continue }
            significant += 1
            guard significant <= 19 else { return false }
            value = value &* 10 &+ digit  // at most 19 digits: below 2^64
        }
        // Digits of the fraction that count, and the unit in nanoseconds.
        let (unit, places) = fixedUnit ?? magnitude(significant)
        var fraction: UInt64 = 0
        if s.peek() == UInt8(ascii: ".") {
            s.i += 1
            guard TimeScanner.isDigit(s.peek()) else { return false }
            var count = 0
            while TimeScanner.isDigit(s.peek()) {
                if count < places { fraction = fraction * 10 + UInt64(s.peek() &- 0x30) }
                count += 1
                s.i += 1
            }
            while count < places {
                fraction *= 10
                count += 1
            }
        }
        guard s.atEnd else { return false }
        let (scaled, o1) = value.multipliedReportingOverflow(by: unit)
        let (total, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { return false }
        if negative {
            guard total <= UInt64(Int64.max) + 1 else { return false }
            f.epochNanos = total == UInt64(Int64.max) + 1 ? Int64.min : -Int64(total)
        } else {
            guard total <= UInt64(Int64.max) else { return false }
            f.epochNanos = Int64(total)
        }
        return true
    }

    /// The unit of an epoch count with `digits` integer digits: nanoseconds per unit, and how
    /// many digits of a fraction of it are within a nanosecond.
    static func magnitude(_ digits: Int) -> (UInt64, Int) {
        switch digits {
        case ...11: return (1_000_000_000, 9)
        case 12...14: return (1_000_000, 6)
        case 15...17: return (1_000, 3)
        default: return (1, 0)
        }
    }
}
