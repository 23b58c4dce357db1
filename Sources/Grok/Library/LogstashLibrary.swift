/// Which field names the Logstash patterns capture into: Logstash's two pattern sets.
///
/// `legacy` (Logstash 7's default, `ecs_compatibility => disabled`) captures flat names
/// (`clientip`, `verb`, `response`); `ecs` (Logstash 8's default, `ecs_compatibility => v1`)
/// captures Elastic Common Schema paths (`[source][address]`, `[http][request][method]`), which
/// Tracejoin flattens to dotted names (`source.address`). A rule file chooses with
/// `pattern_set:`; legacy by default.
public enum PatternSet: String, Sendable, CaseIterable, Hashable {
    case legacy, ecs
}

/// The Logstash pattern library (the names and capture names operators' rules use), written
/// for Tracejoin from the formats each pattern parses (docs/grok.md lists them).
///
/// Each file under `Library/Legacy/` defines one of Logstash's pattern files as a dictionary;
/// each under `Library/ECS/` (named `FILE+ECS.swift`: a module needs unique file names) the definitions that capture differently in the ECS set (the rest
/// are shared). Tracejoin's own patterns (`TRACEID`, `SPANID`, …) are in ``BuiltinPatterns``.
enum LogstashLibrary {
    /// Logstash's pattern files, legacy set.
    static let legacyFiles: [(file: String, patterns: [String: String])] = [
        ("grok-patterns", legacyCore), ("linux-syslog", legacySyslog), ("httpd", legacyHTTPD), ("java", legacyJava),
        ("haproxy", legacyHAProxy), ("rails", legacyRails), ("redis", legacyRedis), ("ruby", legacyRuby),
        ("postgresql", legacyPostgreSQL), ("mongodb", legacyMongoDB), ("maven", legacyMaven), ("mcollective", legacyMCollective),
        ("squid", legacySquid), ("aws", legacyAWS), ("bacula", legacyBacula), ("bind", legacyBind), ("bro", legacyBro),
        ("zeek", legacyZeek), ("exim", legacyExim), ("firewalls", legacyFirewalls), ("junos", legacyJunos), ("nagios", legacyNagios),
    ]

    /// The definitions that differ in the ECS set.
    static let ecsFiles: [(file: String, patterns: [String: String])] = [
        ("grok-patterns", ecsCore), ("linux-syslog", ecsSyslog), ("httpd", ecsHTTPD), ("java", ecsJava),
        ("haproxy", ecsHAProxy), ("rails", ecsRails), ("redis", ecsRedis), ("ruby", ecsRuby),
        ("postgresql", ecsPostgreSQL), ("mongodb", ecsMongoDB), ("maven", ecsMaven), ("mcollective", ecsMCollective),
        ("squid", ecsSquid), ("aws", ecsAWS), ("bacula", ecsBacula), ("bind", ecsBind), ("bro", ecsBro),
        ("zeek", ecsZeek), ("exim", ecsExim), ("firewalls", ecsFirewalls), ("junos", ecsJunos), ("nagios", ecsNagios),
    ]

    /// Every definition of `set`: the legacy files, then (for ECS) its own definitions over them.
    static func definitions(_ set: PatternSet) -> [String: String] {
        var all: [String: String] = [:]
        for file in legacyFiles {
            all.merge(file.patterns) { first, _ in first }
        }
        if set == .ecs {
            for file in ecsFiles {
                all.merge(file.patterns) { _, ecs in ecs }
            }
        }
        return all
    }
}
