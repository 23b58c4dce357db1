import Foundation
import Logging
import TracejoinModel

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
        var fields: [(String, String)] = [
            ("ts", Timestamps.iso8601(nanoseconds: Timestamps.now())), ("level", event.level.rawValue), ("msg", event.message.description),
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { fields.append((key, "\(value)")) }
        fields.append(("module", event.source))
        let line: String
        switch format {
        case .logfmt:
            line = fields.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            line = "{" + fields.map { JSONText.quote($0.0) + ":" + JSONText.quote($0.1) }.joined(separator: ",") + "}"
        case .text:
            let meta = fields.dropFirst(3).map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            line = "\(fields[0].1) \(event.level) \(label): \(event.message)" + (meta.isEmpty ? "" : " [\(meta)]")
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Bare when it can be, else quoted with `"` and `\` escaped.
    static func logfmtValue(_ s: String) -> String {
        if !s.isEmpty && !s.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline }) { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
