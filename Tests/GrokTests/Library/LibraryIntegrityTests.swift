@testable import Grok
import Testing

/// The library as a whole: every name of both sets compiles alone, and no name is defined two
/// ways by two of Logstash's files.
@Suite("Logstash library: integrity")
struct LibraryIntegrityTests {
    @Test(arguments: PatternSet.allCases)
    func everyNameCompiles(_ set: PatternSet) {
        let library = PatternLibrary.builtin(set)
        var failed: [String] = []
        for name in library.definitions.keys.sorted() {
            do {
                _ = try GrokPattern("%{\(name)}", library: library)
            } catch {
                failed.append("\(name): \(error.message)")
            }
        }
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n"))")
        #expect(library.definitions.count > 320)
    }

    @Test func noNameIsDefinedTwoWays() {
        var seen: [String: (file: String, definition: String)] = [:]
        var conflicts: [String] = []
        for file in LogstashLibrary.legacyFiles {
            for (name, definition) in file.patterns {
                if let first = seen[name], first.definition != definition {
                    conflicts.append("\(name): \(first.file) and \(file.file)")
                }
                seen[name] = seen[name] ?? (file.file, definition)
            }
        }
        var ecsSeen: [String: String] = [:]
        for file in LogstashLibrary.ecsFiles {
            for (name, _) in file.patterns {
                if let first = ecsSeen[name] { conflicts.append("\(name): ECS \(first) and \(file.file)") }
                ecsSeen[name] = file.file
            }
        }
        #expect(conflicts.isEmpty, "\(conflicts)")
    }

    /// Tracejoin's own patterns win over any library name, in both sets.
    @Test(arguments: PatternSet.allCases)
    func tracejoinPatternsAreKept(_ set: PatternSet) {
        for (name, definition) in BuiltinPatterns.all {
            #expect(PatternLibrary.builtin(set)[name] == definition)
        }
    }
}
