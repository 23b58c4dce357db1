import Foundation
import Grok
import TracejoinAPI
import TracejoinModel
import TracejoinSupport

/// The rule files in force, reloaded while the daemon runs.
///
/// A file that fails to load is reported and its last good version stays in force; a file that
/// is removed takes its source out of force; a change to `patterns.d/` recompiles every rule
/// file (a `patterns.d/` file that fails keeps the last good pattern library).
///
/// Readers take an immutable snapshot of the sources in force (``current()``), swapped in whole
/// when a reload changed them. A reload reads and compiles outside every lock readers take: the
/// tailer asking for its sources never waits for a rule file to compile.
public final class RuleRegistry: Sendable {
    public let directory: String
    let counters: CounterRegistry
    private let state: Locked<State>
    private let snapshot: Locked<(generation: Int, sources: [ConfigDirectory.Source])>
    /// One reload at a time (the watcher's timer, inotify and SIGHUP may ask together).
    private let reloading = Locked<Void>(())

    struct State {
        var generation = 0
        var patternTexts: [String: String] = [:]
        var library: PatternLibrary
        var patternErrors: [ConfigError] = []
        var files: [String: Entry] = [:]
    }

    struct Entry {
        var text: String?
        var inForce: ConfigDirectory.Source?
        var loadedAt: Int64?
        var error: ConfigError?
        var checkedAt: Int64
    }

    /// What one reload did, for the daemon's log.
    public enum Event: Sendable, CustomStringConvertible {
        case loaded(file: String, source: String, rules: Int)
        case failed(ConfigError, keptLastGood: Bool)
        case removed(file: String)
        case warning(ConfigError)

        public var description: String {
            switch self {
            case .loaded(let file, let source, let rules): return "loaded \(file) (source \(source), \(rules) rules)"
            case .failed(let error, let kept): return "\(error)" + (kept ? " (the last good version stays in force)" : "")
            case .removed(let file): return "removed \(file)"
            case .warning(let error): return "warning: \(error)"
            }
        }
    }

    /// Starts from a configuration already loaded (and validated) at startup.
    public init(_ config: ConfigDirectory, counters: CounterRegistry) {
        directory = config.daemon.directory
        self.counters = counters
        let now = Timestamps.now()
        var state = State(library: ConfigDirectory.loadLibrary(config.daemon.directory).0)
        state.patternTexts = Self.readAll(listFiles(directory + "/patterns.d", suffix: ".grok"), directory: directory)
        for source in config.sources {
            state.files[source.file.path] = Entry(
                text: try? readText(source.file.path, confinedTo: directory), inForce: source, loadedAt: now, error: nil, checkedAt: now)
        }
        self.snapshot = Locked(Self.sourcesInForce(state))
        self.state = Locked(state)
    }

    private static func sourcesInForce(_ state: State) -> (generation: Int, sources: [ConfigDirectory.Source]) {
        (state.generation, state.files.keys.sorted().compactMap { state.files[$0]?.inForce })
    }

    /// The sources in force and a number that changes whenever they do.
    public func current() -> (generation: Int, sources: [ConfigDirectory.Source]) {
        snapshot.withLock { $0 }
    }

    /// Looks at every file and reloads those that changed.
    @discardableResult
    public func reload() -> [Event] {
        let now = Timestamps.now()
        let patternTexts = Self.readAll(listFiles(directory + "/patterns.d", suffix: ".grok"), directory: directory)
        let rulePaths = ConfigDirectory.ruleFilePaths(directory)
        let ruleTexts = Self.readAll(rulePaths, directory: directory)
        return reloading.withLock { _ in
            // Worked on a copy, outside the lock; only this (serialized) reload writes it back.
            var state = self.state.withLock { $0 }
            var events: [Event] = []
            var changed = false
            var libraryChanged = false
            if patternTexts != state.patternTexts {
                state.patternTexts = patternTexts
                let (library, errors) = ConfigDirectory.loadLibrary(directory)
                state.patternErrors = errors
                if errors.isEmpty {
                    state.library = library
                    libraryChanged = true
                } else {
                    events += errors.map { .failed($0, keptLastGood: true) }
                }
            }
            for path in state.files.keys where ruleTexts[path] == nil {
                state.files[path] = nil
                events.append(.removed(file: path))
                changed = true
            }
            for path in rulePaths {
                let text = ruleTexts[path]
                var entry = state.files[path] ?? Entry(text: nil, inForce: nil, loadedAt: nil, error: nil, checkedAt: now)
                guard text != entry.text || libraryChanged || (entry.error != nil && entry.text == nil) else { continue }
                entry.text = text
                entry.checkedAt = now
                do throws(ConfigError) {
                    let source = try ConfigDirectory.loadSource(path, directory: directory, library: state.library, counters: counters)
                    if let other = state.files.first(where: { $0.key != path && $0.value.inForce?.file.source == source.file.source }) {
                        throw ConfigError(file: path, message: "source '\(ConfigError.excerpt(source.file.source))' is already defined in \(other.key)")
                    }
                    entry.inForce = source
                    entry.loadedAt = now
                    entry.error = nil
                    events.append(.loaded(file: path, source: source.file.source, rules: source.file.rules.count))
                    events += source.parser.warnings.map(Event.warning)
                    changed = true
                } catch {
                    entry.error = error
                    events.append(.failed(error, keptLastGood: entry.inForce != nil))
                }
                state.files[path] = entry
            }
            if changed { state.generation += 1 }
            let done = state
            self.state.withLock { $0 = done }
            if changed { snapshot.withLock { $0 = Self.sourcesInForce(done) } }
            return events
        }
    }

    /// Every rule file's status, for `GET /v1/rules`.
    public func statuses() -> [RuleFileStatus] {
        state.withLock { state in
            var result = state.files.keys.sorted().map { path -> RuleFileStatus in
                let e = state.files[path]!
                let source = e.inForce
                return RuleFileStatus(
                    file: path, status: e.error == nil ? "ok" : "error", source: source?.file.source,
                    rules: source?.parser.ruleNames ?? [], error: e.error?.description,
                    warnings: source?.parser.warnings.map(\.description) ?? [],
                    loaded_at: e.loadedAt.map { Timestamps.iso8601(nanoseconds: $0) }, checked_at: Timestamps.iso8601(nanoseconds: e.checkedAt),
                    in_force: source != nil)
            }
            for error in state.patternErrors {
                result.append(RuleFileStatus(
                    file: error.file, status: "error", source: nil, rules: [], error: error.description, warnings: [],
                    loaded_at: nil, checked_at: Timestamps.iso8601(nanoseconds: Timestamps.now()), in_force: false))
            }
            return result
        }
    }

    private static func readAll(_ paths: [String], directory: String) -> [String: String] {
        var texts: [String: String] = [:]
        for path in paths {
            // A file that cannot be read this instant (being replaced) counts as changed next time.
            texts[path] = (try? readText(path, confinedTo: directory)) ?? ""
        }
        return texts
    }
}

extension SourceParser {
    /// The names of the rules, in the order they are tried.
    public var ruleNames: [String] { rules.map(\.name) }
}
