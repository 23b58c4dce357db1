import Foundation
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// Draws a ``TraceDocument`` as a tree for a terminal: each span with service, name, resource,
/// duration and an error mark; its log lines indented under it; then the unmatched lines.
///
/// Every value of the document comes from outside (a span's sender, a log line's writer): each
/// is escaped with ``TerminalText`` before it is coloured, unless `escape` is off (`--raw` to
/// a pipe). The renderer's own colours are its only escape sequences.
public struct TraceRenderer: Sendable {
    public var color: Bool
    /// Whether values are escaped (``TerminalText/escape(_:keepingNewlines:)``).
    public var escape: Bool

    public init(color: Bool, escape: Bool = true) {
        self.color = color
        self.escape = escape
    }

    public func render(_ trace: TraceDocument) -> String {
        var out: [String] = []
        let spanCount = trace.span_count
        let logCount = trace.log_count
        var summary = "  (dd \(text(trace.trace_id_dd)))  \(spanCount) span\(spanCount == 1 ? "" : "s"), \(logCount) log line\(logCount == 1 ? "" : "s")"
        if spanCount > 0 {
            summary += ", \(HumanUnits.duration(trace.duration_ns)), " + trace.services.map(text).joined(separator: ", ")
        }
        out.append(bold("trace \(text(trace.trace_id))") + dim(summary) + (trace.errors > 0 ? red("  \(trace.errors) error\(trace.errors == 1 ? "" : "s")") : ""))
        for (i, span) in trace.spans.enumerated() {
            draw(span, prefix: "", isLast: i == trace.spans.count - 1, into: &out)
        }
        if !trace.unmatched_logs.isEmpty {
            out.append("")
            out.append(bold("log lines with this trace ID whose span is not known:"))
            for log in trace.unmatched_logs {
                out.append("  " + line(log) + (log.span_id_dd.map { dim("  (span \(text($0)))") } ?? ""))
            }
        }
        if trace.logs_omitted > 0 {
            out.append("")
            out.append(red("cut: \(trace.logs_omitted) more log line\(trace.logs_omitted == 1 ? "" : "s") of this trace not shown")
                + dim(" (the first \(trace.log_count - trace.logs_omitted) are; --logs-limit N shows more, `tracejoin query logs --trace \(text(trace.trace_id))` pages the rest)"))
        }
        return out.joined(separator: "\n")
    }

    private func draw(_ span: TraceDocument.Span, prefix: String, isLast: Bool, into out: inout [String]) {
        let branch = isLast ? "└─ " : "├─ "
        let below = prefix + (isLast ? "   " : "│  ")
        var head = bold(text(span.name))
        if !span.resource.isEmpty && span.resource != span.name { head += " " + text(span.resource) }
        if !span.service.isEmpty { head += " " + dim("[\(text(span.service))]") }
        // From ClickHouse (the fleet's view): the host that reported the span.
        if let host = span.meta["tracejoin.host"] { head += " " + dim("@\(text(host))") }
        head += " " + HumanUnits.duration(span.duration_ns)
        if span.error { head += " " + red("✗ error") }
        out.append(prefix + branch + head + dim("  span \(text(span.span_id_dd))"))
        let rail = below + (span.children.isEmpty ? "   " : "│  ")
        for log in span.logs {
            out.append(rail + line(log))
        }
        for (i, child) in span.children.enumerated() {
            draw(child, prefix: below, isLast: i == span.children.count - 1, into: &out)
        }
    }

    func line(_ log: TraceDocument.Log) -> String {
        var parts: [String] = []
        if let time = log.time { parts.append(dim(text(time))) }
        if let level = log.level { parts.append(levelColor(text(level))) }
        parts.append(text(log.message ?? log.raw))
        return parts.joined(separator: " ")
    }

    /// A value from outside, escaped unless `escape` is off.
    func text(_ s: String) -> String { escape ? TerminalText.escape(s) : s }

    private func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    func faint(_ s: String) -> String { dim(s) }
    private func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    private func red(_ s: String) -> String { color ? "\u{1B}[31m\(s)\u{1B}[0m" : s }

    private func levelColor(_ level: String) -> String {
        guard color else { return level }
        switch level.uppercased() {
        case "ERROR", "CRITICAL", "FATAL", "ERR", "CRIT": return red(level)
        case "WARN", "WARNING": return "\u{1B}[33m\(level)\u{1B}[0m"
        default: return level
        }
    }
}
