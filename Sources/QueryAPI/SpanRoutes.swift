import HTTPSupport
import Hummingbird
import ServiceLifecycle
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// `GET /v1/spans/{id}`, `GET /v1/spans/{id}/logs`, `GET /v1/logs/unmatched`, `GET /v1/follow`.
enum SpanRoutes {
    /// The span IDs `text` may mean, in the order to try (``SpanID/lookupCandidates(_:)``).
    static func spanIDs(_ text: String) throws(SearchRoutes.BadParameter) -> [SpanID] {
        let candidates: [SpanID]
        do {
            candidates = try SpanID.lookupCandidates(text)
        } catch {
            throw SearchRoutes.BadParameter(name: "span id", message: "'\(text)': \(error.message)")
        }
        guard !candidates.isEmpty else { throw SearchRoutes.BadParameter(name: "span id", message: "'\(text)' is a zero or empty ID") }
        return candidates
    }

    /// The span (without children) and its log lines, under the first of the IDs `text` may
    /// mean that is known (``SpanID/lookupCandidates(_:)``: 16 digits are decimal, then hex).
    static func span(_ text: String, logsOnly: Bool, reader: any TraceReader) async throws -> Response {
        let candidates: [SpanID]
        do throws(SearchRoutes.BadParameter) {
            candidates = try spanIDs(text)
        } catch {
            return error.response
        }
        var found: (span: SpanRecord, logs: [LogRecord])?
        for id in candidates where found == nil {
            found = try await reader.span(id)
        }
        guard let (span, logs) = found else {
            return JSONReply.error(.notFound, "span not found", detail: "no span is known with ID \(text)")
        }
        return JSONReply.response(json: SpanDocument.json(span, logs: logs, logsOnly: logsOnly))
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
            grace = try p["grace"].map { (t) throws(SearchRoutes.BadParameter) in try ago(t, "grace", now: now) } ?? 30 * 1_000_000_000
            samples = try SearchRoutes.limit(p["samples"], default: 3, max: 20)
        } catch {
            return error.response
        }
        let groups = try await reader.unmatched(since: since, until: now - grace, samples: samples)
        return JSONReply.response(json: UnmatchedDocument.json(groups, since: since, graceSeconds: grace / 1_000_000_000))
    }

    /// How long before `now` the time `text` is (as `since` takes it), in nanoseconds. A time
    /// further back than nanoseconds reach from `now` (`1200-01-01T00:00:00Z`, a duration of
    /// 10^17 days, which ``SearchRoutes/time(_:_:)`` clamps to the earliest time) is as long ago
    /// as they hold.
    static func ago(_ text: Substring, _ name: String, now: Int64) throws(SearchRoutes.BadParameter) -> Int64 {
        let time = try SearchRoutes.time(text, name)
        let (ago, overflow) = now.subtractingReportingOverflow(time)
        return overflow ? .max : ago
    }

    /// Ids a follow stream reads in one look (a fraction of the search's scan bound).
    static let followWindow: Int64 = 1 << 18

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
            // Streams end when the daemon stops (`stopping`) or the client goes away: a write
            // fails then, and the listener closes a connection whose peer shut its side down
            // (``ConnectionLimits/closeWhenPeerLeaves``), so the empty write of an idle poll
            // notices a client that left without waiting for a matching line.
            while !Task.isCancelled && !stopping() {
                let newest = try await reader.lastLogID()
                guard newest > last else {
                    // Nothing stored since the last look: no scan at all while idle.
                    try await writer.write(ByteBuffer())
                    try await Task.sleep(for: poll)
                    continue
                }
                // Each look reads one window of ids once, whether or not its lines match: the
                // cost follows what is stored, not how long the client has waited.
                let upper = newest - last > followWindow ? last + followWindow : newest
                query.after = last
                query.before = upper + 1
                let page = try await reader.logs(query)
                var w = JSONWriter(capacity: 512 * max(1, page.records.count))
                var through = upper
                for entry in page.records {
                    RecordJSON.entry(id: entry.id, ingested: entry.ingested, entry.record, to: &w)
                    w.lineEnd()
                }
                if page.records.count >= query.limit, let lastID = page.records.last?.id {
                    // A full page: more of the window remains, read next without waiting.
                    through = lastID
                }
                last = through
                if !w.bytes.isEmpty { try await writer.write(ByteBuffer(bytes: w.bytes)) }
            }
            try await writer.finish(nil)
        })
    }
}
