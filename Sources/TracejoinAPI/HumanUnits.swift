import Foundation

/// Values as people read them, one rule for the CLI and the web view: durations with their unit
/// (three significant digits), bytes in binary units, counts with thousands separators. Machine
/// values stay in the JSON; these are for the eye. Any input is shown, none traps (a span
/// sent with a duration near `Int64.min` included).
public enum HumanUnits {
    /// `850ns`, `12.3µs`, `4.56ms`, `1.20s`, `2m 05s`, `3h 04m`, `2d 03h`.
    public static func duration(_ ns: Int64) -> String {
        let sign = ns < 0 ? "-" : ""
        let v = ns.magnitude
        switch v {
        case ..<1_000: return sign + "\(v)ns"
        case ..<1_000_000: return sign + fixed(Double(v) / 1e3) + "µs"
        case ..<1_000_000_000: return sign + fixed(Double(v) / 1e6) + "ms"
        case ..<60_000_000_000: return sign + fixed(Double(v) / 1e9) + "s"
        default:
            let seconds = v / 1_000_000_000
            if seconds < 3600 { return sign + "\(seconds / 60)m " + two(seconds % 60) + "s" }
            if seconds < 86_400 { return sign + "\(seconds / 3600)h " + two(seconds / 60 % 60) + "m" }
            return sign + "\(seconds / 86_400)d " + two(seconds / 3600 % 24) + "h"
        }
    }

    /// `512 B`, `1.5 KiB`, `17.2 MiB`, `10.0 GiB`.
    public static func bytes(_ n: Int64) -> String {
        let sign = n < 0 ? "-" : ""
        let v = Double(n.magnitude)
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = v, unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return sign + (unit == 0 ? "\(n.magnitude) B" : fixed(value) + " " + units[unit])
    }

    /// `1,788,432`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// Three significant digits: `4.56`, `12.3`, `148`.
    static func fixed(_ value: Double) -> String {
        String(format: value < 10 ? "%.2f" : value < 100 ? "%.1f" : "%.0f", value)
    }

    private static func two(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
