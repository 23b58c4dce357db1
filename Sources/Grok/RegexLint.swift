/// Load-time checks for patterns that invite catastrophic backtracking.
public enum RegexLint {
    /// Describes the first group that repeats without bound while containing an unbounded
    /// repeat itself — `(a+)+`, `(.*x)*`, `(?:\w+\s?)+` — or `nil` if there is none.
    ///
    /// Atomic groups `(?>…)` and possessive quantifiers (`*+`, `++`) do not backtrack and are
    /// not reported.
    public static func nestedUnboundedQuantifier(_ regex: String) -> String? {
        let b = Array(regex.utf8)
        struct Group {
            var start: Int
            var atomic: Bool
            var containsUnbounded = false
        }
        var stack: [Group] = [Group(start: 0, atomic: false)]
        var i = 0
        // Whether the atom just read was a group that contains an unbounded repeat.
        var lastAtomGroup: Group?
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\\"):
                i += 2
                lastAtomGroup = nil
                continue
            case UInt8(ascii: "["):
                // Skip the class; a ']' right after '[' or '[^' is a literal.
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "^") { i += 1 }
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1 }
                while i < b.count, b[i] != UInt8(ascii: "]") {
                    if b[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                i += 1
                lastAtomGroup = nil
                continue
            case UInt8(ascii: "("):
                let atomic = i + 2 < b.count && b[i + 1] == UInt8(ascii: "?") && b[i + 2] == UInt8(ascii: ">")
                stack.append(Group(start: i, atomic: atomic))
                i += 1
                lastAtomGroup = nil
                continue
            case UInt8(ascii: ")"):
                let group = stack.count > 1 ? stack.removeLast() : Group(start: 0, atomic: false)
                if group.containsUnbounded { stack[stack.count - 1].containsUnbounded = true }
                lastAtomGroup = group
                i += 1
                continue
            default:
                break
            }
            if let (unbounded, length) = quantifier(b, at: i) {
                let possessive = i + length < b.count && b[i + length] == UInt8(ascii: "+")
                if unbounded && !possessive {
                    if let group = lastAtomGroup, group.containsUnbounded, !group.atomic {
                        let text = String(decoding: b[group.start..<min(b.count, i + length)], as: UTF8.self)
                        return "'\(text.count > 60 ? String(text.prefix(57)) + "..." : text)' repeats a group that itself repeats without bound"
                    }
                    stack[stack.count - 1].containsUnbounded = true
                }
                i += length
                lastAtomGroup = nil
                continue
            }
            lastAtomGroup = nil
            i += 1
        }
        return nil
    }

    /// A quantifier at `i`: whether it is unbounded, and its length.
    private static func quantifier(_ b: [UInt8], at i: Int) -> (Bool, Int)? {
        switch b[i] {
        case UInt8(ascii: "*"), UInt8(ascii: "+"): return (true, 1)
        case UInt8(ascii: "?"): return (false, 1)
        case UInt8(ascii: "{"):
            guard let close = b[i...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
            let inner = String(decoding: b[(i + 1)..<close], as: UTF8.self)
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), !parts[0].isEmpty else { return nil }
            return (parts.count == 2 && parts[1].isEmpty, close - i + 1)
        default: return nil
        }
    }
}
