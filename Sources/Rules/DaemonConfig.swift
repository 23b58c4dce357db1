import Foundation
import Yams

/// `tracejoin.yaml`: the daemon's own settings. Relative paths resolve against the config
/// directory.
public struct DaemonConfig: Sendable, Hashable {
    /// The configuration directory (absolute).
    public var directory: String
    /// Where the index database and the lock file live (absolute).
    public var stateDirectory: String
    public var intake: Listener
    public var query: Listener
    public var retention: Retention
    public var reload: Reload
    /// The daemon's own log: `logfmt`, `json` or `text`, and the level.
    public var logFormat = "logfmt"
    public var logLevel = "info"
    /// How long a SIGTERM drain may take before the daemon stops anyway (uncommitted lines are
    /// re-read on the next start, so a cut-short drain loses nothing).
    public var drainTimeout: Duration = .seconds(10)
    /// `export.clickhouse`: ship what is stored to ClickHouse (`nil`: no export).
    public var clickhouse: ClickHouseExport?

    /// `fleet`: serve the query API, web view and Jaeger routes from ClickHouse (the exporter's
    /// tables on every shard) instead of a local index: the fleet service (docs/fleet.md).
    public var fleet: Fleet?

    /// The ClickHouse servers the fleet service reads, and how.
    public struct Fleet: Sendable, Hashable {
        /// Each shard's HTTP interface (`url`, or `shards`: one URL each).
        public var urls: [String]
        public var database = "tracejoin"
        public var user: String?
        public var password: String?
        /// How long a shard may take to answer one query (also its `max_execution_time`).
        public var timeout: Duration = .seconds(10)
    }

    /// Where and how the exporter sends (docs/export.md).
    public struct ClickHouseExport: Sendable, Hashable {
        /// ClickHouse's HTTP interface, e.g. `http://127.0.0.1:8123`.
        public var url: String
        public var database = "tracejoin"
        public var user: String?
        /// Read at start; never written inline in tracejoin.yaml.
        public var password: String?
        /// This host's name in the fleet (default: the hostname).
        public var host: String
        public var maxRows = 50_000
        public var maxWait: Duration = .seconds(1)
        /// `auto` (none to a loopback URL, else gzip), `gzip` or `none`.
        public var compression = "auto"
    }

    /// A Unix socket the daemon listens on, and optional TCP addresses with the same routes.
    public struct Listener: Sendable, Hashable {
        public var socketPath: String
        /// File mode of the socket, e.g. `0o660`.
        public var mode: UInt16
        /// TCP listeners: loopback unless `allowNonLoopback`.
        public var tcp: [TCPAddress] = []
        public var allowNonLoopback = false
        /// Largest request body (intake), and largest gRPC message.
        public var maxBodyBytes = 32 << 20
        /// Intake: OTLP/gRPC listeners (the collector's Trace, Logs and Metrics services);
        /// loopback unless `allowNonLoopback`.
        public var grpc: [TCPAddress] = []
        /// Intake: how OTLP log records are stored.
        public var otlpLogs = OTLPLogs()
        /// Intake: the web pages (origins, lowercase, such as `http://localhost:3000`) whose
        /// requests are accepted; a request carrying any other `Origin` gets 403.
        public var allowedOrigins: [String] = []
        /// Query TCP listeners: the file holding the token a request must carry (created, mode
        /// 0600, when missing); `nil`: `STATE_DIR/query.token`.
        public var tokenFile: String?
        /// Query TCP listeners: `token` (the default) or `none` (anyone who can reach the port).
        public var auth: Auth = .token
        /// Query TCP listeners: how long a browser session lasts after its login (fixed, not
        /// extended by use). Sessions live in memory: a restart ends them all.
        public var sessionTTL: Duration = .seconds(12 * 3600)
        /// `limits`: what each of this section's listeners allows a client (docs/configuration.md).
        public var limits = Limits()

        public enum Auth: String, Sendable, Hashable {
            case token
            case none
        }
    }

    /// `intake.limits`, `query.limits`: connections, timeouts, streams and body memory.
    public struct Limits: Sendable, Hashable {
        /// Connections open at once on each listener of the section.
        public var maxConnections = 512
        /// No complete request head within this time of connecting or of the last response
        /// (or a body that stops for this long): the connection is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// A request's head and whole body must arrive within this time.
        public var bodyTimeout: Duration = .seconds(60)
        /// Intake, OTLP/gRPC: concurrent calls on one connection (advertised in SETTINGS).
        public var maxStreams = 100
        /// Intake: request bodies (and gRPC messages) in flight, all listeners together.
        public var bodyMemory = 256 << 20
        public init() {}
    }

