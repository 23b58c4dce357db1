import TracejoinModel
import TracejoinSupport

/// Browser sessions of the query API's TCP listeners: what a browser holds instead of the token.
///
/// - A **session** is a random ID (32 bytes from `SystemRandomNumberGenerator`, as 64 lowercase
///   hex digits) that expires a fixed `ttl` after the login that opened it (12 h by default,
///   `query.session_ttl`); using it does not extend it. Logging out closes it. At most
///   `maxSessions` are open: a login beyond that closes the oldest.
/// - A **login code** is a random one-time code (16 bytes, 32 hex digits) that opens a session
///   without the token: `GET /login?code=…`, the link `tracejoin serve` prints on a terminal and
///   `tracejoin login-link` asks the query socket for. It is valid for `codeTTL` (10 minutes) and
///   consumed by its first use, valid or not; at most `maxCodes` are outstanding (minting one
///   more drops the oldest).
///
/// Both live in memory only: a restart closes every session and drops every code. The token is
/// read at start, so changing it (which takes a restart) logs every browser out.
public final class Sessions: Sendable {
    public static let defaultTTL: Duration = .seconds(12 * 3600)
    public static let defaultCodeTTL: Duration = .seconds(600)
    public static let defaultMaxSessions = 1024
    public static let defaultMaxCodes = 16

    /// How long a session lasts after its login (fixed, not sliding).
    public let ttl: Duration
    /// How long a login code may wait for its one use.
    public let codeTTL: Duration
    public let maxSessions: Int
    public let maxCodes: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Locked<State>(State())

    private struct Entry: Sendable {
        var expires: ContinuousClock.Instant
        /// Order of creation: the smallest is the oldest.
        var serial: UInt64
    }

    private struct State: Sendable {
        var sessions: [String: Entry] = [:]
        var codes: [String: Entry] = [:]
        var serial: UInt64 = 0

        mutating func purge(_ now: ContinuousClock.Instant) {
            sessions = sessions.filter { $0.value.expires > now }
            codes = codes.filter { $0.value.expires > now }
        }

        mutating func next() -> UInt64 {
            serial &+= 1
            return serial
        }

        /// Adds `key` to the table at `table`, expiring at `expires`, after dropping expired
        /// entries and, at `limit`, the oldest.
        mutating func add(_ key: String, to table: WritableKeyPath<State, [String: Entry]>, limit: Int,
                          expires: ContinuousClock.Instant, now: ContinuousClock.Instant) {
            purge(now)
            while self[keyPath: table].count >= limit, let oldest = self[keyPath: table].min(by: { $0.value.serial < $1.value.serial })?.key {
                self[keyPath: table][oldest] = nil
            }
            let serial = next()
            self[keyPath: table][key] = Entry(expires: expires, serial: serial)
        }
    }

    /// - Parameter now: the clock (injected by tests); `ContinuousClock` by default, which keeps
    ///   counting while the machine sleeps.
    public init(ttl: Duration = Sessions.defaultTTL, codeTTL: Duration = Sessions.defaultCodeTTL,
                maxSessions: Int = Sessions.defaultMaxSessions, maxCodes: Int = Sessions.defaultMaxCodes,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.ttl = ttl
        self.codeTTL = codeTTL
        self.maxSessions = max(1, maxSessions)
        self.maxCodes = max(1, maxCodes)
        self.now = now
    }

    /// `ttl` in whole seconds (rounded up), for a cookie's `Max-Age`.
    public var ttlSeconds: Int64 {
        let c = ttl.components
        return max(1, c.seconds + (c.attoseconds > 0 ? 1 : 0))
    }

    /// `codeTTL` in whole seconds.
    public var codeTTLSeconds: Int64 { max(1, codeTTL.components.seconds) }

    // MARK: Sessions

    /// Opens a session and returns its ID. When `maxSessions` are open, the oldest is closed.
    public func open() -> String {
        let id = Self.randomHex(bytes: 32)
        let t = now()
        let lifetime = self.ttl, limit = self.maxSessions
        state.withLock { (s: inout State) in s.add(id, to: \.sessions, limit: limit, expires: t + lifetime, now: t) }
        return id
    }

    /// Whether `id` names an open session that has not expired.
    public func isOpen(_ id: String) -> Bool {
        guard Self.isHex(id, length: 64) else { return false }
        let t = now()
        return state.withLock { (s: inout State) -> Bool in
            guard let entry = s.sessions[id] else { return false }
            guard entry.expires > t else {
                s.sessions[id] = nil
                return false
            }
            return true
        }
    }

    /// Closes the session `id` (logout). Returns whether it was open.
    @discardableResult
    public func close(_ id: String) -> Bool {
        guard Self.isHex(id, length: 64) else { return false }
        return state.withLock { (s: inout State) -> Bool in s.sessions.removeValue(forKey: id) != nil }
    }

    /// Closes every session and drops every code.
    public func closeAll() {
        state.withLock { (s: inout State) in
            s.sessions.removeAll()
            s.codes.removeAll()
        }
    }

    /// Sessions open now (expired ones not counted).
    public var openCount: Int {
        let t = now()
        return state.withLock { (s: inout State) -> Int in
            s.purge(t)
            return s.sessions.count
        }
    }

    // MARK: One-time login codes

    /// A new one-time login code. When `maxCodes` are outstanding, the oldest is dropped.
    public func mintCode() -> String {
        let code = Self.randomHex(bytes: 16)
        let t = now()
        let lifetime = self.codeTTL, limit = self.maxCodes
        state.withLock { (s: inout State) in s.add(code, to: \.codes, limit: limit, expires: t + lifetime, now: t) }
        return code
    }

    /// Consumes `code`: the ID of a new session if the code was outstanding and had not expired,
    /// else `nil`. Either way the code is gone.
    public func redeem(_ code: String) -> String? {
        guard Self.isHex(code, length: 32) else { return nil }
        let t = now()
        let valid = state.withLock { (s: inout State) -> Bool in
            guard let entry = s.codes.removeValue(forKey: code) else { return false }
            return entry.expires > t
        }
        return valid ? open() : nil
    }

    /// Codes outstanding now (expired ones not counted).
    public var outstandingCodes: Int {
        let t = now()
        return state.withLock { (s: inout State) -> Int in
            s.purge(t)
            return s.codes.count
        }
    }

    // MARK: Helpers

    /// `bytes` bytes from the system's cryptographically secure generator, as lowercase hex.
    static func randomHex(bytes: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: .min ... .max, using: &rng)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Exactly `length` lowercase hex digits: what this type hands out (anything else is not
    /// looked up at all).
    static func isHex(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// Whether the request being answered came with a browser session (set by
/// ``TokenAuthMiddleware`` around the route): the web view's header then shows a logout button.
enum BrowserSession {
    @TaskLocal static var active: Bool = false
}
