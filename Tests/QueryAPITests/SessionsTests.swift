import Hummingbird
@testable import QueryAPI
import Testing
import TracejoinModel
import TracejoinSupport

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    let base: ContinuousClock.Instant = .now
    private let offset = Locked<Duration>(.zero)

    var now: ContinuousClock.Instant { base + offset.withLock { $0 } }

    func advance(_ by: Duration) { offset.withLock { $0 += by } }
}

@Suite("Browser sessions and one-time login codes")
struct SessionsTests {
    @Test func aSessionIsRandomHexAndOpenUntilItsFixedExpiry() {
        let clock = ManualClock()
        let sessions = Sessions(ttl: .seconds(10), now: { clock.now })
        let id = sessions.open()
        #expect(id.utf8.count == 64 && Sessions.isHex(id, length: 64))
        #expect(id != sessions.open())
        #expect(sessions.isOpen(id))
        clock.advance(.seconds(9))
        // Used at 9 s: the expiry stays where it was (fixed, not sliding).
        #expect(sessions.isOpen(id))
        clock.advance(.seconds(1))
        #expect(!sessions.isOpen(id))
        #expect(sessions.openCount == 0)
        #expect(sessions.ttlSeconds == 10)
    }

    @Test func logoutClosesOnlyThatSession() {
        let sessions = Sessions()
        let a = sessions.open(), b = sessions.open()
        #expect(sessions.close(a))
        #expect(!sessions.isOpen(a))
        #expect(sessions.isOpen(b))
        #expect(!sessions.close(a))
        sessions.closeAll()
        #expect(!sessions.isOpen(b))
    }

    @Test func onlyWellFormedIDsAreLookedUp() {
        let sessions = Sessions()
        let id = sessions.open()
        #expect(!sessions.isOpen(id.uppercased()))
        #expect(!sessions.isOpen(String(id.dropLast())))
        #expect(!sessions.isOpen(id + "0"))
        #expect(!sessions.isOpen(""))
    }

    @Test func theOldestSessionIsClosedBeyondTheBound() {
        let sessions = Sessions(maxSessions: 3)
        let ids = (0..<4).map { _ in sessions.open() }
        #expect(!sessions.isOpen(ids[0]))
        #expect(ids.dropFirst().allSatisfy { sessions.isOpen($0) })
        #expect(sessions.openCount == 3)
    }

    @Test func aCodeWorksOnce() {
        let sessions = Sessions()
        let code = sessions.mintCode()
        #expect(code.utf8.count == 32 && Sessions.isHex(code, length: 32))
        let id = sessions.redeem(code)
        #expect(id != nil)
        #expect(id.map { sessions.isOpen($0) } == true)
        #expect(sessions.redeem(code) == nil)
        #expect(sessions.outstandingCodes == 0)
    }

    @Test func aCodeExpiresAfterTenMinutesAndIsSpentAnyway() {
        let clock = ManualClock()
        let sessions = Sessions(now: { clock.now })
        let late = sessions.mintCode(), inTime = sessions.mintCode()
        clock.advance(.seconds(599))
        #expect(sessions.redeem(inTime) != nil)
        clock.advance(.seconds(1))
        #expect(sessions.redeem(late) == nil)
        #expect(sessions.outstandingCodes == 0)
        #expect(sessions.codeTTLSeconds == 600)
    }

    @Test func theOldestCodeIsDroppedBeyondTheBound() {
        let sessions = Sessions(maxCodes: 2)
        let codes = (0..<3).map { _ in sessions.mintCode() }
        #expect(sessions.outstandingCodes == 2)
        #expect(sessions.redeem(codes[0]) == nil)
        #expect(sessions.redeem(codes[1]) != nil)
        #expect(sessions.redeem(codes[2]) != nil)
    }

    @Test func aSessionIDIsNotACodeNorTheOtherWayRound() {
        let sessions = Sessions()
        let code = sessions.mintCode()
        #expect(!sessions.isOpen(code))
        let id = sessions.open()
        #expect(sessions.redeem(id) == nil)
        #expect(sessions.isOpen(id))
    }
}

@Suite("Token login: comparison, cookies, redirects")
struct TokenAuthTests {
    let token = "0123456789abcdef0123456789abcdef"
    var auth: TokenAuthMiddleware<BasicRequestContext> {
        TokenAuthMiddleware(token: token, sessions: Sessions(), port: 16686)
    }

    @Test func theTokenMatchesOnlyWhole() {
        #expect(auth.matches(token))
        #expect(!auth.matches(String(token.dropLast())))
        #expect(!auth.matches(token + "0"))
        #expect(!auth.matches(String(repeating: token, count: 5)))
        #expect(!auth.matches(""))
        #expect(!TokenAuthMiddleware<BasicRequestContext>(token: "", sessions: Sessions(), port: 1).matches(""))
    }

    @Test func theCookieNameCarriesThePort() {
        #expect(auth.cookieName == "tracejoin_session_16686")
        let header = "other=1; tracejoin_session_16686=abc; tracejoin_session_16687=def; tracejoin_session_16686=ghi"
        #expect(TokenAuthMiddleware<BasicRequestContext>.cookies("tracejoin_session_16686", in: header) == ["abc", "ghi"])
        #expect(TokenAuthMiddleware<BasicRequestContext>.cookies("tracejoin_session", in: header).isEmpty)
    }

    @Test(arguments: ["/", "/trace/6b0ba997?logs_limit=10", "/logs?q=a%20b"])
    func aLocalPathIsFollowed(_ path: String) {
        #expect(TokenAuthMiddleware<BasicRequestContext>.localPath(path) == path)
    }

    @Test(arguments: ["", "//evil.example/", "/\\evil.example", "https://evil.example/", "evil", "/a b", "/a\u{7F}", "/" + String(repeating: "a", count: 2048)])
    func anythingElseIsNot(_ path: String) {
        #expect(TokenAuthMiddleware<BasicRequestContext>.localPath(path) == nil)
    }
}