    /// `intake.otlp_logs`: OTLP log records become log lines of this source (rule `otlp`).
    public struct OTLPLogs: Sendable, Hashable {
        /// The `source` the lines are stored and counted under.
        public var source = "otlp"
        /// Store records without a trace ID too (as a rule file's `keep_untraced`); by default
        /// they are counted only.
        public var keepUntraced = false
        public init() {}
    }

    public struct TCPAddress: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// `127.0.0.1:8126`, `[::1]:4318`, `localhost:4318`.
        static func parse(_ text: String) -> TCPAddress? {
            var host: Substring
            var port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                port = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, let p = Int(port), (1...65535).contains(p) else { return nil }
            return TCPAddress(host: String(host), port: p)
        }
    }

    /// How rule-file changes are noticed.
    public struct Reload: Sendable, Hashable {
        /// Watch `rules.d/` and `patterns.d/` with inotify.
        public var inotify: Bool
        /// How often every file is looked at anyway, in seconds.
        public var intervalSeconds: Int64
    }

    public struct Retention: Sendable, Hashable {
        /// Records older than this many seconds are deleted.
        public var maxAgeSeconds: Int64
        public var maxBytes: Int64
        /// How often retention runs.
        public var intervalSeconds: Int64 = 10
    }

    public static let fileName = "tracejoin.yaml"

    /// Settings used when `tracejoin.yaml` does not name them.
    public static func defaults(directory: String) -> DaemonConfig {
        DaemonConfig(
            directory: directory,
            stateDirectory: resolvePath("state", against: directory),
            intake: Listener(socketPath: resolvePath("run/intake.sock", against: directory), mode: 0o660),
            query: Listener(socketPath: resolvePath("run/query.sock", against: directory), mode: 0o600),
            retention: Retention(maxAgeSeconds: 72 * 3600, maxBytes: 10 << 30),
            reload: Reload(inotify: true, intervalSeconds: 1)
        )
    }

    /// Loads `DIR/tracejoin.yaml`.
    public static func load(directory: String) throws(ConfigError) -> DaemonConfig {
        let directory = resolvePath(directory, against: currentDirectory())
        let path = directory + "/" + fileName
        let reader = YAMLReader(file: path)
        var config = defaults(directory: directory)
        guard let root = try reader.root(try readText(path)) else { return config }
        let top = try reader.mapping(root, what: "tracejoin.yaml", allowed: ["state_dir", "intake", "query", "retention", "reload", "log", "drain_timeout", "export", "fleet"])
        if let node = top["state_dir"] {
            config.stateDirectory = resolvePath(try reader.string(node, what: "state_dir"), against: directory)
        }
        if let node = top["intake"] {
            config.intake = try listener(node, what: "intake", default: config.intake, reader: reader, directory: directory)
        }
        if let node = top["query"] {
            config.query = try listener(node, what: "query", default: config.query, reader: reader, directory: directory)
        }
        if let node = top["retention"] {
            let r = try reader.mapping(node, what: "retention", allowed: ["max_age", "max_bytes", "interval"])
            if let n = r["interval"] {
                guard let v = parseDuration(try reader.string(n, what: "interval")), v > 0 else {
                    throw reader.error(n, "retention.interval must be a duration such as 10s or 1m")
                }
                config.retention.intervalSeconds = v
            }
            if let n = r["max_age"] {
                guard let v = parseDuration(try reader.string(n, what: "max_age")) else {
                    throw reader.error(n, "max_age must be a duration such as 72h, 30m or 7d")
                }
                config.retention.maxAgeSeconds = v
            }
            if let n = r["max_bytes"] {
                guard let v = parseSize(try reader.string(n, what: "max_bytes")) else {
                    throw reader.error(n, "max_bytes must be a size such as 10GiB, 500MiB or 1048576")
                }
                config.retention.maxBytes = v
            }
        }
        if let n = top["drain_timeout"] {
            guard let d = parseFineDuration(try reader.string(n, what: "drain_timeout")), d >= .milliseconds(100) else {
                throw reader.error(n, "drain_timeout must be a duration of at least 100ms, such as 10s")
            }
            config.drainTimeout = d
        }
        if let node = top["log"] {
            let l = try reader.mapping(node, what: "log", allowed: ["format", "level"])
            if let n = l["format"] {
                let text = try reader.string(n, what: "log.format")
                guard ["logfmt", "json", "text"].contains(text) else { throw reader.error(n, "log.format must be logfmt, json or text") }
                config.logFormat = text
            }
            if let n = l["level"] {
                let text = try reader.string(n, what: "log.level")
                guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(text) else {
                    throw reader.error(n, "log.level must be trace, debug, info, notice, warning, error or critical")
                }
                config.logLevel = text
            }
        }
        if let node = top["export"] {
            let e = try reader.mapping(node, what: "export", allowed: ["clickhouse"])
            if let c = e["clickhouse"] {
                config.clickhouse = try clickhouse(c, reader: reader, directory: directory)
            }
        }
        if let node = top["fleet"] {
            config.fleet = try fleet(node, reader: reader, directory: directory)
            if let n = top["export"] {
                throw reader.error(n, "a fleet service (fleet:) reads ClickHouse and exports nothing: leave export: to the daemons that tail")
            }
        }
        if let node = top["reload"] {
            let r = try reader.mapping(node, what: "reload", allowed: ["inotify", "interval"])
            if let n = r["inotify"] {
                guard let b = Bool(try reader.string(n, what: "reload.inotify")) else { throw reader.error(n, "reload.inotify must be true or false") }
                config.reload.inotify = b
            }
            if let n = r["interval"] {
                guard let v = parseDuration(try reader.string(n, what: "reload.interval")), v > 0 else {
                    throw reader.error(n, "reload.interval must be a duration such as 1s or 5m")
                }
                config.reload.intervalSeconds = v
            }
        }
        return config
    }

    private static func fleet(_ node: Node, reader: YAMLReader, directory: String) throws(ConfigError) -> Fleet {
        let m = try reader.mapping(node, what: "fleet", allowed: ["url", "shards", "database", "user", "password_file", "password", "timeout"])
        var urls: [String] = []
        if let u = m["url"] { urls.append(try reader.string(u, what: "fleet.url")) }
        if let s = m["shards"] {
            guard m["url"] == nil else { throw reader.error(s, "fleet takes url (one server) or shards (a list of URLs), not both") }
            urls = try reader.strings(s, what: "fleet.shards")
            guard !urls.isEmpty, urls.count <= 64 else { throw reader.error(s, "fleet.shards lists 1 to 64 URLs") }
        }
        guard !urls.isEmpty else {
            throw reader.error(node, "fleet needs url (ClickHouse's HTTP interface, such as http://127.0.0.1:8123) or shards (a list of them)")
        }
        for url in urls where !((url.hasPrefix("http://") || url.hasPrefix("https://")) && url.count > 8) {
            throw reader.error(m["url"] ?? m["shards"], "fleet: '\(url)' is not an http:// or https:// URL, such as http://127.0.0.1:8123")
        }
        guard Set(urls).count == urls.count else { throw reader.error(m["shards"], "fleet.shards names a server twice") }
        let access = try clickhouseAccess(m, what: "fleet", reader: reader, directory: directory)
        var result = Fleet(urls: urls, database: access.database, user: access.user, password: access.password)
        if let n = m["timeout"] {
            guard let d = parseFineDuration(try reader.string(n, what: "fleet.timeout")), d >= .milliseconds(100), d <= .seconds(600) else {
                throw reader.error(n, "fleet.timeout must be a duration from 100ms to 10m, such as 10s")
            }
            result.timeout = d
        }
        return result
    }

    /// `database`, `user` and `password_file` of a ClickHouse section (`password` inline is refused).
    private static func clickhouseAccess(_ m: [String: Node], what: String, reader: YAMLReader, directory: String) throws(ConfigError)
        -> (database: String, user: String?, password: String?) {
        var result: (database: String, user: String?, password: String?) = ("tracejoin", nil, nil)
        if let n = m["password"] {
            throw reader.error(n, "\(what).password is not read from tracejoin.yaml: put it in a file (mode 0600) and name it in password_file")
        }
        if let n = m["database"] {
            let name = try reader.string(n, what: "\(what).database")
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw reader.error(n, "\(what).database must be letters, digits and _")
            }
            result.database = name
        }
        if let n = m["user"] { result.user = try reader.string(n, what: "\(what).user") }
        if let n = m["password_file"] {
            let path = resolvePath(try reader.string(n, what: "\(what).password_file"), against: directory)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw reader.error(n, "\(what).password_file: cannot read \(path)")
            }
            result.password = text.trimmingCharacters(in: .newlines)
        }
        return result
    }

    private static func clickhouse(_ node: Node, reader: YAMLReader, directory: String) throws(ConfigError) -> ClickHouseExport {
        let m = try reader.mapping(node, what: "export.clickhouse", allowed: ["url", "database", "user", "password_file", "password", "host", "batch", "compression"])
        guard let u = m["url"] else { throw reader.error(node, "export.clickhouse needs url (ClickHouse's HTTP interface, such as http://127.0.0.1:8123)") }
        let url = try reader.string(u, what: "export.clickhouse.url")
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8 else {
            throw reader.error(u, "export.clickhouse.url must be an http:// or https:// URL, such as http://127.0.0.1:8123")
        }
        var result = ClickHouseExport(url: url, host: ProcessInfo.processInfo.hostName)
        (result.database, result.user, result.password) = try clickhouseAccess(m, what: "export.clickhouse", reader: reader, directory: directory)
        if let n = m["host"] {
            let host = try reader.string(n, what: "export.clickhouse.host")
            guard !host.isEmpty else { throw reader.error(n, "export.clickhouse.host must not be empty") }
            result.host = host
        }
        if let n = m["compression"] {
            let text = try reader.string(n, what: "export.clickhouse.compression")
            guard ["auto", "gzip", "none"].contains(text) else {
                throw reader.error(n, "export.clickhouse.compression must be auto (none to a loopback URL, else gzip), gzip or none")
            }
            result.compression = text
        }
        if let n = m["batch"] {
            let b = try reader.mapping(n, what: "export.clickhouse.batch", allowed: ["max_rows", "max_wait"])
            if let r = b["max_rows"] {
                guard let v = Int(try reader.string(r, what: "export.clickhouse.batch.max_rows")), v >= 1, v <= 10_000_000 else {
                    throw reader.error(r, "export.clickhouse.batch.max_rows must be a number from 1 to 10000000")
                }
                result.maxRows = v
            }
            if let w = b["max_wait"] {
                guard let d = parseFineDuration(try reader.string(w, what: "export.clickhouse.batch.max_wait")), d >= .milliseconds(10) else {
                    throw reader.error(w, "export.clickhouse.batch.max_wait must be a duration of at least 10ms, such as 1s")
                }
                result.maxWait = d
            }
        }
        return result
    }

    private static func listener(_ node: Node, what: String, default base: Listener, reader: YAMLReader, directory: String) throws(ConfigError) -> Listener {
        let allowed = what == "intake" ? ["socket", "mode", "tcp", "grpc", "allow_non_loopback", "max_body", "otlp_logs", "allowed_origins", "limits"]
            : ["socket", "mode", "tcp", "allow_non_loopback", "token_file", "auth", "session_ttl", "limits"]
        let m = try reader.mapping(node, what: what, allowed: allowed)
        var result = base
        if let n = m["socket"] {
            result.socketPath = resolvePath(try reader.string(n, what: "\(what).socket"), against: directory)
            // sun_path holds 108 bytes including the terminating NUL.
            if result.socketPath.utf8.count > 107 {
                throw reader.error(n, "\(what).socket resolves to \(result.socketPath.utf8.count) bytes; Unix socket paths are limited to 107")
            }
        }
        if let n = m["mode"] {
            let text = try reader.string(n, what: "\(what).mode")
            guard let mode = UInt16(text, radix: 8), mode <= 0o777 else {
                throw reader.error(n, "\(what).mode must be octal permission bits such as \"0660\"")
            }
            if mode & 0o002 != 0 {
                throw reader.error(n, "\(what).mode \(text) would make the socket world-writable")
            }
            result.mode = mode
        }
        if let n = m["allow_non_loopback"] {
            guard let b = Bool(try reader.string(n, what: "\(what).allow_non_loopback")) else {
                throw reader.error(n, "\(what).allow_non_loopback must be true or false")
            }
            result.allowNonLoopback = b
        }
        func addresses(_ key: String) throws(ConfigError) -> [TCPAddress] {
            guard let n = m[key] else { return [] }
            var out: [TCPAddress] = []
            for text in try reader.strings(n, what: "\(what).\(key)") {
                guard let address = TCPAddress.parse(text) else {
                    throw reader.error(n, "\(what).\(key): '\(text)' is not host:port (such as 127.0.0.1:4318 or [::1]:8126)")
                }
                guard address.isLoopback || result.allowNonLoopback else {
                    let exposure = what == "intake" ? "spans would be accepted from the network" : "logs and traces would be readable from the network"
                    throw reader.error(n, "\(what).\(key): \(address) is not a loopback address; set \(what).allow_non_loopback: true to listen there (\(exposure))")
                }
                out.append(address)
            }
            return out
        }
        result.tcp = try addresses("tcp")
        result.grpc = try addresses("grpc")
        if let n = m["otlp_logs"] {
            let logs = try reader.mapping(n, what: "\(what).otlp_logs", allowed: ["source", "keep_untraced"])
            if let s = logs["source"] {
                let name = try reader.string(s, what: "\(what).otlp_logs.source")
                guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: "/") }) else {
                    throw reader.error(s, "\(what).otlp_logs.source must be a name without spaces or '/'")
                }
                result.otlpLogs.source = name
            }
            if let k = logs["keep_untraced"] {
                guard let b = Bool(try reader.string(k, what: "\(what).otlp_logs.keep_untraced")) else {
                    throw reader.error(k, "\(what).otlp_logs.keep_untraced must be true or false")
                }
                result.otlpLogs.keepUntraced = b
            }
        }
        if let n = m["allowed_origins"] {
            var origins: [String] = []
            for text in try reader.strings(n, what: "\(what).allowed_origins") {
                if text == "*" || text == "null" {
                    throw reader.error(n, "\(what).allowed_origins: '\(text)' would let any web page write spans; list each page's origin, such as http://localhost:3000")
                }
                guard let origin = parseOrigin(text) else {
                    throw reader.error(n, "\(what).allowed_origins: '\(text)' is not an origin: http:// or https://, a host and an optional port, no path (such as http://localhost:3000)")
                }
                origins.append(origin)
            }
            result.allowedOrigins = origins
        }
        if let n = m["token_file"] {
            result.tokenFile = resolvePath(try reader.string(n, what: "\(what).token_file"), against: directory)
        }
        if let n = m["auth"] {
            guard let auth = Listener.Auth(rawValue: try reader.string(n, what: "\(what).auth")) else {
                throw reader.error(n, "\(what).auth must be token or none")
            }
            result.auth = auth
        }
        if let n = m["session_ttl"] {
            // Whole seconds (a cookie's Max-Age), at most 400 days (what browsers keep a cookie).
            guard let v = parseDuration(try reader.string(n, what: "\(what).session_ttl")), v >= 1, v <= 400 * 86400 else {
                throw reader.error(n, "\(what).session_ttl must be a duration from 1s to 400d, such as 12h")
            }
            result.sessionTTL = .seconds(v)
        }
        if let n = m["max_body"] {
            guard let v = parseSize(try reader.string(n, what: "\(what).max_body")), v >= 1024, v <= 1 << 30 else {
                throw reader.error(n, "\(what).max_body must be a size from 1KiB to 1GiB, such as 32MiB")
            }
            result.maxBodyBytes = Int(v)
        }
        if let n = m["limits"] {
            result.limits = try limits(n, what: "\(what).limits", intake: what == "intake", reader: reader)
            if what == "intake", result.limits.bodyMemory < result.maxBodyBytes {
                throw reader.error(n, "\(what).limits.body_memory (\(result.limits.bodyMemory) bytes) is less than \(what).max_body (\(result.maxBodyBytes)): no request of the largest size could ever be taken")
            }
        } else if result.limits.bodyMemory < result.maxBodyBytes {
            // A max_body above the default budget: room for one such body at least.
            result.limits.bodyMemory = result.maxBodyBytes
        }
        return result
    }

    private static func limits(_ node: Node, what: String, intake: Bool, reader: YAMLReader) throws(ConfigError) -> Limits {
        let keys = ["max_connections", "idle_timeout", "body_timeout"] + (intake ? ["max_streams", "body_memory"] : [])
        let m = try reader.mapping(node, what: what, allowed: keys)
        var result = Limits()
        func count(_ key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int? {
            guard let n = m[key] else { return nil }
            guard let v = Int(try reader.string(n, what: "\(what).\(key)")), range.contains(v) else {
                throw reader.error(n, "\(what).\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return v
        }
        func duration(_ key: String) throws(ConfigError) -> Duration? {
            guard let n = m[key] else { return nil }
            guard let d = parseFineDuration(try reader.string(n, what: "\(what).\(key)")), d >= .milliseconds(100), d <= .seconds(86_400) else {
                throw reader.error(n, "\(what).\(key) must be a duration from 100ms to 24h, such as 60s")
            }
            return d
        }
        if let v = try count("max_connections", 1...1_000_000) { result.maxConnections = v }
        if let v = try count("max_streams", 1...10_000) { result.maxStreams = v }
        if let d = try duration("idle_timeout") { result.idleTimeout = d }
        if let d = try duration("body_timeout") { result.bodyTimeout = d }
        if let n = m["body_memory"] {
            guard let v = parseSize(try reader.string(n, what: "\(what).body_memory")), v >= 1024, v <= 1 << 40 else {
                throw reader.error(n, "\(what).body_memory must be a size from 1KiB to 1TiB, such as 256MiB")
            }
            result.bodyMemory = Int(v)
        }
        return result
    }
}

/// `http://localhost:3000`, `https://App.Example`, `http://[::1]:8080` → the origin as browsers
/// send it in `Origin` (lowercase); `nil` for anything else: another scheme, a path (even `/`),
/// user info, a query, a port out of range.
func parseOrigin(_ text: String) -> String? {
    let origin = text.lowercased()
    let rest: Substring
    if origin.hasPrefix("http://") {
        rest = origin.dropFirst(7)
    } else if origin.hasPrefix("https://") {
        rest = origin.dropFirst(8)
    } else {
        return nil
    }
    var host = rest
    var port: Substring?
    if rest.hasPrefix("[") {
        guard let close = rest.firstIndex(of: "]") else { return nil }
        host = rest[...close]
        let after = rest[rest.index(after: close)...]
        if !after.isEmpty {
            guard after.hasPrefix(":") else { return nil }
            port = after.dropFirst()
        }
        guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
    } else {
        if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            port = rest[rest.index(after: colon)...]
        }
        guard host.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "-" || $0 == "_" }) else { return nil }
    }
    guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return nil }
    guard let port else { return origin }
    guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(port), (1...65535).contains(p) else { return nil }
    // Browsers leave the scheme's default port out of `Origin`.
    let secure = origin.hasPrefix("https://")
    let scheme = secure ? "https://" : "http://"
    if p == (secure ? 443 : 80) { return scheme + String(host) }
    return "\(scheme)\(host):\(p)"
}

