import Foundation
import TracejoinAPI
import TracejoinModel

/// Where OTLP log records go from either listener (OTLP/HTTP `/v1/logs`, the gRPC LogsService):
/// decoded, stored like tailed lines, and counted under their source and the rule `otlp` as a
/// rule file's lines are, so `/v1/stats` and `/metrics` show them as they show a file source.
public final class LogIntake: Sendable {
    let sink: any LogRecordSink
    public let source: String
    let keepUntraced: Bool
    let counters: CounterRegistry

    public init(sink: any LogRecordSink, source: String = "otlp", keepUntraced: Bool = false, counters: CounterRegistry) {
        self.sink = sink
        self.source = source
        self.keepUntraced = keepUntraced
        self.counters = counters
    }

    /// How a request from `origin` (`otlp/http`, `otlp/grpc`) is decoded.
    public func options(origin: String) -> OTLPLogDecoder.Options {
        OTLPLogDecoder.Options(source: source, keepUntraced: keepUntraced, origin: origin)
    }

    /// Stores a decoded request (all of it or none), then counts it.
    ///
    /// - Throws: ``IngestPaused`` while the index refuses writes; nothing is stored or counted.
    public func store(_ decoded: OTLPLogDecoder.Decoded, protocolName: String) async throws {
        if !decoded.records.isEmpty { try await sink.append(decoded.records) }
        let rule = counters.rule(source: source, rule: OTLPLogDecoder.rule)
        rule.matched.add(decoded.total)
        rule.withTrace.add(decoded.traced)
        rule.withoutTrace.add(decoded.total - decoded.traced)
        counters.intake.counter("log_records", protocolName).add(decoded.total)
    }
}
