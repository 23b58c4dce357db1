import Grok

/// A configuration directory, loaded and compiled: the daemon's settings and one parser per
/// rule file.
public struct ConfigDirectory: Sendable {
    public var daemon: DaemonConfig
    public var sources: [Source]

    /// A rule file and the parser compiled from it.
    public struct Source: Sendable {
        public var file: RuleFile
        public var parser: SourceParser
    }

    /// Loads `DIR/tracejoin.yaml`, `DIR/patterns.d/*.grok` and `DIR/rules.d/*.yaml`.
    ///
    /// - Throws: ``ConfigErrors`` listing every problem found, each with file and line.
    public static func load(_ directory: String) throws(ConfigErrors) -> ConfigDirectory {
        let daemon: DaemonConfig
        do {
            daemon = try DaemonConfig.load(directory: directory)
        } catch {
            throw ConfigErrors([error])
        }
        var errors: [ConfigError] = []
        var library = PatternLibrary.builtin
        do {
            library = library.merging(try PatternFiles.load(directory: daemon.directory + "/patterns.d"))
        } catch {
            errors += error.errors
        }
        var sources: [Source] = []
        var names: [String: String] = [:]
        for path in ruleFilePaths(daemon.directory) {
            do throws(ConfigError) {
                let file = try RuleFile.load(path: path, configDirectory: daemon.directory)
                if let other = names[file.source] {
                    throw ConfigError(file: path, message: "source '\(file.source)' is already defined in \(other)")
                }
                names[file.source] = path
                sources.append(Source(file: file, parser: try SourceParser(file, library: library)))
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return ConfigDirectory(daemon: daemon, sources: sources)
    }

    /// `DIR/rules.d/*.yaml` and `*.yml`, sorted by name.
    public static func ruleFilePaths(_ directory: String) -> [String] {
        (listFiles(directory + "/rules.d", suffix: ".yaml") + listFiles(directory + "/rules.d", suffix: ".yml")).sorted()
    }
}
