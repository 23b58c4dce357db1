import Foundation

/// Turns a Java `DateTimeFormatter`/`SimpleDateFormat` pattern, as Datadog's `date()` matcher
/// takes, into a regular expression that matches dates written with it.
///
/// Supported letters: `y` (year), `M` (month: `M`/`MM` digits, `MMM` abbreviation, `MMMM` name),
/// `d` (day), `H`/`k` (hour 0–23/1–24), `h`/`K` (hour 1–12/0–11), `m`, `s`, `S` (fraction),
/// `a` (AM/PM), `E` (day name), `Z`/`X`/`x`/`O` (offsets), `z`/`V` (zone abbreviation or ID), and
/// `'quoted'` text. ``epochMillis(_:pattern:zone:)`` reads a date written with the pattern.
package enum JavaDatePattern {
    package static func regex(_ pattern: String, offset: Int) throws(GrokError) -> String {
        let chars = Array(pattern)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                let (text, next) = quoted(chars, at: i)
                out += DatadogMatchers.literal(text)
                i = next
                continue
            }
            guard c.isLetter, c.isASCII else {
                out += DatadogMatchers.literal(String(c))
                i += 1
                continue
            }
            var n = 1
            while i + n < chars.count, chars[i + n] == c { n += 1 }
            out += try piece(c, n, offset: offset)
            i += n
        }
        return "(?:\(out))"
    }

    /// An offset as Joda reads one for `Z`: `Z`, `+hh`, `+hhmm`, `+hh:mm`.
    static let offsetRegex = "(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)"

    private static func piece(_ c: Character, _ n: Int, offset: Int) throws(GrokError) -> String {
        switch c {
        case "y", "u": return n == 2 ? "[0-9]{2}" : "[0-9]{4}"
        case "M", "L":
            switch n {
            case 1: return "(?:1[0-2]|0?[1-9])"
            case 2: return "(?:0[1-9]|1[0-2])"
            case 3: return "(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
            default: return "(?i:january|february|march|april|may|june|july|august|september|october|november|december)"
            }
        case "d": return n == 1 ? "(?:3[01]|[12][0-9]|0?[1-9])" : "(?:0[1-9]|[12][0-9]|3[01])"
        case "D": return "[0-9]{1,3}"
        case "H", "k": return n == 1 ? "(?:2[0-4]|[01]?[0-9])" : "(?:[01][0-9]|2[0-4])"
        case "h", "K": return n == 1 ? "(?:1[0-2]|0?[0-9])" : "(?:0[0-9]|1[0-2])"
        case "m": return n == 1 ? "[0-5]?[0-9]" : "[0-5][0-9]"
        case "s": return n == 1 ? "(?:60|[0-5]?[0-9])" : "(?:60|[0-5][0-9])"
        case "S": return "[0-9]{\(n)}"
        case "a": return "(?i:am|pm)"
        case "E": return n <= 3 ? "(?i:mon|tue|wed|thu|fri|sat|sun)" : "(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
        // Offsets. Joda (Datadog's parser) reads `Z` and `ZZ` leniently: `+0900`, `-03:00`,
        // `+09` or `Z` whatever the count; `ZZZ` is a zone ID in Joda, `+0000` in java.time.
        case "Z":
            switch n {
            case 3: return "(?:\(offsetRegex)|[A-Za-z][A-Za-z0-9/_+-]*)"
            case 4: return "(?:(?:GMT|UTC)?\(offsetRegex)|GMT|UTC)"
            default: return offsetRegex
            }
        case "X":
            switch n {
            case 1: return "(?:Z|[+-][0-9]{2}(?:[0-9]{2})?)"
            case 2: return "(?:Z|[+-][0-9]{4})"
            default: return "(?:Z|[+-][0-9]{2}:[0-9]{2})"
            }
        case "x":
            switch n {
            case 1: return "[+-][0-9]{2}(?:[0-9]{2})?"
            case 2: return "[+-][0-9]{4}"
            default: return "[+-][0-9]{2}:[0-9]{2}"
            }
        case "O": return "(?:GMT(?:[+-][0-9]{1,2}(?::[0-9]{2})?)?)"
        case "V": return "[A-Za-z][A-Za-z0-9/_+-]*"
        case "z": return "[A-Za-z][A-Za-z0-9/_+-]*"
        default:
            throw GrokError(.unsupported, "date pattern letter '\(c)' is not supported (supported: y u M L d D H k h K m s S a E Z X x O V z)", offset: offset)
        }
    }
}

// MARK: - Reading dates

