import Glibc

/// The names in a directory (`.` and `..` left out), with each entry's `d_type`, read with
/// `readdir`. Empty when the directory cannot be opened.
///
/// The name is read where it lies in `readdir`'s buffer. Copying `entry.pointee.d_name` (a
/// 256-byte tuple) reads past a short last entry at the end of the buffer: found by the
/// AddressSanitizer build under the end-to-end tests (a heap-buffer-overflow in the glob walk).
public func directoryEntries(_ directory: String) -> [(name: String, type: UInt8)] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    var out: [(name: String, type: UInt8)] = []
    while let entry = readdir(dir) {
        let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
        if name == "." || name == ".." { continue }
        out.append((name, entry.pointee.d_type))
    }
    return out
}
