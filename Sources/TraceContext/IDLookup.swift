// How a trace or span ID typed by a person (a URL, a search box, the CLI) is looked up.
//
// A typed ID comes without a rule saying its encoding, and some texts read two ways: sixteen
// decimal digits are both a Datadog decimal ID and a valid hex one. The lookup tries each
// reading in turn and takes the first that anything is stored under. These functions are the
// one place that says which readings there are and in which order; every lookup of one trace or
// span asks them (a search filter, `/v1/logs?trace_id=`, reads the ID as `.auto` only: it
// cannot tell "nothing under the first reading" from "nothing logged yet").

extension TraceID {
    /// The conventions a typed trace ID is read by: they decide which reading comes first.
    public enum LookupConvention: Sendable, Hashable {
        /// Tracejoin's own (its API, web view and CLI): as ``IDEncoding/auto`` reads a log line —
        /// 32 characters or any hex letter is hex, other digits are Datadog's decimal — and then,
        /// for a text of exactly 16 decimal digits, the same text as hex.
        case tracejoin
        /// Jaeger's (its API, which Grafana and Jaeger UI call): 1 to 32 hex digits in any case,
        /// leading zeros dropped as Grafana shows them; then, for digits only, Datadog's decimal.
        /// A text that is neither has no reading (no error).
        case jaeger
    }

    /// The trace IDs `text` may mean, in the order to look them up, without repeats.
    ///
    /// - Returns: an empty array for the "no trace" forms (`0`, all-zero hex, empty, `-`…), and,
    ///   with `.jaeger`, for a text that is not an ID.
    /// - Throws: ``IDParseError`` (with `.tracejoin` only) when `text` is not an ID in any
    ///   accepted form, naming what is wrong with it.
    public static func lookupCandidates(_ text: some StringProtocol, convention: LookupConvention = .tracejoin) throws(IDParseError) -> [TraceID] {
        switch convention {
        case .tracejoin:
            guard let first = try parse(text, encoding: .auto) else { return [] }
            // `auto` read 16 plain digits as decimal; they are valid hex too.
            if text.utf8.count == 16, let hex = try? parse(text, encoding: .hex), hex != first {
                return [first, hex]
            }
            return [first]
        case .jaeger:
            var out: [TraceID] = []
            let count = text.utf8.count
            if count >= 1, count <= 32, text.utf8.allSatisfy(IDLookup.isHexDigit) {
                let padded = String(repeating: "0", count: (count <= 16 ? 16 : 32) - count) + text.lowercased()
                if let id = try? parse(padded, encoding: .hex) { out.append(id) }
            }
            // 39 digits hold any 128-bit value.
            if count >= 1, count <= 39, text.utf8.allSatisfy(IDLookup.isDecimalDigit),
               let id = try? parse(text, encoding: .decimal), !out.contains(id) {
                out.append(id)
            }
            return out
        }
    }
}

extension SpanID {
    /// The span IDs `text` may mean, in the order to look them up, without repeats: as
    /// ``IDEncoding/auto`` reads it (any hex letter: hex; else Datadog's decimal, as ddtrace
    /// logs span IDs), then, for a text of exactly 16 decimal digits, the same text as hex.
    ///
    /// - Returns: an empty array for the "no span" forms (`0`, all-zero hex, empty, `-`…).
    /// - Throws: ``IDParseError`` when `text` is not a span ID in any accepted form.
    public static func lookupCandidates(_ text: some StringProtocol) throws(IDParseError) -> [SpanID] {
        guard let first = try parse(text, encoding: .auto) else { return [] }
        if text.utf8.count == 16, let hex = try? parse(text, encoding: .hex), hex != first {
            return [first, hex]
        }
        return [first]
    }
}

/// Byte classes for the lookup rules above.
enum IDLookup {
    static func isDecimalDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDecimalDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }
}
