import TracejoinModel
import TracejoinSupport

/// How the lines of a source's files are wrapped (`format:` in a rule file, docs/kubernetes.md).
public enum LogFormat: String, Sendable, CaseIterable {
    /// The application's own lines.
    case plain
    /// containerd and CRI-O (`/var/log/pods/…/0.log`): `<RFC3339Nano time> <stdout|stderr> <P|F> <text>`,
    /// a long line split into partial `P` records ended by an `F`.
    case cri
    /// Docker's json-file driver: `{"log":"<text>\n","stream":"stdout","time":"…"}`, the text
    /// JSON-escaped; a line over 16 KiB is split into records whose text has no trailing `\n`.
    case docker
    /// Each line by its shape: `{` is Docker's, a digit CRI's; a line that is neither, or does
    /// not decode, is taken as it is.
    case auto
}

/// One record of a container runtime's log, decoded: the application's text (written to the
/// caller's buffer), its stream and time, and whether the runtime split the line there.
struct ContainerRecord {
    enum Stream: UInt8 {
        case stdout, stderr, other
        var name: String {
            switch self {
            case .stdout: return "stdout"
            case .stderr: return "stderr"
            case .other: return "other"
            }
        }
    }

    var stream: Stream
    /// The runtime's time, nanoseconds since the epoch (`nil` when it could not be read).
    var time: Int64?
    /// The text continues in the next record (CRI `P`; Docker text without its `\n`).
    var partial: Bool
}

/// Decoders of the runtimes' envelopes. Bytes in, bytes out: no string per line; malformed input
/// is `nil` (the line is then taken as the application's own), never a trap.
enum ContainerLog {
    /// Decodes `line` as `format`, appending the application's text to `text`; `nil` (and
    /// `text` unchanged) when the line is not of that format.
    static func decode(_ line: UnsafeBufferPointer<UInt8>, as format: LogFormat, into text: inout [UInt8]) -> ContainerRecord? {
        switch format {
        case .plain: return nil
        case .cri: return cri(line, into: &text)
        case .docker: return docker(line, into: &text)
        case .auto:
            guard let first = line.first else { return nil }
            if first == UInt8(ascii: "{") { return docker(line, into: &text) }
            if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") { return cri(line, into: &text) }
            return nil
        }
    }

    // MARK: CRI

    /// `2026-12-06T19:31:21.822758924Z stdout F text` (the tag may carry more after a `:`).
    static func cri(_ line: UnsafeBufferPointer<UInt8>, into text: inout [UInt8]) -> ContainerRecord? {
        let space = UInt8(ascii: " ")
        guard let timeEnd = line.firstIndex(of: space), timeEnd > 0 else { return nil }
        let streamStart = timeEnd + 1
        guard streamStart < line.count, let streamLength = line[streamStart...].firstIndex(of: space).map({ $0 - streamStart }) else { return nil }
        let stream: ContainerRecord.Stream
        if matches(line, at: streamStart, length: streamLength, "stdout") {
            stream = .stdout
        } else if matches(line, at: streamStart, length: streamLength, "stderr") {
            stream = .stderr
        } else {
            return nil
        }
        let tagStart = streamStart + streamLength + 1
        guard tagStart < line.count else { return nil }
        let tagEnd = line[tagStart...].firstIndex(of: space) ?? line.count
        guard tagEnd > tagStart else { return nil }
        let partial: Bool
        switch line[tagStart] {
        case UInt8(ascii: "P"): partial = true
        case UInt8(ascii: "F"): partial = false
        default: return nil
        }
        // One tag letter, or the letter and more after ':'.
        guard tagEnd == tagStart + 1 || line[tagStart + 1] == UInt8(ascii: ":") else { return nil }
        let time = RFC3339.nanoseconds(UnsafeBufferPointer(rebasing: line[0..<timeEnd]))
        guard time != nil else { return nil }
        if tagEnd < line.count {
            text.append(contentsOf: UnsafeBufferPointer(rebasing: line[(tagEnd + 1)...]))
        }
        return ContainerRecord(stream: stream, time: time, partial: partial)
    }

