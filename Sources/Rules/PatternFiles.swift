import Foundation

/// Loads `patterns.d/*.grok`: one `NAME regex` per line, `#` comments and blank lines ignored
/// (the Logstash `patterns_dir` format).
public enum PatternFiles {
    public static func load(directory: String) throws(ConfigErrors) -> [String: String] {
        var patterns: [String: String] = [:]
        var errors: [ConfigError] = []
        for file in listFiles(directory, suffix: ".grok") {
            do {
                let text = try readText(file, confinedTo: directory + "/..")
                for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let trimmed = line.drop { $0 == " " || $0 == "\t" }
                    if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                    guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                        errors.append(ConfigError(file: file, line: index + 1, column: 1, message: "expected 'NAME regex'"))
                        continue
                    }
                    let name = String(trimmed[..<space])
                    guard name.utf8.allSatisfy(isPatternNameByte) else {
                        errors.append(ConfigError(file: file, line: index + 1, column: 1, message: "pattern name '\(ConfigError.excerpt(name))' may use only letters, digits and '_'"))
                        continue
                    }
                    patterns[name] = String(trimmed[space...].drop { $0 == " " || $0 == "\t" })
                }
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return patterns
    }
}

/// The regular files in `directory` whose names end in `suffix`, sorted, skipping hidden files
/// (editors' swap files) — an absent directory is empty.
func listFiles(_ directory: String, suffix: String) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
}
