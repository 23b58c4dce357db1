import Foundation
import TracejoinModel

// Datadog's `rubyhash`, `xml` and `useragent` filters, read by hand on bytes (no dependencies).

/// `{name => "John", "job" => {"company" => "Big Company", "title" => "CTO"}}`: keys are strings,
/// symbols (`:name`, `name:`) or bare words; values strings, numbers, `nil`, `true`, `false`,
/// hashes and arrays.
struct RubyHashParser {
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ text: String) -> FilterValue? {
        var parser = RubyHashParser(bytes: Array(text.utf8))
        parser.space()
        guard parser.peek == UInt8(ascii: "{"), let node = parser.value(depth: 0) else { return nil }
        parser.space()
        return parser.i == parser.bytes.count ? node : nil
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func space() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    private static func isWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b >= 0x80
    }

    private mutating func value(depth: Int) -> FilterValue? {
        guard depth < Self.maxDepth else { return nil }
        space()
        guard let b = peek else { return nil }
        switch b {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, FilterValue)] = []
            space()
            if peek == UInt8(ascii: "}") {
                i += 1
                return .object([])
            }
            while true {
                space()
                guard let key = key() else { return nil }
                guard let v = value(depth: depth + 1) else { return nil }
                members.append((key, v))
                space()
                guard let c = peek else { return nil }
                i += 1
                if c == UInt8(ascii: "}") { return FilterValue.grouped(members) }
                guard c == UInt8(ascii: ",") else { return nil }
                space()
                // A trailing comma.
                if peek == UInt8(ascii: "}") {
                    i += 1
                    return FilterValue.grouped(members)
                }
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [FilterValue] = []
            space()
            if peek == UInt8(ascii: "]") {
                i += 1
                return .array([])
            }
            while true {
                guard let v = value(depth: depth + 1) else { return nil }
                items.append(v)
                space()
                guard let c = peek else { return nil }
                i += 1
                if c == UInt8(ascii: "]") { return .array(items) }
                guard c == UInt8(ascii: ",") else { return nil }
            }
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return string().map { .value(.string($0)) }
        case UInt8(ascii: ":"):
            i += 1
            let w = word()
            return w.isEmpty ? nil : .value(.string(w))
        default:
            let from = i
            while i < bytes.count, Self.isWord(bytes[i]) || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "-")
                || bytes[i] == UInt8(ascii: "+")
            {
                i += 1
            }
            let text = String(decoding: bytes[from..<i], as: UTF8.self)
            switch text {
            case "": return nil
            case "nil": return .value(.null)
            case "true": return .value(.bool(true))
            case "false": return .value(.bool(false))
            default:
                if let n = Int64(text) { return .value(.integer(n)) }
                if JSONFlattener.isNumber(text), let d = Double(text), d.isFinite { return .value(.float(d)) }
                return .value(.string(text))
            }
        }
    }

    /// A key and its `=>` (or the `:` of `name: value`).
    private mutating func key() -> String? {
        guard let b = peek else { return nil }
        var key: String
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
            guard let s = string() else { return nil }
            key = s
        } else if b == UInt8(ascii: ":") {
            i += 1
            key = word()
        } else {
            key = word()
            if key.isEmpty {
                // A number as a key.
                let from = i
                while i < bytes.count, (bytes[i] >= 0x30 && bytes[i] <= 0x39) || bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: ".") { i += 1 }
                key = String(decoding: bytes[from..<i], as: UTF8.self)
            }
        }
        guard !key.isEmpty else { return nil }
        space()
        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "="), bytes[i + 1] == UInt8(ascii: ">") {
            i += 2
            return key
        }
        if peek == UInt8(ascii: ":") {
            i += 1
            return key
        }
        return nil
    }

    private mutating func word() -> String {
        let from = i
        while i < bytes.count, Self.isWord(bytes[i]) || (i > from && (bytes[i] == UInt8(ascii: "?") || bytes[i] == UInt8(ascii: "!"))) { i += 1 }
        return String(decoding: bytes[from..<i], as: UTF8.self)
    }

    private mutating func string() -> String? {
        guard let quote = peek else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count, bytes[i] != quote {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                i += 1
                let e = bytes[i]
                if quote == UInt8(ascii: "\"") {
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    default: out.append(e)
                    }
                } else {
                    if e != quote && e != UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                    out.append(e)
                }
                i += 1
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        guard i < bytes.count else { return nil }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }
}