    private static func matches(_ line: UnsafeBufferPointer<UInt8>, at start: Int, length: Int, _ word: StaticString) -> Bool {
        guard length == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<length where line[start + i] != w[i] { return false }
        return true
    }

    // MARK: Docker json-file

    /// `{"log":"…","stream":"stdout","time":"…"}`: keys in any order; other keys (`attrs`)
    /// skipped whatever their JSON value.
    static func docker(_ line: UnsafeBufferPointer<UInt8>, into text: inout [UInt8]) -> ContainerRecord? {
        var reader = JSONObjectReader(line)
        let mark = text.count
        var sawLog = false
        var stream: ContainerRecord.Stream = .other
        var time: Int64?
        guard reader.begin() else { return nil }
        var scratch: [UInt8] = []
        while let key = reader.nextKey() {
            switch key {
            case .log:
                guard !sawLog, reader.string(into: &text) else {
                    text.removeSubrange(mark...)
                    return nil
                }
                sawLog = true
            case .stream:
                scratch.removeAll(keepingCapacity: true)
                guard reader.string(into: &scratch) else {
                    text.removeSubrange(mark...)
                    return nil
                }
                stream = scratch.elementsEqual("stdout".utf8) ? .stdout : scratch.elementsEqual("stderr".utf8) ? .stderr : .other
            case .time:
                scratch.removeAll(keepingCapacity: true)
                guard reader.string(into: &scratch) else {
                    text.removeSubrange(mark...)
                    return nil
                }
                time = scratch.withUnsafeBufferPointer(RFC3339.nanoseconds)
            case .other:
                guard reader.skipValue() else {
                    text.removeSubrange(mark...)
                    return nil
                }
            }
        }
        guard reader.ended, sawLog else {
            text.removeSubrange(mark...)
            return nil
        }
        // The driver ends a whole line's text with its "\n"; a split one's parts have none.
        var partial = true
        if text.count > mark, text[text.count - 1] == UInt8(ascii: "\n") {
            text.removeLast()
            if text.count > mark, text[text.count - 1] == UInt8(ascii: "\r") { text.removeLast() }
            partial = false
        }
        return ContainerRecord(stream: stream, time: time, partial: partial)
    }
}

/// Just enough of JSON to read one flat object of Docker's json-file driver.
struct JSONObjectReader {
    enum Key { case log, stream, time, other }

    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    private(set) var ended = false
    private var first = true

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
    }

    mutating func begin() -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return false }
        i += 1
        return true
    }

    /// The next key (and its `:` consumed), or `nil` at the object's end (`ended` then says
    /// whether it ended well).
    mutating func nextKey() -> Key? {
        skipSpace()
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "}") {
            i += 1
            skipSpace()
            ended = i == bytes.count
            return nil
        }
        if !first {
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            skipSpace()
        }
        first = false
        var name: [UInt8] = []
        guard string(into: &name) else { return nil }
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        skipSpace()
        if name.elementsEqual("log".utf8) { return .log }
        if name.elementsEqual("stream".utf8) { return .stream }
        if name.elementsEqual("time".utf8) { return .time }
        return .other
    }

    /// A JSON string at the position, unescaped (``JSONString``, the project's one unescaper:
    /// surrogate pairs joined, a lone surrogate U+FFFD) and appended to `out`.
    mutating func string(into out: inout [UInt8]) -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return false }
        do {
            let (value, end) = try JSONString.read(bytes, quoteAt: i)
            out.append(contentsOf: value.utf8)
            i = end
            return true
        } catch {
            return false
        }
    }

    /// Skips any JSON value (strings, numbers, literals, nested objects and arrays), bounded in
    /// depth.
    mutating func skipValue() -> Bool {
        var depth = 0
        var discard: [UInt8] = []
        repeat {
            skipSpace()
            guard i < bytes.count else { return false }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                discard.removeAll(keepingCapacity: true)
                guard string(into: &discard) else { return false }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= 64 else { return false }
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { return false }
                depth -= 1
                i += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { return false }
                i += 1
            default:
                // A number or a literal: up to the next delimiter.
                let start = i
                while i < bytes.count, !([UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D] as [UInt8]).contains(bytes[i]) {
                    i += 1
                }
                guard i > start else { return false }
            }
        } while depth > 0
        return true
    }
}