extension JavaDatePattern {
    /// A time zone: a fixed offset, or one from the TZ database (its offset depends on the date).
    package enum Zone: Sendable, Hashable {
        case fixed(seconds: Int)
        case named(TimeZone)

        /// The offset of the wall-clock time `local` (seconds since 1970 as if it were UTC).
        func offset(forLocal local: Int64) -> Int {
            switch self {
            case .fixed(let seconds): return seconds
            case .named(let zone):
                let first = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local)))
                let second = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - Int64(first))))
                return second
            }
        }
    }

    /// Zone abbreviations as `z` reads them (fixed offsets, in minutes).
    static let abbreviations: [String: Int] = [
        "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "IST": 330, "CET": 60, "CEST": 120,
        "MET": 60, "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "EST": -300, "EDT": -240, "CST": -360,
        "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
        "AST": -240, "ADT": -180, "NST": -210, "NDT": -150, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
        "AWST": 480, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    ]

    /// The zone `text` names: `GMT`, `UTC`, `UT`, `Z`; `+h`, `+hh`, `+hh:mm`, `+hhmm`,
    /// `+hh:mm:ss`, `+hhmmss` (at most 18 hours); those after `UTC`, `GMT` or `UT`; a zone
    /// abbreviation (`ADT`); a TZ database name (`Europe/Paris`). `nil` for anything else.
    package static func zone(named text: String) -> Zone? {
        if let minutes = abbreviations[text.uppercased()] { return .fixed(seconds: minutes * 60) }
        for prefix in ["UTC", "GMT", "UT"] where text.count > prefix.count && text.uppercased().hasPrefix(prefix) {
            let rest = text.dropFirst(prefix.count)
            if rest.first == "+" || rest.first == "-" { return offsetSeconds(String(rest)).map { .fixed(seconds: $0) } }
        }
        if text.first == "+" || text.first == "-" { return offsetSeconds(text).map { .fixed(seconds: $0) } }
        guard text.utf8.count <= 64, text.utf8.allSatisfy({ $0 < 0x80 }), let zone = TimeZone(identifier: text) else { return nil }
        return .named(zone)
    }

    /// `+h`, `+hh`, `+hhmm`, `+hh:mm`, `+hhmmss`, `+hh:mm:ss` (and `-`) in seconds.
    static func offsetSeconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), bytes.count <= 9 else { return nil }
        let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let d = digits.map { Int($0 - 0x30) }
        // Colons only between pairs of digits.
        let colons = bytes.dropFirst().enumerated().filter { $0.element == UInt8(ascii: ":") }.map(\.offset)
        guard colons.allSatisfy({ $0 == 2 || $0 == 5 }) else { return nil }
        var hours = 0, minutes = 0, seconds = 0
        switch d.count {
        case 1: hours = d[0]
        case 2: hours = d[0] * 10 + d[1]
        case 4: hours = d[0] * 10 + d[1]; minutes = d[2] * 10 + d[3]
        case 6: hours = d[0] * 10 + d[1]; minutes = d[2] * 10 + d[3]; seconds = d[4] * 10 + d[5]
        default: return nil
        }
        guard minutes < 60, seconds < 60 else { return nil }
        let total = hours * 3600 + minutes * 60 + seconds
        guard total <= 18 * 3600 else { return nil }
        return sign == UInt8(ascii: "-") ? -total : total
    }

    enum Token {
        case literal([UInt8])
        case field(Character, Int)
    }

    /// The pattern as literal text and letter runs.
    static func tokens(_ pattern: String) -> [Token] {
        let chars = Array(pattern)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                let (text, next) = quoted(chars, at: i)
                tokens.append(.literal(Array(text.utf8)))
                i = next
                continue
            }
            guard c.isLetter, c.isASCII else {
                tokens.append(.literal(Array(String(c).utf8)))
                i += 1
                continue
            }
            var n = 1
            while i + n < chars.count, chars[i + n] == c { n += 1 }
            tokens.append(.field(c, n))
            i += n
        }
        return tokens
    }

    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december"]
    static let dayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// The date `text`, written with the Java pattern `pattern`, as milliseconds since 1970
    /// (UTC). A date without an offset or zone is in `zone` (UTC when `nil`). A date without a
    /// year is in the current year when it has a month or day, in 1970 when it is only a time
    /// (as Datadog does). `nil` when the text does not follow the pattern or is not a date.
    package static func epochMillis(_ text: String, pattern: String, zone: Zone?, now: Date = Date()) -> Int64? {
        let bytes = Array(text.utf8)
        var i = 0
        var year: Int?, month = 1, day = 1, dayOfYear: Int?
        var hour = 0, minute = 0, second = 0, millis = 0
        var pm: Bool?
        var twelveHour = false
        var parsedZone: Zone?
        var sawMonthOrDay = false

        func digits(_ min: Int, _ max: Int) -> Int? {
            var value = 0
            var count = 0
            while count < max, i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                value = value * 10 + Int(bytes[i] - 0x30)
                count += 1
                i += 1
            }
            return count >= min ? value : nil
        }
        func word(_ names: [String], abbreviated: Bool) -> Int? {
            for (index, name) in names.enumerated() {
                let candidate = Array((abbreviated ? String(name.prefix(3)) : name).utf8)
                guard i + candidate.count <= bytes.count else { continue }
                var same = true
                for k in 0..<candidate.count where bytes[i + k] | 0x20 != candidate[k] {
                    same = false
                    break
                }
                if same {
                    i += candidate.count
                    return index
                }
            }
            return nil
        }

        for token in tokens(pattern) {
            switch token {
            case .literal(let literal):
                guard i + literal.count <= bytes.count, Array(bytes[i..<(i + literal.count)]) == literal else { return nil }
                i += literal.count
            case .field(let c, let n):
                switch c {
                case "y", "u":
                    if n == 2 {
                        guard let y = digits(2, 2) else { return nil }
                        year = y < 50 ? 2000 + y : 1900 + y
                    } else {
                        guard let y = digits(4, 4) else { return nil }
                        year = y
                    }
                case "M", "L":
                    sawMonthOrDay = true
                    switch n {
                    case 1: guard let m = digits(1, 2) else { return nil }; month = m
                    case 2: guard let m = digits(2, 2) else { return nil }; month = m
                    default:
                        guard let m = word(monthNames, abbreviated: n == 3) else { return nil }
                        month = m + 1
                    }
                case "d":
                    sawMonthOrDay = true
                    guard let d = n == 1 ? digits(1, 2) : digits(2, 2) else { return nil }
                    day = d
                case "D":
                    sawMonthOrDay = true
                    guard let d = digits(1, 3) else { return nil }
                    dayOfYear = d
                case "H", "k":
                    guard let h = n == 1 ? digits(1, 2) : digits(2, 2) else { return nil }
                    hour = c == "k" && h == 24 ? 0 : h
                case "h", "K":
                    guard let h = n == 1 ? digits(1, 2) : digits(2, 2) else { return nil }
                    hour = h
                    twelveHour = true
                case "m":
                    guard let m = n == 1 ? digits(1, 2) : digits(2, 2) else { return nil }
                    minute = m
                case "s":
                    guard let s = n == 1 ? digits(1, 2) : digits(2, 2) else { return nil }
                    second = s
                case "S":
                    // A fraction of a second: its first three digits are milliseconds.
                    let from = i
                    guard digits(n, n) != nil else { return nil }
                    var ms = 0
                    for k in 0..<3 { ms = ms * 10 + (from + k < i ? Int(bytes[from + k] - 0x30) : 0) }
                    millis = ms
                case "a":
                    guard i + 2 <= bytes.count else { return nil }
                    let marker = bytes[i] | 0x20, m = bytes[i + 1] | 0x20
                    guard m == UInt8(ascii: "m"), marker == UInt8(ascii: "a") || marker == UInt8(ascii: "p") else { return nil }
                    pm = marker == UInt8(ascii: "p")
                    i += 2
                case "E":
                    guard word(dayNames, abbreviated: n <= 3) != nil else { return nil }
                case "Z", "X", "x", "z", "O", "V":
                    let from = i
                    while i < bytes.count, (bytes[i] >= 0x30 && bytes[i] <= 0x3A) || (bytes[i] | 0x20 >= 0x61 && bytes[i] | 0x20 <= 0x7A)
                        || bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "/")
                        || bytes[i] == UInt8(ascii: "_")
                    {
                        i += 1
                    }
                    guard i > from, let z = Self.zone(named: String(decoding: bytes[from..<i], as: UTF8.self)) else { return nil }
                    parsedZone = z
                default:
                    return nil
                }
            }
        }
        guard i == bytes.count else { return nil }
        if twelveHour {
            guard hour <= 12 else { return nil }
            if hour == 12 { hour = 0 }
            if pm == true { hour += 12 }
        } else if let pm, hour < 12, pm {
            hour += 12
        }
        let y = year ?? (sawMonthOrDay ? currentYear(now) : 1970)
        guard (1...12).contains(month), hour < 24, minute < 60, second <= 60 else { return nil }
        var days: Int64
        if let dayOfYear {
            guard (1...(isLeap(y) ? 366 : 365)).contains(dayOfYear) else { return nil }
            days = daysFromCivil(y, 1, 1) + Int64(dayOfYear - 1)
        } else {
            guard day >= 1, day <= daysIn(month, y) else { return nil }
            days = daysFromCivil(y, month, day)
        }
        // Every part is bounded (a four-digit year), so this cannot overflow.
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let offset = (parsedZone ?? zone ?? .fixed(seconds: 0)).offset(forLocal: local)
        return (local - Int64(offset)) * 1000 + Int64(millis)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given date (proleptic Gregorian; Howard Hinnant's algorithm).
    /// The literal text of a quote at `i`: `''` is a quote; `'text'` is text, in which `''` is a
    /// quote too. Returns the text and where the pattern goes on.
    static func quoted(_ chars: [Character], at i: Int) -> (text: String, next: Int) {
        if i + 1 < chars.count, chars[i + 1] == "'" { return ("'", i + 2) }
        var j = i + 1
        var text = ""
        while j < chars.count {
            if chars[j] == "'" {
                guard j + 1 < chars.count, chars[j + 1] == "'" else { break }
                text.append("'")
                j += 2
                continue
            }
            text.append(chars[j])
            j += 1
        }
        return (text, j + 1)
    }

    package static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func currentYear(_ now: Date) -> Int {
        let days = Int64((now.timeIntervalSince1970 / 86_400).rounded(.down))
        // civil from days (Hinnant)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
    }
}
