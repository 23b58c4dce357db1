/// A rule's `time_format`, compiled once into the pieces a time written with it is made of.
///
/// Java-style patterns (`DateTimeFormatter`/`SimpleDateFormat` letters, as Datadog's `date()`
/// and ``JavaDatePattern`` take them): `y`/`u` year (`yy` two digits), `M`/`L` month (`M`, `MM`,
/// `MMM` abbreviation, `MMMM` name), `d` day, `D` day of year, `H` hour 0–23, `k` 1–24, `h` 1–12,
/// `K` 0–11, `m`, `s`, `S…S` fraction (as many digits as letters), `n` nano-of-second, `a`
/// AM/PM, `E` day name, `Z`/`X`/`x`/`O` offsets, `z`/`V` zone abbreviation or TZ database name,
/// `'quoted'` text (`''` a quote), `[optional]` sections. A space matches one or more spaces.
///
/// strftime patterns (there is a `%`): `%Y %m %d %e %H %k %I %l %M %S %f %N %b %h %B %a %A %y
/// %z %Z %j %p %s %T %F %D %R %r %c %n %t %%`, with the flags `-`, `_`, `0`, `^`, `#` ignored. As
/// `strptime` reads them: numbers need no leading zeros, `%b` and `%B` take the abbreviation or
/// the name, whitespace matches any amount (none too). `%f` (and `%N`) is a fraction of any
/// number of digits.
struct TimePattern: Sendable {
    /// A pattern as compiled: a tree (optional sections hold their pieces).
    indirect enum Piece: Sendable {
        case literal([UInt8])
        case space(minimum: Int)
        case number(NumberField, min: Int, max: Int, padded: Bool)
        case fraction(min: Int, max: Int)
        case monthName(full: Bool, either: Bool)
        case dayName(full: Bool, either: Bool)
        case meridiem
        case zone(anyName: Bool)
        case epochSeconds
        case optional([Piece])
    }

    enum NumberField: Sendable {
        case year, year2, month, day, dayOfYear, hour, hour1to24, hour12, hour0to11, minute, second, nano
    }

    /// A pattern as read: the tree flattened into plain values (no reference counting per line),
    /// literal text in ``literals``, an optional section followed by its `count` steps.
    enum Step: Sendable {
        case literal(start: Int, count: Int)
        case space(minimum: Int)
        case number(NumberField, min: Int, max: Int, padded: Bool)
        case fraction(min: Int, max: Int)
        case monthName(full: Bool, either: Bool)
        case dayName(full: Bool, either: Bool)
        case meridiem
        case zone(anyName: Bool)
        case epochSeconds
        case optional(count: Int)
    }

    let steps: [Step]
    let literals: [UInt8]

    init(pieces: [Piece]) {
        var steps: [Step] = []
        var literals: [UInt8] = []
        Self.flatten(pieces, into: &steps, literals: &literals)
        self.steps = steps
        self.literals = literals
    }

    private static func flatten(_ pieces: [Piece], into steps: inout [Step], literals: inout [UInt8]) {
        for piece in pieces {
            switch piece {
            case .literal(let bytes):
                steps.append(.literal(start: literals.count, count: bytes.count))
                literals += bytes
            case .space(let minimum): steps.append(.space(minimum: minimum))
            case .number(let field, let min, let max, let padded): steps.append(.number(field, min: min, max: max, padded: padded))
            case .fraction(let min, let max): steps.append(.fraction(min: min, max: max))
            case .monthName(let full, let either): steps.append(.monthName(full: full, either: either))
            case .dayName(let full, let either): steps.append(.dayName(full: full, either: either))
            case .meridiem: steps.append(.meridiem)
            case .zone(let anyName): steps.append(.zone(anyName: anyName))
            case .epochSeconds: steps.append(.epochSeconds)
            case .optional(let inner):
                let at = steps.count
                steps.append(.optional(count: 0))
                flatten(inner, into: &steps, literals: &literals)
                steps[at] = .optional(count: steps.count - at - 1)
            }
        }
    }

    /// Reads a time written with the pattern at the cursor into `f`; false when the text does
    /// not follow it. What is left after it is the caller's to check.
    func read(_ s: inout TimeScanner, _ f: inout TimeFields) -> Bool {
        steps.withUnsafeBufferPointer { steps in
            literals.withUnsafeBufferPointer { literals in
                Self.read(steps, 0..<steps.count, literals, &s, &f)
            }
        }
    }

