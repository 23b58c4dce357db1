import HTTPSupport
import Hummingbird
import ServiceLifecycle
import TraceContext
import TracejoinModel

/// `GET /v1/spans/{id}`, `GET /v1/spans/{id}/logs`, `GET /v1/logs/unmatched`, `GET /v1/follow`.
enum SpanRoutes {
    static func spanID(_ text: String) throws(SearchRoutes.BadParameter) -> SpanID {
        let parsed: SpanID?
        do {
            parsed = try SpanID.parse(text, encoding: .auto)
        } catch {
            throw SearchRoutes.BadParameter(name: "span id", message: "'\(text)': \(error.message)")
        }
        guard let parsed else { throw SearchRoutes.BadParameter(name: "span id", message: "'\(text)' is a zero or empty ID") }
        return parsed
    }

    /// The span (without children) and its log lines. A 16-digit token is tried as decimal, then hex.
    static func span(_ text: String, logsOnly: Bool, reader: any TraceReader) async throws -> Response {
        let id: SpanID
        do throws(SearchRoutes.BadParameter) {
            id = try spanID(text)
        } catch {
            return error.response
        }
        var found = try await reader.span(id)
        if found == nil, text.utf8.count == 16, let hex = try? SpanID.parse(text, encoding: .hex) {
            found = try await reader.span(hex)
        }
        guard let (span, logs) = found else {
            return JSONReply.error(.notFound, "span not found", detail: "no span is known with ID \(text)")
        }
        let lines = logs.map(TraceDocument.Log.init)
        if logsOnly { return JSONReply.response(["logs": lines]) }
        return JSONReply.response(SpanDocument(trace_id: span.traceID.hex, trace_id_dd: span.traceID.lowDecimal,
                                               span: TraceDocument.Span(span, children: [], logs: lines)))
    }

    struct SpanDocument: Encodable {
        var trace_id: String
        var trace_id_dd: String
        var span: TraceDocument.Span
    }

    /// `?since=&grace=&samples=`: lines whose trace no span has claimed, by source and rule.
    static func unmatched(_ request: Request, reader: any TraceReader) async throws -> Response {
        let p = request.uri.queryParameters
        let now = Timestamps.now()
        let since: Int64
        let grace: Int64
        let samples: Int
        do throws(SearchRoutes.BadParameter) {
            since = try p["since"].map { (t) throws(SearchRoutes.BadParameter) in try SearchRoutes.time(t, "since") } ?? now - 3600 * 1_000_000_000
            grace = try p["grace"].map { (t) throws(SearchRoutes.BadParameter) in now - (try SearchRoutes.time(t, "grace")) } ?? 30 * 1_000_000_000
            samples = try SearchRoutes.limit(p["samples"], default: 3, max: 20)
        } catch {
            return error.response
        }
        let groups = try await reader.unmatched(since: since, until: now - grace, samples: samples)
        return JSONReply.response(UnmatchedDocument(
            since: Timestamps.iso8601(nanoseconds: since), grace_seconds: grace / 1_000_000_000,
            groups: groups.map { UnmatchedDocument.Group(source: $0.source, rule: $0.rule, lines: $0.count, traces: $0.traces,
                                                         samples: $0.samples.map { LogsDocument.Entry(id: "", ingested_at: "", record: $0) }) }))
    }

    struct UnmatchedDocument: Encodable {
        var since: String
        var grace_seconds: Int64
        var groups: [Group]
        struct Group: Encodable {
            var source: String
            var rule: String
            var lines: Int
            var traces: Int
            var samples: [LogsDocument.Entry]
        }
    }

    /// `?trace_id=|service=|level=|source=|q=`: a live NDJSON stream (chunked) of the lines
    /// stored from now on that match, one object per line as in `/v1/logs`, until the client
    /// goes away.
    static func follow(_ request: Request, reader: any TraceReader, stopping: @escaping @Sendable () -> Bool,
                       poll: Duration = .milliseconds(200)) async throws -> Response {
        var filters: LogQuery
        do throws(SearchRoutes.BadParameter) {
            filters = try SearchRoutes.logQuery(request)
        } catch {
            return error.response
        }
        filters.limit = 500
        filters.before = nil
        let start = try await reader.lastLogID()
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody { [filters] writer in
            var query = filters
            var last = start
            // Streams end when the daemon stops (`stopping`) or the client goes away (a write fails).
            while !Task.isCancelled && !stopping() {
                query.after = last
                let page = try await reader.logs(query)
                if page.records.isEmpty {
                    try await Task.sleep(for: poll)
                    continue
                }
                var text = ""
                for entry in page.records {
                    text += JSONReply.line(LogsDocument.Entry(id: String(entry.id), ingested_at: Timestamps.iso8601(nanoseconds: entry.ingested),
                                                              record: entry.record))
                    last = max(last, entry.id)
                }
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        })
    }
}
