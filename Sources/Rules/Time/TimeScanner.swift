/// A cursor over the bytes of a time, with the pieces every format shares: numbers, fractions,
/// clock times, month and day names, offsets and zones. Reads never pass the end: `peek` gives
/// 0 there, which no piece accepts.
struct TimeScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }

    /// The byte at the cursor, 0 at the end.
    @inline(__always)
    func peek() -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    /// The byte `k` past the cursor, 0 past the end.
    @inline(__always)
    func peek(_ k: Int) -> UInt8 {
        let j = i &+ k
        return j >= 0 && j < bytes.count ? bytes[j] : 0
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }

    /// How many digits follow the cursor (not consumed).
    @inline(__always)
    func digitRun() -> Int {
        var k = 0
        while Self.isDigit(peek(k)) { k += 1 }
        return k
    }

    /// Exactly `count` digits (at most 9), or nil with the cursor unchanged.
    @inline(__always)
    mutating func fixed(_ count: Int) -> Int? {
        var value = 0
        for k in 0..<count {
            let c = peek(k)
            guard Self.isDigit(c) else { return nil }
            value = value * 10 + Int(c &- 0x30)
        }
        i += count
        return value
    }

    /// `min` to `max` digits (as many as there are, up to `max`; `max` at most 9), or nil.
    @inline(__always)
    mutating func number(min: Int, max: Int) -> Int? {
        let run = Swift.min(digitRun(), max)
        guard run >= min else { return nil }
        return fixed(run)
    }

    /// Skips spaces (and tabs); how many.
    @discardableResult
    mutating func skipSpaces() -> Int {
        let from = i
        while peek() == 0x20 || peek() == 0x09 { i += 1 }
        return i - from
    }

    /// The digits of a fraction of a second, in nanoseconds; digits past the ninth are read and
    /// dropped.
    @inline(__always)
    mutating func fraction() -> Int64 {
        var value: Int64 = 0
        var count = 0
        while Self.isDigit(peek()) {
            if count < 9 { value = value * 10 + Int64(peek() &- 0x30) }
            count += 1
            i += 1
        }
        while count < 9 {
            value *= 10
            count += 1
        }
        return value
    }

    /// The run of ASCII letters at the cursor (consumed).
    mutating func letters() -> UnsafeBufferPointer<UInt8> {
        let from = i
        while Self.isLetter(peek()) { i += 1 }
        return UnsafeBufferPointer(rebasing: bytes[from..<i])
    }

    /// A clock time at the cursor: `H:mm`, `H:mm:ss`, with a fraction after the seconds (`.`
    /// or `,`, any number of digits). With `compact`, as ISO 8601 and Logstash's
    /// `TIMESTAMP_ISO8601` also allow: `HHmm`, `HHmmss`, `Hmm`, `Hmmss`, `HH`, `HHmm:ss`,
    /// `HH:mmss`.
    mutating func clock(_ f: inout TimeFields, compact: Bool) -> Bool {
        let run = digitRun()
        var seconds = false
        if peek(run) == UInt8(ascii: ":") {
            guard run == 1 || run == 2, let hour = fixed(run) else { return false }
            i += 1
            guard digitRun() == 2 || (compact && digitRun() == 4), let minute = fixed(2) else { return false }
            f.hour = hour
            f.minute = minute
            if peek() == UInt8(ascii: ":"), Self.isDigit(peek(1)) {
                i += 1
                let run = digitRun()
                guard run == 1 || run == 2, let second = fixed(run) else { return false }
                f.second = second
                seconds = true
            } else if compact, digitRun() == 2, let second = fixed(2) {
                f.second = second
                seconds = true
            }
        } else {
            guard compact else { return false }
            let hourDigits = run % 2 == 0 ? 2 : 1
            guard (2...6).contains(run), let hour = fixed(hourDigits) else { return false }
            f.hour = hour
            if run >= 3, let minute = fixed(2) { f.minute = minute }
            if run >= 5, let second = fixed(2) {
                f.second = second
                seconds = true
            } else if run >= 3, peek() == UInt8(ascii: ":"), Self.isDigit(peek(1)) {
                i += 1
                let run = digitRun()
                guard run == 1 || run == 2, let second = fixed(run) else { return false }
                f.second = second
                seconds = true
            }
        }
        if seconds, peek() == UInt8(ascii: ".") || peek() == UInt8(ascii: ","), Self.isDigit(peek(1)) {
            i += 1
            f.nanos = fraction()
        }
        return !Self.isDigit(peek())
    }

    /// A numeric offset at the cursor: `±h`, `±hh`, `±hmm`, `±hhmm`, `±hh:mm`, `±hhmmss`,
    /// `±hh:mm:ss`, at most 18 hours; in seconds east of UTC.
    mutating func offset() -> Int64? {
        let sign = peek()
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let save = i
        i += 1
        var hours = 0, minutes = 0, seconds = 0
        switch digitRun() {
        case 1, 2:
            hours = fixed(digitRun())!
            if peek() == UInt8(ascii: ":"), Self.isDigit(peek(1)) {
                i += 1
                guard digitRun() == 2 else { i = save; return nil }
                minutes = fixed(2)!
                if peek() == UInt8(ascii: ":"), Self.isDigit(peek(1)) {
                    i += 1
                    guard digitRun() == 2 else { i = save; return nil }
                    seconds = fixed(2)!
                }
            }
        case 3:
            hours = fixed(1)!
            minutes = fixed(2)!
        case 4:
            hours = fixed(2)!
            minutes = fixed(2)!
        case 6:
            hours = fixed(2)!
            minutes = fixed(2)!
            seconds = fixed(2)!
        default:
            i = save
            return nil
        }
        let total = hours * 3600 + minutes * 60 + seconds
        guard minutes < 60, seconds < 60, total <= 18 * 3600 else {
            i = save
            return nil
        }
        return Int64(sign == UInt8(ascii: "-") ? -total : total)
    }

    /// A zone at the cursor, into `f`: `Z`, a numeric offset, `UTC`/`GMT`/`UT` with or without
    /// an offset after it (`GMT+09:00`), an abbreviation (``ZoneAbbreviation``), or a TZ
    /// database name (`Europe/Berlin`; with `anyName`, one without a `/` too: `Japan`).
    /// Nil when no zone starts here (cursor unchanged); false when one does but is unknown.
    mutating func zone(_ f: inout TimeFields, anyName: Bool) -> Bool? {
        let c = peek()
        if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            guard Self.isDigit(peek(1)) else { return nil }
            guard let offset = offset() else { return false }
            f.offset = offset
            return true
        }
        guard Self.isLetter(c) else { return nil }
        let save = i
        let word = letters()
        if Self.isUniversal(word), peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-"), Self.isDigit(peek(1)) {
            guard let offset = offset() else { return false }
            f.offset = offset
            return true
        }
        if peek() != UInt8(ascii: "/"), !Self.isDigit(peek()), let offset = ZoneAbbreviation.offset(word) {
            f.offset = offset
            return true
        }
        guard peek() == UInt8(ascii: "/") || anyName else {
            i = save
            return false
        }
        while Self.isLetter(peek()) || Self.isDigit(peek()) || peek() == UInt8(ascii: "/") || peek() == UInt8(ascii: "_")
            || peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-")
        {
            i += 1
        }
        guard let zone = ZoneRule.named(UnsafeBufferPointer(rebasing: bytes[save..<i])) else {
            i = save
            return false
        }
        f.namedZone = zone
        return true
    }

    /// What may follow a time: spaces, a zone, a TZ database name in brackets (java.time's
    /// `2026-12-06T15:35:02+01:00[Europe/Berlin]`: the offset wins when there is one), a
    /// comment in parentheses (`GMT+0900 (Japan Standard Time)`), then the end.
    mutating func trailer(_ f: inout TimeFields) -> Bool {
        skipSpaces()
        if atEnd { return true }
        if peek() != UInt8(ascii: "[") {
            guard zone(&f, anyName: false) == true else { return false }
            skipSpaces()
        }
        if peek() == UInt8(ascii: "[") {
            let from = i + 1
            while !atEnd, peek() != UInt8(ascii: "]") { i += 1 }
            guard peek() == UInt8(ascii: "]") else { return false }
            let name = UnsafeBufferPointer(rebasing: bytes[from..<i])
            i += 1
            if f.offset == nil {
                guard let zone = ZoneRule.named(name) else { return false }
                f.namedZone = zone
            }
            skipSpaces()
        }
        return comment()
    }

    /// A comment in parentheses to the end (`(Japan Standard Time)`), or the end.
    mutating func comment() -> Bool {
        if peek() == UInt8(ascii: "("), bytes[bytes.count - 1] == UInt8(ascii: ")") { i = bytes.count }
        return atEnd
    }

    /// `UTC`, `GMT`, `UT`, in any case.
    static func isUniversal(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        switch word.count {
        case 2: return word[0] & 0xDF == UInt8(ascii: "U") && word[1] & 0xDF == UInt8(ascii: "T")
        case 3:
            let a = word[0] & 0xDF, b = word[1] & 0xDF, c = word[2] & 0xDF
            return (a == UInt8(ascii: "U") && b == UInt8(ascii: "T") && c == UInt8(ascii: "C"))
                || (a == UInt8(ascii: "G") && b == UInt8(ascii: "M") && c == UInt8(ascii: "T"))
        default: return false
        }
    }
}