    private static func read(
        _ steps: UnsafeBufferPointer<Step>, _ range: Range<Int>, _ literals: UnsafeBufferPointer<UInt8>,
        _ s: inout TimeScanner, _ f: inout TimeFields
    ) -> Bool {
        var k = range.lowerBound
        while k < range.upperBound {
            let step = steps[k]
            k += 1
            switch step {
            case .literal(let start, let count):
                for j in 0..<count where s.peek(j) != literals[start + j] { return false }
                s.i += count
            case .space(let minimum):
                guard s.skipSpaces() >= minimum else { return false }
            case .number(let field, let min, let max, let padded):
                if padded { s.skipSpaces() }
                guard let value = s.number(min: min, max: max) else { return false }
                switch field {
                case .year: f.year = value
                case .year2: f.year = Civil.expandTwoDigitYear(value)
                case .month: f.month = value
                case .day: f.day = value
                case .dayOfYear: f.dayOfYear = value
                case .hour: f.hour = value
                case .hour1to24: f.hour = value == 24 ? 0 : value
                case .hour12, .hour0to11:
                    f.hour = value
                    f.twelveHour = true
                case .minute: f.minute = value
                case .second: f.second = value
                case .nano: f.nanos = Int64(value)
                }
            case .fraction(let min, let max):
                let run = s.digitRun()
                guard run >= min else { return false }
                let digits = Swift.min(run, max)
                let from = s.i
                var value: Int64 = 0
                for j in 0..<Swift.min(digits, 9) { value = value * 10 + Int64(s.peek(j) &- 0x30) }
                for _ in Swift.min(digits, 9)..<9 { value *= 10 }
                s.i = from + digits
                f.nanos = value
            case .monthName(let full, let either):
                guard let month = TimeNames.readMonth(&s, full: full, either: either) else { return false }
                f.month = month
            case .dayName(let full, let either):
                guard TimeNames.readDay(&s, full: full, either: either) else { return false }
            case .meridiem:
                let m = TimeNames.readMeridiem(&s)
                guard m != 0 else { return false }
                f.meridiem = m
            case .zone(let anyName):
                guard s.zone(&f, anyName: anyName) == true else { return false }
            case .epochSeconds:
                let negative = s.peek() == UInt8(ascii: "-")
                if negative || s.peek() == UInt8(ascii: "+") { s.i += 1 }
                let run = s.digitRun()
                guard run >= 1, run <= 12 else { return false }
                var seconds: Int64 = 0
                for _ in 0..<run {
                    seconds = seconds * 10 + Int64(s.peek() &- 0x30)
                    s.i += 1
                }
                let (nanos, overflow) = seconds.multipliedReportingOverflow(by: Civil.nanosPerSecond)
                guard !overflow else { return false }
                f.epochNanos = negative ? -nanos : nanos
                f.epochNegative = negative
            case .optional(let count):
                let (at, saved) = (s.i, f)
                if !read(steps, k..<(k + count), literals, &s, &f) {
                    s.i = at
                    f = saved
                }
                k += count
            }
        }
        return true
    }

    // MARK: - Compiling

    /// What the pieces of a pattern give, to refuse patterns that cannot name an instant.
    private struct Coverage {
        var year = false, month = false, day = false, dayOfYear = false, time = false, epoch = false

        mutating func note(_ pieces: [Piece]) {
            for piece in pieces {
                switch piece {
                case .number(let field, _, _, _):
                    switch field {
                    case .year, .year2: year = true
                    case .month: month = true
                    case .day: day = true
                    case .dayOfYear: dayOfYear = true
                    default: time = true
                    }
                case .monthName: month = true
                case .epochSeconds: epoch = true
                case .fraction: time = true
                case .optional(let inner): note(inner)
                default: break
                }
            }
        }
    }

    private static func checked(_ pieces: [Piece], _ pattern: String) throws(TimeFormatError) -> TimePattern {
        var coverage = Coverage()
        coverage.note(pieces)
        guard coverage.year || coverage.month || coverage.day || coverage.dayOfYear || coverage.time || coverage.epoch else {
            throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' has no date or time field")
        }
        if coverage.day, !coverage.month, !coverage.epoch {
            throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' has a day of the month but no month")
        }
        return TimePattern(pieces: pieces)
    }

