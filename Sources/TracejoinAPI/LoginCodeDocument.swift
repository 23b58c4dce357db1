/// `POST /v1/login-code` (query socket only): a one-time code that logs a browser in to a query
/// TCP listener at `path` (`tracejoin login-link`).
public struct LoginCodeDocument: Codable, Sendable, Equatable {
    public var code: String
    public var expires_in_s: Int64
    public var path: String

    public init(code: String, expiresInSeconds: Int64) {
        self.code = code
        expires_in_s = expiresInSeconds
        path = "/login?code=" + code
    }
}