/// XML into an object as Datadog's `xml` filter makes it: the root element is the one member;
/// an element's attributes are members, its text `value` when it has attributes or children
/// (else the element is its text); repeated elements become lists.
struct XMLFilter {
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ text: String) -> FilterValue? {
        var parser = XMLFilter(bytes: Array(text.utf8))
        parser.misc()
        guard let root = parser.element(depth: 0) else { return nil }
        parser.misc()
        guard parser.i == parser.bytes.count else { return nil }
        return .object([root])
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func starts(_ s: String, at k: Int) -> Bool {
        let u = Array(s.utf8)
        guard k + u.count <= bytes.count else { return false }
        for j in 0..<u.count where bytes[k + j] != u[j] { return false }
        return true
    }

    private mutating func space() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    /// Skips to just after `end`; false when it is not there.
    private mutating func skip(past end: String) -> Bool {
        while i < bytes.count {
            if starts(end, at: i) {
                i += end.utf8.count
                return true
            }
            i += 1
        }
        return false
    }

    /// Blanks, comments, processing instructions and a doctype.
    private mutating func misc() {
        while true {
            space()
            if starts("<?", at: i) {
                guard skip(past: "?>") else { return }
            } else if starts("<!--", at: i) {
                guard skip(past: "-->") else { return }
            } else if starts("<!DOCTYPE", at: i) {
                guard skip(past: ">") else { return }
            } else {
                return
            }
        }
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") || b >= 0x80
    }

    private mutating func name() -> String? {
        let from = i
        while i < bytes.count, Self.isNameByte(bytes[i]) { i += 1 }
        return i > from ? String(decoding: bytes[from..<i], as: UTF8.self) : nil
    }

    private mutating func element(depth: Int) -> (String, FilterValue)? {
        guard depth < Self.maxDepth, i < bytes.count, bytes[i] == UInt8(ascii: "<") else { return nil }
        i += 1
        guard let tag = name() else { return nil }
        var members: [(String, FilterValue)] = []
        // Attributes.
        while true {
            space()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "/") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { return nil }
                i += 2
                return (tag, members.isEmpty ? .value(.string("")) : FilterValue.grouped(members))
            }
            if bytes[i] == UInt8(ascii: ">") {
                i += 1
                break
            }
            guard let attribute = name() else { return nil }
            space()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return nil }
            i += 1
            space()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { return nil }
            let quote = bytes[i]
            i += 1
            let from = i
            while i < bytes.count, bytes[i] != quote { i += 1 }
            guard i < bytes.count else { return nil }
            members.append((attribute, .value(.string(Self.entities(bytes[from..<i])))))
            i += 1
        }
        // Content.
        var text: [UInt8] = []
        while true {
            guard i < bytes.count else { return nil }
            if starts("</", at: i) {
                i += 2
                guard name() == tag else { return nil }
                space()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { return nil }
                i += 1
                break
            } else if starts("<!--", at: i) {
                guard skip(past: "-->") else { return nil }
            } else if starts("<![CDATA[", at: i) {
                i += 9
                let from = i
                guard skip(past: "]]>") else { return nil }
                text += bytes[from..<(i - 3)]
            } else if starts("<?", at: i) {
                guard skip(past: "?>") else { return nil }
            } else if bytes[i] == UInt8(ascii: "<") {
                guard let child = element(depth: depth + 1) else { return nil }
                members.append(child)
            } else {
                let from = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "<") { i += 1 }
                text += Array(Self.entities(bytes[from..<i]).utf8)
            }
        }
        let value = String(decoding: text, as: UTF8.self).trimmingBlanks()
        if members.isEmpty { return (tag, .value(.string(value))) }
        if !value.isEmpty { members.append(("value", .value(.string(value)))) }
        return (tag, FilterValue.grouped(members))
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#N;` `&#xN;` decoded; others kept.
    private static func entities(_ slice: ArraySlice<UInt8>) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        let text = String(decoding: slice, as: UTF8.self)
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semi) <= 10 else {
                out += "&"
                rest = after
                continue
            }
            let entity = after[..<semi]
            var replacement: String?
            switch entity {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    if let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { replacement = String(Character(u)) }
                } else if entity.hasPrefix("#") {
                    if let v = UInt32(entity.dropFirst(), radix: 10), let u = Unicode.Scalar(v) { replacement = String(Character(u)) }
                }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" || f == "\r\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" || l == "\r\n" { s = s.dropLast() }
        return String(s)
    }
}