    private static func appendLiteral(_ bytes: [UInt8], to pieces: inout [Piece]) {
        if case .literal(let before)? = pieces.last {
            pieces[pieces.count - 1] = .literal(before + bytes)
        } else {
            pieces.append(.literal(bytes))
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// Compiles a Java-style pattern (see the type's documentation).
    static func java(_ pattern: String) throws(TimeFormatError) -> TimePattern {
        let b = Array(pattern.utf8)
        var stack: [[Piece]] = [[]]
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "'") {
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "'") {
                    appendLiteral([c], to: &stack[stack.count - 1])
                    i += 2
                    continue
                }
                var text: [UInt8] = []
                var j = i + 1
                var closed = false
                while j < b.count {
                    if b[j] == UInt8(ascii: "'") {
                        if j + 1 < b.count, b[j + 1] == UInt8(ascii: "'") {
                            text.append(b[j])
                            j += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    text.append(b[j])
                    j += 1
                }
                guard closed else { throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' has a quote that is not closed") }
                if !text.isEmpty { appendLiteral(text, to: &stack[stack.count - 1]) }
                i = j + 1
            } else if c == UInt8(ascii: "[") {
                stack.append([])
                i += 1
            } else if c == UInt8(ascii: "]") {
                guard stack.count > 1 else { throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' has a ']' without its '['") }
                let inner = stack.removeLast()
                stack[stack.count - 1].append(.optional(inner))
                i += 1
            } else if isSpace(c) {
                while i < b.count, isSpace(b[i]) { i += 1 }
                stack[stack.count - 1].append(.space(minimum: 1))
            } else if TimeScanner.isLetter(c) {
                var n = 1
                while i + n < b.count, b[i + n] == c { n += 1 }
                stack[stack.count - 1].append(try javaPiece(c, n, pattern))
                i += n
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "}") || c == UInt8(ascii: "#") {
                throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' uses '\(Character(UnicodeScalar(c)))', which Java reserves; quote it ('\(Character(UnicodeScalar(c)))')")
            } else {
                appendLiteral([c], to: &stack[stack.count - 1])
                i += 1
            }
        }
        guard stack.count == 1 else { throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' has a '[' that is not closed") }
        return try checked(stack[0], pattern)
    }

    private static func javaPiece(_ c: UInt8, _ n: Int, _ pattern: String) throws(TimeFormatError) -> Piece {
        func two(_ field: NumberField) throws(TimeFormatError) -> Piece {
            guard n <= 2 else { throw tooMany() }
            return .number(field, min: n, max: 2, padded: false)
        }
        func tooMany() -> TimeFormatError {
            TimeFormatError("time_format '\(ConfigError.excerpt(pattern))': too many '\(Character(UnicodeScalar(c)))' (\(n))")
        }
        switch c {
        case UInt8(ascii: "y"), UInt8(ascii: "u"):
            switch n {
            case 1: return .number(.year, min: 1, max: 4, padded: false)
            case 2: return .number(.year2, min: 2, max: 2, padded: false)
            default: return .number(.year, min: 4, max: 4, padded: false)
            }
        case UInt8(ascii: "M"), UInt8(ascii: "L"):
            switch n {
            case 1, 2: return .number(.month, min: n, max: 2, padded: false)
            case 3: return .monthName(full: false, either: false)
            case 4: return .monthName(full: true, either: false)
            default: throw tooMany()
            }
        case UInt8(ascii: "d"): return try two(.day)
        case UInt8(ascii: "D"):
            guard n <= 3 else { throw tooMany() }
            return .number(.dayOfYear, min: n, max: 3, padded: false)
        case UInt8(ascii: "H"): return try two(.hour)
        case UInt8(ascii: "k"): return try two(.hour1to24)
        case UInt8(ascii: "h"): return try two(.hour12)
        case UInt8(ascii: "K"): return try two(.hour0to11)
        case UInt8(ascii: "m"): return try two(.minute)
        case UInt8(ascii: "s"): return try two(.second)
        case UInt8(ascii: "S"): return .fraction(min: n, max: n)
        case UInt8(ascii: "n"):
            guard n <= 9 else { throw tooMany() }
            return .number(.nano, min: n, max: 9, padded: false)
        case UInt8(ascii: "a"):
            guard n == 1 else { throw tooMany() }
            return .meridiem
        case UInt8(ascii: "E"):
            guard n <= 4 else { throw tooMany() }
            return .dayName(full: n == 4, either: false)
        case UInt8(ascii: "Z"), UInt8(ascii: "X"), UInt8(ascii: "x"), UInt8(ascii: "O"): return .zone(anyName: false)
        case UInt8(ascii: "z"), UInt8(ascii: "V"): return .zone(anyName: true)
        default:
            throw TimeFormatError(
                "time_format '\(ConfigError.excerpt(pattern))': the letter '\(Character(UnicodeScalar(c)))' is not supported "
                    + "(supported: y u M L d D H k h K m s S n a E Z X x O z V; quote text: 'T')")
        }
    }

    /// Compiles a strftime pattern (see the type's documentation).
    static func strftime(_ pattern: String) throws(TimeFormatError) -> TimePattern {
        let b = Array(pattern.utf8)
        var pieces: [Piece] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if isSpace(c) {
                while i < b.count, isSpace(b[i]) { i += 1 }
                pieces.append(.space(minimum: 0))
                continue
            }
            guard c == UInt8(ascii: "%") else {
                appendLiteral([c], to: &pieces)
                i += 1
                continue
            }
            i += 1
            while i < b.count, [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "0"), UInt8(ascii: "^"), UInt8(ascii: "#")].contains(b[i]) {
                i += 1
            }
            guard i < b.count else { throw TimeFormatError("time_format '\(ConfigError.excerpt(pattern))' ends with a '%' and no directive") }
            let directive = b[i]
            i += 1
            if directive == UInt8(ascii: "%") {
                appendLiteral([directive], to: &pieces)
                continue
            }
            guard let expansion = strftimePieces(directive) else {
                let shown = directive < 0x80 ? String(Character(UnicodeScalar(directive))) : "\\x\(String(directive, radix: 16))"
                throw TimeFormatError(
                    "time_format '\(ConfigError.excerpt(pattern))': the directive '%\(shown)' is not supported "
                        + "(supported: %Y %m %d %e %H %k %I %l %M %S %f %N %b %h %B %a %A %y %z %Z %j %p %s %T %F %D %R %r %c %n %t %%)")
            }
            for piece in expansion {
                if case .literal(let bytes) = piece { appendLiteral(bytes, to: &pieces) } else { pieces.append(piece) }
            }
        }
        return try checked(pieces, pattern)
    }

    private static func strftimePieces(_ d: UInt8) -> [Piece]? {
        func number(_ field: NumberField, _ max: Int, padded: Bool = false) -> Piece {
            .number(field, min: 1, max: max, padded: padded)
        }
        let colon = Piece.literal([UInt8(ascii: ":")])
        switch d {
        case UInt8(ascii: "Y"): return [.number(.year, min: 4, max: 4, padded: false)]
        case UInt8(ascii: "y"): return [number(.year2, 2)]
        case UInt8(ascii: "m"): return [number(.month, 2)]
        case UInt8(ascii: "d"): return [number(.day, 2)]
        case UInt8(ascii: "e"): return [number(.day, 2, padded: true)]
        case UInt8(ascii: "j"): return [number(.dayOfYear, 3)]
        case UInt8(ascii: "H"): return [number(.hour, 2)]
        case UInt8(ascii: "k"): return [number(.hour, 2, padded: true)]
        case UInt8(ascii: "I"): return [number(.hour12, 2)]
        case UInt8(ascii: "l"): return [number(.hour12, 2, padded: true)]
        case UInt8(ascii: "M"): return [number(.minute, 2)]
        case UInt8(ascii: "S"): return [number(.second, 2)]
        case UInt8(ascii: "f"), UInt8(ascii: "N"): return [.fraction(min: 1, max: Int.max)]
        case UInt8(ascii: "b"), UInt8(ascii: "h"), UInt8(ascii: "B"): return [.monthName(full: false, either: true)]
        case UInt8(ascii: "a"), UInt8(ascii: "A"): return [.dayName(full: false, either: true)]
        case UInt8(ascii: "p"): return [.meridiem]
        case UInt8(ascii: "z"): return [.zone(anyName: false)]
        case UInt8(ascii: "Z"): return [.zone(anyName: true)]
        case UInt8(ascii: "s"): return [.epochSeconds]
        case UInt8(ascii: "T"): return [number(.hour, 2), colon, number(.minute, 2), colon, number(.second, 2)]
        case UInt8(ascii: "R"): return [number(.hour, 2), colon, number(.minute, 2)]
        case UInt8(ascii: "r"):
            return [number(.hour12, 2), colon, number(.minute, 2), colon, number(.second, 2), .space(minimum: 0), .meridiem]
        case UInt8(ascii: "F"):
            let dash = Piece.literal([UInt8(ascii: "-")])
            return [.number(.year, min: 4, max: 4, padded: false), dash, number(.month, 2), dash, number(.day, 2)]
        case UInt8(ascii: "D"):
            let slash = Piece.literal([UInt8(ascii: "/")])
            return [number(.month, 2), slash, number(.day, 2), slash, number(.year2, 2)]
        case UInt8(ascii: "c"):
            return [
                .dayName(full: false, either: true), .space(minimum: 0), .monthName(full: false, either: true), .space(minimum: 0),
                number(.day, 2, padded: true), .space(minimum: 0), number(.hour, 2), colon, number(.minute, 2), colon,
                number(.second, 2), .space(minimum: 0), .number(.year, min: 4, max: 4, padded: false),
            ]
        case UInt8(ascii: "n"), UInt8(ascii: "t"): return [.space(minimum: 0)]
        default: return nil
        }
    }
}
