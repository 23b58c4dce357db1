/// Turns a Java `DateTimeFormatter`/`SimpleDateFormat` pattern, as Datadog's `date()` matcher
/// takes, into a regular expression that matches dates written with it.
///
/// Supported letters: `y` (year), `M` (month: `M`/`MM` digits, `MMM` abbreviation, `MMMM` name),
/// `d` (day), `H`/`k` (hour 0–23/1–24), `h`/`K` (hour 1–12/0–11), `m`, `s`, `S` (fraction),
/// `a` (AM/PM), `E` (day name), `Z`/`X`/`x` (offsets), `z` (zone abbreviation), and `'quoted'` text.
package enum JavaDatePattern {
    package static func regex(_ pattern: String, offset: Int) throws(GrokError) -> String {
        let chars = Array(pattern)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                // '' is a quote; 'text' is literal text, in which '' is a quote too.
                if i + 1 < chars.count, chars[i + 1] == "'" {
                    out += "'"
                    i += 2
                    continue
                }
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
                out += DatadogMatchers.literal(text)
                i = j + 1
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
        case "Z":
            return n <= 3 ? "[+-][0-9]{4}" : "(?:Z|[+-][0-9]{2}:[0-9]{2})"
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
        case "z": return "[A-Za-z][A-Za-z0-9/_+-]*"
        default:
            throw GrokError(.unsupported, "date pattern letter '\(c)' is not supported (supported: y M d D H k h K m s S a E Z X x z)", offset: offset)
        }
    }
}
