import Foundation
import HTTPSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Refusals counted from the budget's callback.
final class Refusals: Sendable {
    let count = Atomic<Int>(0)
}

/// The memory budget all request bodies in flight share.
@Suite("Body budget")
struct BodyBudgetTests {
    @Test func reservesUpToTheLimitAndNoMore() {
        let refusals = Refusals()
        let budget = BodyBudget(limit: 100, onRefused: { refusals.count.add(1, ordering: .relaxed) })
        #expect(budget.reserve(60))
        #expect(budget.reserve(40))
        #expect(budget.inUse == 100)
        // Nothing is reserved by a refusal, and each refusal is counted.
        #expect(!budget.reserve(1))
        #expect(budget.inUse == 100)
        #expect(refusals.count.load(ordering: .relaxed) == 1)
        budget.release(40)
        #expect(budget.inUse == 60)
        #expect(!budget.reserve(41))
        #expect(budget.reserve(40))
        #expect(refusals.count.load(ordering: .relaxed) == 2)
    }

    @Test func aReleaseNeverGoesBelowZero() {
        let budget = BodyBudget(limit: 10)
        #expect(budget.reserve(5))
        budget.release(50)
        #expect(budget.inUse == 0)
        #expect(budget.reserve(10))
    }

    @Test func aHugeReservationDoesNotOverflow() {
        let budget = BodyBudget(limit: 100)
        #expect(budget.reserve(10))
        #expect(!budget.reserve(Int.max))
        #expect(budget.inUse == 10)
    }

    /// A router with the budget in front of one route that says what is reserved while it runs.
    static func application(_ budget: BodyBudget, maxBodyBytes: Int) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: BodyBudgetMiddleware(budget: budget, maxBodyBytes: maxBodyBytes))
        router.post("/reserved") { _, _ -> String in "\(budget.inUse)" }
        router.get("/reserved") { _, _ -> String in "\(budget.inUse)" }
        return Application(router: router)
    }

    @Test func aDeclaredBodyIsHeldWhileItsRouteRuns() async throws {
        let budget = BodyBudget(limit: 1000)
        try await Self.application(budget, maxBodyBytes: 500).test(.live) { client in
            try await client.execute(uri: "/reserved", method: .post, headers: [.contentLength: "300"],
                                     body: ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 300))) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "300")
            }
            // A GET reserves nothing.
            try await client.execute(uri: "/reserved", method: .get) { response in
                #expect(String(buffer: response.body) == "0")
            }
        }
        #expect(budget.inUse == 0)
    }

    @Test func overTheBudgetIs503WithRetryAfter() async throws {
        let budget = BodyBudget(limit: 100)
        #expect(budget.reserve(80))
        try await Self.application(budget, maxBodyBytes: 500).test(.live) { client in
            try await client.execute(uri: "/reserved", method: .post, headers: [.contentLength: "50"],
                                     body: ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 50))) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                let body = try JSONDecoder().decode(JSONReply.ErrorBody.self, from: Data(String(buffer: response.body).utf8))
                #expect(body.error.contains("body_memory"))
            }
        }
        #expect(budget.inUse == 80)
    }

    @Test func overTheBodyLimitIs413AndBadLengthsAre400() async throws {
        let budget = BodyBudget(limit: 10_000)
        try await Self.application(budget, maxBodyBytes: 500).test(.live) { client in
            try await client.execute(uri: "/reserved", method: .post, headers: [.contentLength: "501"],
                                     body: ByteBuffer(bytes: [UInt8](repeating: 0x61, count: 501))) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/reserved", method: .post, headers: [.contentLength: "-1"]) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(budget.inUse == 0)
    }
}
