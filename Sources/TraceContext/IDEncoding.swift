/// How a log rule says an ID token is written.
///
/// The text alone cannot always tell the base: `1295274668589741838` is a plausible decimal
/// span ID and a 16-digit token is valid hex too. Each rule therefore states its encoding.
public enum IDEncoding: String, Sendable, Hashable, CaseIterable {
    /// 32 characters → hex; any of `a–f`/`A–F` → hex; otherwise decimal.
    /// This is what ddtrace writes (32 hex when the trace ID is wider than 64 bits, else decimal).
    case auto
    /// Decimal digits only.
    case decimal
    /// 16 or 32 hex digits, either case (a span ID: 16 only).
    case hex
}
