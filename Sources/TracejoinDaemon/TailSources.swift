import Rules
import Tailing
import TracejoinModel
import TracejoinSupport

/// The tailer's view of the rule registry's snapshot: the sources in force as ``TailSource``s,
/// rebuilt only when the registry's generation changes. Asked on every tail pass, so it is a
/// number comparison and a copy of an array reference.
final class TailSources: Sendable {
    private let registry: RuleRegistry
    private let cache = Locked<(generation: Int, sources: [TailSource])>((-1, []))

    init(registry: RuleRegistry) {
        self.registry = registry
    }

    func current() -> (generation: Int, sources: [TailSource]) {
        let (generation, sources) = registry.current()
        if let cached = cache.withLock({ $0.generation == generation ? $0 : nil }) { return cached }
        let built = (generation, sources.map(Self.tailSource))
        cache.withLock { $0 = built }
        return built
    }

    private static func tailSource(_ source: ConfigDirectory.Source) -> TailSource {
        let file = source.file
        return TailSource(
            name: file.source, paths: file.paths, exclude: file.exclude, startAtEnd: file.startAt == .end,
            parser: source.parser,
            multiline: file.multiline.flatMap { m in
                source.parser.multilineStart.map {
                    MultilineSettings(start: $0, maxLines: m.maxLines, maxBytes: m.maxBytes, timeout: m.timeout)
                }
            },
            maxLineBytes: file.maxLineBytes, partialLineTimeout: file.partialLineTimeout, rotateWait: file.rotateWait,
            closeInactive: file.closeInactive, format: LogFormat(rawValue: file.format) ?? .plain)
    }
}
