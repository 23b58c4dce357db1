import Hummingbird
import NIOConcurrencyHelpers

/// The memory all request bodies in flight may hold together, across a daemon's listeners.
///
/// Each request reserves its declared `Content-Length` before a byte of its body is read (a
/// chunked body reserves as its chunks arrive); what is over the budget gets 503 with
/// `Retry-After`, which every tracer and OTLP exporter retries. The reservation is held until
/// the request's answer is made, so it covers the body and its decoding.
public final class BodyBudget: Sendable {
    public let limit: Int
    private let used = NIOLockedValueBox(0)
    /// Called for each refusal (the daemon counts them: `refused_body_memory` in /v1/stats).
    private let onRefused: @Sendable () -> Void

    public init(limit: Int, onRefused: @escaping @Sendable () -> Void = {}) {
        self.limit = limit
        self.onRefused = onRefused
    }

    /// Reserves `bytes`; false (nothing reserved) when that would exceed the budget.
    public func reserve(_ bytes: Int) -> Bool {
        let ok = used.withLockedValue { used in
            guard bytes <= limit - used else { return false }
            used += bytes
            return true
        }
        if !ok { onRefused() }
        return ok
    }

    public func release(_ bytes: Int) {
        used.withLockedValue { $0 = max(0, $0 - bytes) }
    }

    /// Bytes reserved now.
    public var inUse: Int { used.withLockedValue { $0 } }

    static func overBudget(_ budget: Int) -> HTTPError {
        HTTPError(.serviceUnavailable, headers: [.retryAfter: "1"],
                  message: "request bodies in flight are at the limit of \(budget) bytes (intake.limits.body_memory); retry")
    }
}

/// Holds each `POST`/`PUT` body's reservation in a ``BodyBudget`` while its route runs.
public struct BodyBudgetMiddleware<Context: RequestContext>: RouterMiddleware {
    let budget: BodyBudget
    /// Largest body one request may send; a larger declared one gets 413 before it is read.
    let maxBodyBytes: Int

    public init(budget: BodyBudget, maxBodyBytes: Int) {
        self.budget = budget
        self.maxBodyBytes = maxBodyBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post || request.method == .put else { return try await next(request, context) }
        if let text = request.headers[.contentLength] {
            guard let declared = Int(text), declared >= 0 else {
                throw HTTPError(.badRequest, message: "Content-Length '\(text.prefix(40))' is not a byte count")
            }
            if declared > maxBodyBytes {
                throw HTTPError(.contentTooLarge, message: "a body of \(declared) bytes is over the limit of \(maxBodyBytes) (intake.max_body)")
            }
            guard budget.reserve(declared) else { throw BodyBudget.overBudget(budget.limit) }
            defer { budget.release(declared) }
            return try await next(request, context)
        }
        // Chunked: reserved as it arrives.
        let held = Held(budget)
        defer { held.releaseAll() }
        var request = request
        let body = request.body
        request.body = RequestBody(asyncSequence: body.map { chunk in
            guard held.take(chunk.readableBytes) else { throw BodyBudget.overBudget(held.budget.limit) }
            return chunk
        })
        return try await next(request, context)
    }

    /// What one chunked request has reserved so far.
    final class Held: Sendable {
        let budget: BodyBudget
        private let bytes = NIOLockedValueBox(0)
        init(_ budget: BodyBudget) { self.budget = budget }
        func take(_ n: Int) -> Bool {
            guard budget.reserve(n) else { return false }
            bytes.withLockedValue { $0 += n }
            return true
        }
        func releaseAll() {
            budget.release(bytes.withLockedValue { b in defer { b = 0 }; return b })
        }
    }
}
