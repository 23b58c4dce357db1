import Grok
import TracejoinAPI
import TracejoinModel

/// A configuration directory, loaded and compiled: the daemon's settings and one parser per
/// rule file.
public struct ConfigDirectory: Sendable {
    public var daemon: DaemonConfig
    public var sources: [Source]
    /// Problems that did not stop anything from loading.
    public var warnings: [ConfigError]

    /// A rule file and the parser compiled from it.
    public struct Source: Sendable {
        public var file: RuleFile
        public var parser: SourceParser
    }

    /// Loads `DIR/tracejoin.yaml`, `DIR/patterns.d/*.grok` and `DIR/rules.d/*.yaml`.
    ///
    /// - Throws: ``ConfigErrors`` listing every problem found, each with file and line.
    public static func load(_ directory: String, counters: CounterRegistry = CounterRegistry()) throws(ConfigErrors) -> ConfigDirectory {
        let (config, errors) = try loadCollecting(directory, counters: counters)
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return config
    }

    /// Loads what loads: the rule files without errors, and every error found in the others.
    /// Throws only when `tracejoin.yaml` itself cannot be used.
    public static func loadCollecting(_ directory: String, counters: CounterRegistry = CounterRegistry())
        throws(ConfigErrors) -> (ConfigDirectory, [ConfigError])
    {
        let daemon: DaemonConfig
        do {
            daemon = try DaemonConfig.load(directory: directory)
        } catch {
            throw ConfigErrors([error])
        }
        // The fleet service reads ClickHouse and tails nothing: a rule file is a mistake to name.
        if daemon.fleet != nil {
            let errors = ruleFilePaths(daemon.directory).map {
                ConfigError(file: $0, message: "tracejoin.yaml has a fleet: section, and a fleet service tails nothing: move this rule file to a daemon's config directory")
            }
            return (ConfigDirectory(daemon: daemon, sources: [], warnings: []), errors)
        }
        let (library, patternErrors) = loadLibrary(daemon.directory)
        var errors = patternErrors
        var warnings: [ConfigError] = []
        var sources: [Source] = []
        for path in ruleFilePaths(daemon.directory) {
            do throws(ConfigError) {
                let source = try loadSource(path, directory: daemon.directory, library: library, counters: counters)
                if let other = sources.first(where: { $0.file.source == source.file.source }) {
                    throw ConfigError(file: path, message: "source '\(ConfigError.excerpt(source.file.source))' is already defined in \(other.file.path)")
                }
                warnings += source.parser.warnings
                sources.append(source)
            } catch {
                errors.append(error)
            }
        }
        return (ConfigDirectory(daemon: daemon, sources: sources, warnings: warnings), errors)
    }

    /// The built-in patterns plus `patterns.d/`, and the errors found in `patterns.d/`.
    static func loadLibrary(_ directory: String) -> (PatternLibrary, [ConfigError]) {
        do {
            return (PatternLibrary.builtin.merging(try PatternFiles.load(directory: directory + "/patterns.d")), [])
        } catch {
            return (PatternLibrary.builtin, error.errors)
        }
    }

    /// Loads and compiles one rule file.
    static func loadSource(_ path: String, directory: String, library: PatternLibrary, counters: CounterRegistry) throws(ConfigError) -> Source {
        let file = try RuleFile.load(path: path, configDirectory: directory)
        return Source(file: file, parser: try SourceParser(file, library: library, counters: counters))
    }

    /// `DIR/rules.d/*.yaml` and `*.yml`, sorted by name.
    public static func ruleFilePaths(_ directory: String) -> [String] {
        (listFiles(directory + "/rules.d", suffix: ".yaml") + listFiles(directory + "/rules.d", suffix: ".yml")).sorted()
    }
}
