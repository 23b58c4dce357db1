import Foundation
import Grok
import Yams

/// Reads a YAML file as nodes, so every error can name the line and column it concerns.
struct YAMLReader {
    let file: String

    /// Parses `text`; a syntax error becomes a ``ConfigError`` at libyaml's position.
    func root(_ text: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw locate(error)
        } catch {
            throw ConfigError(file: file, message: "cannot parse YAML: \(ConfigError.excerpt(String(describing: error)))")
        }
    }

    /// Where the error is and libyaml's word for it; never the text around it (Yams'
    /// descriptions quote the whole line, which may be another file's content).
    private func locate(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let where_ = context.map { "\($0.text) " } ?? ""
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(where_)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            var shown = duplicates.prefix(5).map { ConfigError.excerpt($0, limit: ConfigError.keyExcerptLimit) }
            if duplicates.count > 5 { shown.append("and \(duplicates.count - 5) more") }
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column,
                               message: "duplicate keys: \(shown.joined(separator: ", "))")
        case .reader(let problem, let offset, let value, let yaml):
            // A character libyaml does not take (a control character): its code, not its line.
            let (line, column) = offset.map { Self.position(ofCharacter: $0, in: yaml) } ?? (line: 0, column: 0)
            let code = value >= 0 ? " (character #x\(String(value, radix: 16)))" : ""
            return ConfigError(file: file, line: line, column: column, message: "YAML syntax error: \(problem)\(code)")
        default:
            return ConfigError(file: file, message: "cannot parse YAML: \(error)")
        }
    }

    /// The 1-based line and column of the character at `offset` (in characters, as Yams counts
    /// a reader error's place) in `text`.
    static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(max(0, offset)) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, message: message)
    }

    /// The mapping's pairs, after checking that every key is one of `allowed`.
    func mapping(_ node: Node, what: String, allowed: [String]) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(what) must be a mapping")
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw error(key, "keys of \(what) must be strings") }
            guard allowed.contains(name) else {
                var message = "unknown key '\(ConfigError.excerpt(name, limit: ConfigError.keyExcerptLimit))' in \(what)"
                if let suggestion = Suggestion.nearest(to: name, in: allowed) { message += "; did you mean '\(suggestion)'?" }
                throw error(key, message)
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node, what: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a string") }
        return scalar.string
    }

    func strings(_ node: Node, what: String) throws(ConfigError) -> [String] {
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let sequence):
            var out: [String] = []
            for item in sequence { out.append(try string(item, what: "each entry of \(what)")) }
            return out
        default: throw error(node, "\(what) must be a string or a list of strings")
        }
    }
}

/// Reads a whole file as UTF-8 text, with a ``ConfigError`` naming the file if it cannot.
func readText(_ path: String, confinedTo directory: String? = nil) throws(ConfigError) -> String {
    let bytes = try readFileBytes(path, confinedTo: directory)
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw ConfigError(file: path, message: "file is not valid UTF-8")
    }
    return text
}

/// Reads a whole file, with a ``ConfigError`` naming the file if it cannot.
///
/// Only a regular file is read: it is opened with `O_NONBLOCK` (a FIFO dropped into `rules.d/`
/// cannot hang the daemon in `open`) and checked with `fstat` before a byte is read. With
/// `confinedTo`, a symbolic link is followed only to a file inside that directory: a rule file
/// that links to `/etc/shadow` is refused, and nothing of it is read or echoed.
package func readFileBytes(_ path: String, confinedTo directory: String? = nil) throws(ConfigError) -> [UInt8] {
    if let directory {
        var link = stat()
        if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
            guard let target = realPath(path), let root = realPath(directory), target.hasPrefix(root + "/") else {
                throw ConfigError(file: path, message: "a link to a file outside the configuration directory is not read")
            }
        }
    }
    // Read with POSIX calls: FileManager.contents(atPath:) leaks its buffer for an empty file
    // (found by the rule-file fuzz target under LeakSanitizer).
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw ConfigError(file: path, message: "cannot read file (missing or not readable)") }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
        throw ConfigError(file: path, message: "not a regular file (a FIFO, device or directory is not read)")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw ConfigError(file: path, message: "cannot read file: \(String(cString: strerror(errno)))") }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

/// `realpath(3)` of `path`, or nil.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// `path` made absolute against `base`, with `.` and `..` resolved.
public func resolvePath(_ path: String, against base: String) -> String {
    let joined = path.hasPrefix("/") ? path : base + "/" + path
    var parts: [Substring] = []
    for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
        switch part {
        case ".": continue
        case "..": if !parts.isEmpty { parts.removeLast() }
        default: parts.append(part)
        }
    }
    return "/" + parts.joined(separator: "/")
}