/// The longest duration a setting takes, in seconds: what nanoseconds hold (about 292 years).
/// The daemon turns durations into nanoseconds and deadlines (`max_age` into a cut-off time,
/// intervals and timeouts into sleeps), which would overflow beyond it.
let maxDurationSeconds = Int64.max / 1_000_000_000

/// `72h`, `30m`, `45s`, `7d` → seconds; `nil` beyond ``maxDurationSeconds``.
func parseDuration(_ text: String) -> Int64? {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    guard let unit = text.last, let scale = units[unit], let n = Int64(text.dropLast()), n >= 0 else { return nil }
    let (seconds, overflow) = n.multipliedReportingOverflow(by: scale)
    return overflow || seconds > maxDurationSeconds ? nil : seconds
}

/// `250ms`, `5s`, `2m` → a Duration; `nil` beyond ``maxDurationSeconds``.
func parseFineDuration(_ text: String) -> Duration? {
    if text.hasSuffix("ms"), let n = Int64(text.dropLast(2)), n >= 0 { return n <= maxDurationSeconds * 1000 ? .milliseconds(n) : nil }
    return parseDuration(text).map { .seconds($0) }
}

/// `10GiB`, `500MiB`, `64KiB`, `1GB`, `1048576` → bytes; `nil` for a negative size or one
/// beyond 64 bits.
func parseSize(_ text: String) -> Int64? {
    let units: [(String, Int64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        guard let n = Int64(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n >= 0 else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }
    guard let n = Int64(text), n >= 0 else { return nil }
    return n
}

func currentDirectory() -> String {
    FileManager.default.currentDirectoryPath
}
