/// Text from outside (log lines, span names and tags, file names, error messages that quote
/// them) made safe to print on a terminal: every character a terminal acts on instead of
/// showing is written as a visible escape. A log line then cannot set the window title
/// (`ESC ] 0 ; … BEL`), clear the screen, colour what follows, hide a hyperlink (OSC 8),
/// overwrite the line with a carriage return, or reorder what is shown (Trojan Source). This
/// is kubectl's rule since CVE-2021-25743, widened to C1 controls, line separators and bidi
/// controls.
///
/// What is written for what:
/// - `\t`: as it is (it only moves to a tab stop).
/// - `\n`, `\r`: `\n`, `\r`.
/// - the other C0 controls (U+0000–U+001F) and DEL: `\xNN`; ESC is `\x1b`, BEL `\x07`, DEL `\x7f`.
/// - the C1 controls (U+0080–U+009F, U+009B is a one-character CSI): `\u0085`, `\u009b`.
/// - U+2028 and U+2029 (line and paragraph separators): `\u2028`, `\u2029`.
/// - bidi controls, U+202A–U+202E, U+2066–U+2069, U+200E, U+200F and U+061C: `\u202e`.
///
/// Bytes that are not UTF-8 are already U+FFFD when they reach a `String`
/// (`String(decoding:as:)`).
///
/// A backslash stays as it is. Paths, regular expressions and JSON quoted in log lines stay
/// readable, and escaping twice changes nothing, so an error message built from escaped parts
/// may be escaped again. The price: a line holding the four characters `\x1b` looks the same
/// as one holding ESC; `--json`, or `--raw` to a pipe, tells them apart.
public enum TerminalText {
    /// `s` with every character of the list above written as its escape.
    ///
    /// - Parameters:
    ///   - s: Text from outside.
    ///   - keepingNewlines: Leave `\n` as it is, for messages whose own lines are meant (an
    ///     error report of several lines); text from outside inside them should be escaped
    ///     with `false` first.
    public static func escape(_ s: String, keepingNewlines: Bool = false) -> String {
        func escaped(_ v: UInt32) -> Bool { isEscaped(v) && !(keepingNewlines && v == 0x0A) }
        guard s.unicodeScalars.contains(where: { escaped($0.value) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            guard escaped(v) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch v {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case ..<0x80: out += "\\x" + hex(v, digits: 2)
            default: out += "\\u" + hex(v, digits: 4)
            }
        }
        return out
    }

    /// JSON text made safe the same way, and still the same JSON: every escaped character but
    /// `\n` written as `\uXXXX`. Outside string literals JSON allows only `\t \n \r` and space
    /// of these, so the characters replaced were inside strings (where `\uXXXX` means them), or
    /// the text was not JSON to begin with. A writer that puts `\r` between tokens would be
    /// changed; the project's writers do not.
    public static func escapeJSON(_ text: String) -> String {
        func escaped(_ v: UInt32) -> Bool { isEscaped(v) && v != 0x0A }
        guard text.unicodeScalars.contains(where: { escaped($0.value) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if escaped(scalar.value) {
                out += "\\u" + hex(scalar.value, digits: 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether the scalar `v` is one ``escape(_:keepingNewlines:)`` writes as an escape: the
    /// rule in one place (``JSONWriter`` escapes the same characters as `\uXXXX`).
    public static func isEscaped(_ v: UInt32) -> Bool {
        switch v {
        case 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `v` in lowercase hex, zero-padded to `digits`.
    private static func hex(_ v: UInt32, digits: Int) -> String {
        let text = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