/// A reasonable reading of a user agent into Datadog's `browser`, `os` and `device` (family,
/// versions; device category, brand and model), by the common browsers' and systems' tokens.
enum UserAgent {
    static func parse(_ ua: String) -> FilterValue? {
        guard !ua.isEmpty else { return nil }
        return .object([("browser", browser(ua)), ("device", device(ua)), ("os", os(ua))])
    }

    /// The version after `token` (`Chrome/118.0.5993.90` → 118, 0, 5993, 90), `_` or `.` separated.
    static func version(after token: String, in ua: String) -> [String]? {
        guard let range = ua.range(of: token) else { return nil }
        let rest = ua[range.upperBound...]
        let text = rest.prefix { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "_") }
        let parts = text.split(whereSeparator: { $0 == "." || $0 == "_" }).map(String.init)
        return parts.isEmpty ? nil : parts
    }

    static func versioned(_ family: String, _ parts: [String]?, names: [String]) -> FilterValue {
        var members: [(String, FilterValue)] = [("family", .value(.string(family)))]
        for (name, part) in zip(names, parts ?? []) { members.append((name, .value(.string(part)))) }
        return .object(members)
    }

    static let browserVersionNames = ["major", "minor", "patch", "patch_minor"]
    static let osVersionNames = ["major", "minor", "patch", "patch_minor"]

    static func isBot(_ ua: String) -> Bool {
        let lower = ua.lowercased()
        return ["bot", "spider", "crawler", "crawl", "slurp"].contains { lower.contains($0) }
    }

    static func browser(_ ua: String) -> FilterValue {
        let rules: [(token: String, family: String)] = [
            ("Edg/", "Edge"), ("Edge/", "Edge"), ("EdgA/", "Edge Mobile"), ("EdgiOS/", "Edge Mobile"), ("OPR/", "Opera"),
            ("Opera/", "Opera"), ("SamsungBrowser/", "Samsung Internet"), ("YaBrowser/", "Yandex Browser"),
            ("Vivaldi/", "Vivaldi"), ("FxiOS/", "Firefox iOS"), ("CriOS/", "Chrome Mobile iOS"),
        ]
        for rule in rules where ua.contains(rule.token) {
            return versioned(rule.family, version(after: rule.token, in: ua), names: browserVersionNames)
        }
        if ua.contains("Firefox/") {
            let mobile = ua.contains("Mobile") || ua.contains("Tablet")
            return versioned(mobile ? "Firefox Mobile" : "Firefox", version(after: "Firefox/", in: ua), names: browserVersionNames)
        }
        if ua.contains("Chrome/") || ua.contains("Chromium/") {
            let token = ua.contains("Chromium/") ? "Chromium/" : "Chrome/"
            var family = token == "Chromium/" ? "Chromium" : "Chrome"
            if ua.contains("Android") && ua.contains("Mobile") { family = "Chrome Mobile" }
            if ua.contains("; wv)") { family = "Chrome Mobile WebView" }
            return versioned(family, version(after: token, in: ua), names: browserVersionNames)
        }
        if ua.contains("Safari/") && ua.contains("Version/") {
            let mobile = ua.contains("Mobile/") || ua.contains("iPhone") || ua.contains("iPad")
            return versioned(mobile ? "Mobile Safari" : "Safari", version(after: "Version/", in: ua), names: browserVersionNames)
        }
        if ua.contains("MSIE ") { return versioned("IE", version(after: "MSIE ", in: ua), names: browserVersionNames) }
        if ua.contains("Trident/"), ua.contains("rv:") { return versioned("IE", version(after: "rv:", in: ua), names: browserVersionNames) }
        let tools: [(token: String, family: String)] = [
            ("curl/", "curl"), ("Wget/", "Wget"), ("python-requests/", "Python Requests"), ("Go-http-client/", "Go-http-client"),
            ("okhttp/", "okhttp"), ("Apache-HttpClient/", "Apache-HttpClient"), ("PostmanRuntime/", "PostmanRuntime"),
        ]
        for tool in tools where ua.contains(tool.token) {
            return versioned(tool.family, version(after: tool.token, in: ua), names: browserVersionNames)
        }
        if isBot(ua) {
            // The product token that names the bot (`Googlebot/2.1` → Googlebot).
            for word in ua.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "(" || $0 == ")" }) {
                let name = word.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
                let lower = name.lowercased()
                if lower.contains("bot") || lower.contains("spider") || lower.contains("crawl") || lower.contains("slurp") {
                    return versioned(name, version(after: name + "/", in: ua), names: browserVersionNames)
                }
            }
        }
        return .object([("family", .value(.string("Other")))])
    }

    static func os(_ ua: String) -> FilterValue {
        if let parts = version(after: "Windows NT ", in: ua) {
            let nt = parts.prefix(2).joined(separator: ".")
            let names = ["10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.2": "XP", "5.1": "XP"]
            let release = (names[nt] ?? nt).split(separator: ".").map(String.init)
            return versioned("Windows", release, names: osVersionNames)
        }
        if ua.contains("Windows") { return .object([("family", .value(.string("Windows")))]) }
        if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
            let parts = version(after: "iPhone OS ", in: ua) ?? version(after: "CPU OS ", in: ua)
            return versioned("iOS", parts, names: osVersionNames)
        }
        if ua.contains("Mac OS X") {
            return versioned("Mac OS X", version(after: "Mac OS X ", in: ua), names: osVersionNames)
        }
        if ua.contains("Android") { return versioned("Android", version(after: "Android ", in: ua), names: osVersionNames) }
        if ua.contains("CrOS") { return .object([("family", .value(.string("Chrome OS")))]) }
        if ua.contains("Ubuntu") { return versioned("Ubuntu", version(after: "Ubuntu/", in: ua), names: osVersionNames) }
        if ua.contains("Linux") { return .object([("family", .value(.string("Linux")))]) }
        return .object([("family", .value(.string("Other")))])
    }

    static func device(_ ua: String) -> FilterValue {
        func make(_ family: String, _ category: String, brand: String? = nil, model: String? = nil) -> FilterValue {
            var members: [(String, FilterValue)] = []
            if let brand { members.append(("brand", .value(.string(brand)))) }
            members.append(("category", .value(.string(category))))
            members.append(("family", .value(.string(family))))
            if let model { members.append(("model", .value(.string(model)))) }
            return .object(members)
        }
        if isBot(ua) { return make("Spider", "Bot", brand: "Spider", model: "Desktop") }
        if ua.contains("iPad") { return make("iPad", "Tablet", brand: "Apple", model: "iPad") }
        if ua.contains("iPhone") { return make("iPhone", "Mobile", brand: "Apple", model: "iPhone") }
        if ua.contains("iPod") { return make("iPod", "Mobile", brand: "Apple", model: "iPod") }
        if ua.contains("Macintosh") { return make("Mac", "Desktop", brand: "Apple", model: "Mac") }
        if ua.contains("Android") {
            let category = ua.contains("Mobile") ? "Mobile" : "Tablet"
            // `Linux; Android 13; SM-S918B Build/…)` or `…; Pixel 7)`: the model is the part
            // after the Android version.
            var model: String?
            if let open = ua.range(of: "Android"), let close = ua[open.upperBound...].firstIndex(of: ")") {
                let inside = ua[open.upperBound..<close].split(separator: ";").map { $0.trimmingBlanksSubstring() }
                if inside.count > 1 {
                    var m = inside[1]
                    if let build = m.range(of: " Build/") { m = String(m[..<build.lowerBound]) }
                    if !m.isEmpty && m != "wv" && m != "K" { model = m }
                }
            }
            let brand: String? = model.flatMap { m in
                if m.hasPrefix("SM-") || m.hasPrefix("GT-") { return "Samsung" }
                if m.hasPrefix("Pixel") { return "Google" }
                return nil
            }
            return make(model ?? "Generic Smartphone", category, brand: brand, model: model)
        }
        if ua.contains("Windows") || ua.contains("X11") || ua.contains("CrOS") || ua.contains("Linux") {
            return make("Other", "Desktop")
        }
        return make("Other", "Other")
    }
}

extension Substring {
    func trimmingBlanksSubstring() -> String { String(self).trimmingBlanks() }
}
