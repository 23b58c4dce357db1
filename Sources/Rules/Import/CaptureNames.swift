/// The names other tools give the fields the correlator reads, and the rewriting of grok
/// captures to the names it joins on (`trace_id`, `span_id`, `level`, …).
///
/// Logstash users capture the trace ID as `[dd][trace_id]`, `dd.trace_id`, `[trace][id]`,
/// `trace.id` or `traceId`; Datadog users name it in a trace-id remapper. Tracejoin joins a line
/// to its trace only through a capture named `trace_id`, so an import renames one of them.
enum CaptureNames {
    static let trace = ["dd.trace_id", "trace.id", "traceId", "traceID", "traceid", "trace-id", "otel.trace_id"]
    static let span = ["dd.span_id", "span.id", "spanId", "spanID", "spanid", "span-id", "otel.span_id"]
    static let level = ["log.level", "loglevel"]

    /// Where one `%{…}` reference's name and field are in a grok text (byte offsets).
    struct Reference {
        var name: Range<Int>
        var field: Range<Int>?
    }

    /// Logstash's bracketed field references read as dotted names: `[dd][trace_id]` → `dd.trace_id`
    /// (as the grok compiler reads them).
    static func normalize(_ field: String) -> String {
        guard field.hasPrefix("["), field.hasSuffix("]") else { return field }
        return String(field.dropFirst().dropLast()).replacingAll("][", with: ".")
    }

    /// Every `%{NAME…}` reference of `text`; `\%{` is a literal and skipped.
    static func references(_ text: String) -> [Reference] {
        let b = Array(text.utf8)
        var found: [Reference] = []
        var j = 0
        while j + 1 < b.count {
            guard b[j] == UInt8(ascii: "%"), b[j + 1] == UInt8(ascii: "{"), j == 0 || b[j - 1] != UInt8(ascii: "\\") else {
                j += 1
                continue
            }
            var k = j + 2
            while k < b.count, isPatternNameByte(b[k]) || b[k] == UInt8(ascii: ".") { k += 1 }
            let name = (j + 2)..<k
            if k < b.count, b[k] == UInt8(ascii: "(") {
                // Quoted arguments, as in date("yyyy-MM-dd"): step over them whole.
                var quote: UInt8? = nil
                k += 1
                while k < b.count {
                    let c = b[k]
                    if let q = quote {
                        if c == UInt8(ascii: "\\") { k += 1 } else if c == q { quote = nil }
                    } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                        quote = c
                    } else if c == UInt8(ascii: ")") {
                        k += 1
                        break
                    }
                    k += 1
                }
            }
            var field: Range<Int>?
            if k < b.count, b[k] == UInt8(ascii: ":") {
                let from = k + 1
                k = from
                while k < b.count, b[k] != UInt8(ascii: ":"), b[k] != UInt8(ascii: "}") { k += 1 }
                field = from..<k
            }
            found.append(Reference(name: name, field: field))
            j = max(k, j + 2)
        }
        return found
    }

    /// The captured field names of `text`, normalized.
    static func fields(_ text: String) -> [String] {
        let b = Array(text.utf8)
        return references(text).compactMap { $0.field }.map { normalize(String(decoding: b[$0], as: UTF8.self)) }
            .filter { !$0.isEmpty }
    }

    /// `text` with captures renamed (by normalized field name) and pattern references renamed.
    static func rewrite(_ text: String, fields renames: [String: String], names: [String: String] = [:]) -> String {
        guard !renames.isEmpty || !names.isEmpty else { return text }
        var b = Array(text.utf8)
        var edits: [(Range<Int>, String)] = []
        for r in references(text) {
            if let f = r.field, let to = renames[normalize(String(decoding: b[f], as: UTF8.self))] { edits.append((f, to)) }
            if let to = names[String(decoding: b[r.name], as: UTF8.self)] { edits.append((r.name, to)) }
        }
        for (range, replacement) in edits.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
            b.replaceSubrange(range, with: Array(replacement.utf8))
        }
        return String(decoding: b, as: UTF8.self)
    }
}

/// For one rule file: which captures become the correlator's fields.
struct CaptureRenaming {
    /// Normalized capture name → the correlator's field name.
    var renames: [String: String] = [:]
    /// The `ids:` the original names suggest: ddtrace writes decimal span IDs, OpenTelemetry
    /// and ECS hex ones.
    var ids: (trace: String, span: String)?

    /// - Parameters:
    ///   - texts: every grok expression and pattern of the file.
    ///   - trace, span, level, timestamp, message: names to rename to that field, in order of
    ///     preference; the first one captured is renamed, unless the field is captured already.
    init(texts: [String], trace: [String], span: [String], level: [String] = CaptureNames.level,
         timestamp: [String] = [], message: [String] = []) {
        let captured = Set(texts.flatMap { CaptureNames.fields($0) })
        for (target, candidates) in [("trace_id", trace), ("span_id", span), ("level", level), ("timestamp", timestamp), ("message", message)] {
            guard !captured.contains(target), let from = candidates.first(where: { captured.contains($0) }) else { continue }
            renames[from] = target
        }
        let origins = [renames.first { $0.value == "trace_id" }?.key, renames.first { $0.value == "span_id" }?.key].compactMap { $0 }
        if origins.contains(where: { $0.hasPrefix("dd.") }) {
            ids = ("auto", "decimal")
        } else if origins.contains(where: { ["trace.id", "span.id", "traceId", "spanId", "traceID", "spanID", "otel.trace_id", "otel.span_id"].contains($0) }) {
            ids = ("hex", "hex")
        }
    }

    /// One line per rename, for the report.
    func notes(in file: String) -> [String] {
        renames.sorted { $0.value < $1.value }.map { "\(file): capture '\($0.key)' renamed to '\($0.value)'" + ($0.value.hasSuffix("_id") ? " so the correlator joins it" : "") }
    }
}