/// RFC 3339 times as the runtimes write them (`2026-12-06T19:31:21.822758924Z`, or with an
/// offset such as `+01:00`), read from bytes into nanoseconds since the epoch.
enum RFC3339 {
    static func nanoseconds(_ t: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= t.count else { return nil }
            var v: Int64 = 0
            for _ in 0..<n {
                let c = t[i]
                guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int64(c - UInt8(ascii: "0"))
                i += 1
            }
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < t.count, t[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")), let day = digits(2),
              i < t.count, t[i] == UInt8(ascii: "T") || t[i] == UInt8(ascii: "t") || t[i] == UInt8(ascii: " ")
        else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")), let second = digits(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var fraction: Int64 = 0
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < t.count, t[i] >= UInt8(ascii: "0"), t[i] <= UInt8(ascii: "9") {
                fraction += Int64(t[i] - UInt8(ascii: "0")) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset: Int64 = 0
        guard i < t.count else { return nil }
        switch t[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = t[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let h = digits(2), expect(UInt8(ascii: ":")), let m = digits(2), h < 24, m < 60 else { return nil }
            offset = sign * (h * 3600 + m * 60)
        default:
            return nil
        }
        guard i == t.count else { return nil }
        return Timestamps.nanoseconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                      fraction: fraction, offset: offset)
    }
}

/// The pod a container's log file belongs to, from its path alone (no API call): the kubelet's
/// layout `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log` (and its rotated names),
/// and the links `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`.
enum PodPath {
    struct Pod: Equatable {
        var namespace: String
        var pod: String
        var uid: String?
        var container: String
    }

    static func pod(of path: String) -> Pod? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        let file = parts[parts.count - 1]
        // /var/log/pods/<ns>_<pod>_<uid>/<container>/<file>
        if parts.count >= 3, file.contains(".log") {
            let podDirectory = parts[parts.count - 3].split(separator: "_", omittingEmptySubsequences: false)
            if podDirectory.count == 3, podDirectory.allSatisfy({ !$0.isEmpty }),
               (parts.count >= 4 && parts[parts.count - 4] == "pods") || looksLikeUID(podDirectory[2])
            {
                return Pod(namespace: String(podDirectory[0]), pod: String(podDirectory[1]), uid: String(podDirectory[2]),
                           container: String(parts[parts.count - 2]))
            }
        }
        // /var/log/containers/<pod>_<ns>_<container>-<64 hex>.log
        guard file.hasSuffix(".log") else { return nil }
        let stem = file.dropLast(4)
        let fields = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty, let dash = fields[2].lastIndex(of: "-") else { return nil }
        let container = fields[2][..<dash]
        let id = fields[2][fields[2].index(after: dash)...]
        guard !container.isEmpty, id.count == 64, id.allSatisfy(\.isHexDigit) else { return nil }
        return Pod(namespace: String(fields[1]), pod: String(fields[0]), uid: nil, container: String(container))
    }

    private static func looksLikeUID(_ s: Substring) -> Bool {
        s.count == 36 && s.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// The pod's fields as a record carries them: `k8s.namespace`, `k8s.pod`, `k8s.pod_uid`,
    /// `k8s.container`.
    static func fields(of path: String) -> [LogRecord.FieldText] {
        guard let pod = pod(of: path) else { return [] }
        var out = [
            LogRecord.FieldText(name: "k8s.namespace", value: .own(.string(pod.namespace))),
            LogRecord.FieldText(name: "k8s.pod", value: .own(.string(pod.pod))),
        ]
        if let uid = pod.uid { out.append(LogRecord.FieldText(name: "k8s.pod_uid", value: .own(.string(uid)))) }
        out.append(LogRecord.FieldText(name: "k8s.container", value: .own(.string(pod.container))))
        return out
    }
}
