import Foundation
import Logging
import TracejoinModel
import TracejoinSupport

/// The daemon's own log lines, to standard error: `logfmt` (the default; what log shippers and
/// `grep` read well), `json` (one object a line), or swift-log's plain `text`.
struct DaemonLogHandler: LogHandler {
    enum Format: String, CaseIterable, Sendable {
        case logfmt, json, text
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let pairs: [(String, String)] = merged.sorted(by: { $0.key < $1.key }).map { ($0.key, "\($0.value)") }
        let text = Self.line(format: format, label: label, time: Timestamps.iso8601(nanoseconds: Timestamps.now()), level: event.level.rawValue,
                             message: event.message.description, metadata: pairs, source: event.source)
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// One log line, without its newline. Messages and metadata quote what senders wrote (a
    /// refused span's field, a file name), so every control character in them is escaped
    /// (``TerminalText``): the log cannot act on the terminal that shows it, nor forge a line.
    static func line(format: Format, label: String, time: String, level: String, message: String, metadata: [(String, String)], source: String) -> String {
        var fields: [(String, String)] = [("ts", time), ("level", level), ("msg", message)]
        fields += metadata
        fields.append(("module", source))
        switch format {
        case .logfmt:
            return fields.map { "\(TerminalText.escape($0.0))=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            // JSONWriter escapes the same characters as `\uXXXX`.
            return "{" + fields.map { JSONText.quote($0.0) + ":" + JSONText.quote($0.1) }.joined(separator: ",") + "}"
        case .text:
            let meta = fields.dropFirst(3).map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            return TerminalText.escape("\(time) \(level) \(label): \(message)" + (meta.isEmpty ? "" : " [\(meta)]"))
        }
    }

    /// Bare when it can be, else quoted with `"` and `\` escaped, and every character
    /// ``TerminalText`` escapes written as its escape inside the quotes (`\n`, `\x1b`, `\u2028`).
    /// A backslash is doubled first, so the escapes read back unambiguously.
    static func logfmtValue(_ s: String) -> String {
        let plain = !s.isEmpty && !s.unicodeScalars.contains { v in
            v == " " || v == "=" || v == "\"" || v == "\\" || TerminalText.isEscaped(v.value)
        }
        if plain { return s }
        return "\"" + TerminalText.escape(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")) + "\""
    }
}