/// English month and day names, as Logstash's `MONTH` and `DAY` match them.
enum TimeNames {
    static let months: [[UInt8]] = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                                    "october", "november", "december"].map { Array($0.utf8) }
    static let days: [[UInt8]] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        .map { Array($0.utf8) }

    /// Whether `word` (any case) is `name` or its first `count` letters.
    @inline(__always)
    static func matches(_ word: UnsafeBufferPointer<UInt8>, _ name: [UInt8], prefix count: Int) -> Bool {
        guard word.count == count || word.count == name.count, word.count <= name.count else { return false }
        for k in 0..<word.count where word[k] | 0x20 != name[k] { return false }
        return true
    }

    /// The month (1–12) `word` names: the three-letter abbreviation, the full name, or `Sept`.
    static func month(_ word: UnsafeBufferPointer<UInt8>) -> Int? {
        guard word.count >= 3, word.count <= 9 else { return nil }
        for (index, name) in months.enumerated() {
            if matches(word, name, prefix: 3) || (index == 8 && matches(word, name, prefix: 4)) { return index + 1 }
        }
        return nil
    }

    /// Whether `word` names a day: abbreviation, full name, `Tues`, `Thur`, `Thurs`.
    static func isDay(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard word.count >= 3, word.count <= 9 else { return false }
        for (index, name) in days.enumerated() {
            if matches(word, name, prefix: 3) { return true }
            if index == 1, matches(word, name, prefix: 4) { return true }
            if index == 3, matches(word, name, prefix: 4) || matches(word, name, prefix: 5) { return true }
        }
        return false
    }

    /// The month at the cursor, for a format's month-name field: `full` takes the full name,
    /// otherwise the abbreviation; `either` takes both (the full name first).
    static func readMonth(_ s: inout TimeScanner, full: Bool, either: Bool) -> Int? {
        for (index, name) in months.enumerated() {
            if full || either, prefix(s, name, name.count) {
                s.i += name.count
                return index + 1
            }
            if !full || either, prefix(s, name, 3) {
                s.i += 3
                return index + 1
            }
        }
        return nil
    }

    /// A day name at the cursor, as `readMonth` reads months.
    static func readDay(_ s: inout TimeScanner, full: Bool, either: Bool) -> Bool {
        for name in days {
            if full || either, prefix(s, name, name.count) {
                s.i += name.count
                return true
            }
            if !full || either, prefix(s, name, 3) {
                s.i += 3
                return true
            }
        }
        return false
    }

    @inline(__always)
    static func prefix(_ s: TimeScanner, _ name: [UInt8], _ count: Int) -> Bool {
        for k in 0..<count where s.peek(k) | 0x20 != name[k] { return false }
        return true
    }

    /// `AM` or `PM` (any case) as a word: 1 or 2, or nil.
    static func meridiem(_ word: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard word.count == 2, word[1] | 0x20 == UInt8(ascii: "m") else { return nil }
        switch word[0] | 0x20 {
        case UInt8(ascii: "a"): return 1
        case UInt8(ascii: "p"): return 2
        default: return nil
        }
    }

    /// `AM` or `PM` (any case) at the cursor: 1 or 2, or 0.
    static func readMeridiem(_ s: inout TimeScanner) -> UInt8 {
        let a = s.peek() | 0x20, m = s.peek(1) | 0x20
        guard m == UInt8(ascii: "m"), a == UInt8(ascii: "a") || a == UInt8(ascii: "p") else { return 0 }
        s.i += 2
        return a == UInt8(ascii: "a") ? 1 : 2
    }
}
