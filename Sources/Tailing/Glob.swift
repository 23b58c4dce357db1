#if canImport(Glibc)
import Glibc
#endif
import TracejoinModel
import TracejoinSupport

/// A path pattern: `*`, `?` and `[…]` within one path component (fnmatch(3)), and `**` as a
/// whole component for any number of directories, including none.
struct Glob: Sendable, Hashable {
    let pattern: String
    /// Components after the literal base directory.
    private let components: [String]
    /// The longest leading run of components without wildcards: where the walk starts.
    let base: String

    init(_ pattern: String) {
        self.pattern = pattern
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var literal: [String] = []
        var rest = parts[...]
        while let first = rest.first, !Glob.hasWildcard(first), rest.count > 1 {
            literal.append(first)
            rest = rest.dropFirst()
        }
        base = "/" + literal.joined(separator: "/")
        components = Array(rest)
    }

    /// Whether inotify on ``base`` hears of every file the pattern can name: only when the
    /// pattern's wildcards are all in its last component.
    var baseWatchCovers: Bool { components.count == 1 }

    static func hasWildcard(_ s: String) -> Bool {
        s.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// Every existing path the pattern names, sorted. Directories are walked to at most
    /// `maxDepth` levels below the base for `**`; symbolic links to directories are not followed
    /// by `**` (they could loop).
    func paths(maxDepth: Int = 16) -> [String] {
        var out: [String] = []
        walk(base, components[...], depth: 0, maxDepth: maxDepth, into: &out)
        return out.sorted()
    }

    private func walk(_ directory: String, _ rest: ArraySlice<String>, depth: Int, maxDepth: Int, into out: inout [String]) {
        guard let component = rest.first else { return }
        let tail = rest.dropFirst()
        if component == "**" {
            // Zero directories…
            walk(directory, tail, depth: depth, maxDepth: maxDepth, into: &out)
            // …or one more, and again.
            guard depth < maxDepth else { return }
            for entry in Glob.entries(directory) where entry.isDirectory && !entry.isSymlink {
                walk(join(directory, entry.name), rest, depth: depth + 1, maxDepth: maxDepth, into: &out)
            }
            return
        }
        if !Glob.hasWildcard(component) {
            let path = join(directory, component)
            if tail.isEmpty {
                if access(path, F_OK) == 0 { out.append(path) }
            } else {
                walk(path, tail, depth: depth, maxDepth: maxDepth, into: &out)
            }
            return
        }
        for entry in Glob.entries(directory) where fnmatch(component, entry.name, FNM_PERIOD) == 0 {
            let path = join(directory, entry.name)
            if tail.isEmpty {
                out.append(path)
            } else if entry.isDirectory {
                walk(path, tail, depth: depth, maxDepth: maxDepth, into: &out)
            }
        }
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }

    struct Entry {
        var name: String
        var isDirectory: Bool
        var isSymlink: Bool
    }

    static func entries(_ directory: String) -> [Entry] {
        var result: [Entry] = []
        for (name, entryType) in directoryEntries(directory) {
            var type = Int32(entryType)
            if type == Int32(DT_UNKNOWN) {
                var st = stat()
                if lstat(directory + "/" + name, &st) == 0 {
                    type = (st.st_mode & S_IFMT) == S_IFDIR ? Int32(DT_DIR) : (st.st_mode & S_IFMT) == S_IFLNK ? Int32(DT_LNK) : Int32(DT_REG)
                }
            }
            var isDirectory = type == Int32(DT_DIR)
            let isSymlink = type == Int32(DT_LNK)
            if isSymlink {
                var st = stat()
                isDirectory = stat(directory + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            result.append(Entry(name: name, isDirectory: isDirectory, isSymlink: isSymlink))
        }
        return result
    }
}
