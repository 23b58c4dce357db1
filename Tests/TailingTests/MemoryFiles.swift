import Foundation

@testable import Tailing

/// What the model test does to files: real ones (``TempDir``) or ones held in memory
/// (``MemoryFiles``), through the same operations.
protocol ModelDisk {
    associatedtype Files: FileAccess
    var files: Files { get }
    func url(_ name: String) -> String
    func append(_ name: String, _ text: String)
    func rename(_ from: String, _ to: String)
    func copy(_ from: String, _ to: String) throws
    func truncate(_ name: String)
    func remove(_ name: String)
    func exists(_ name: String) -> Bool
}

extension TempDir: ModelDisk {
    var files: SystemFiles { SystemFiles() }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url(name)) }
}

/// A file system in memory, with the semantics the tailer depends on: names point at inodes;
/// an open inode lives on after it is unlinked; a freed inode number is given to the next new
/// file (as ext4 and tmpfs often do); every change moves the modification time, exactly.
final class MemoryFiles: FileAccess, ModelDisk {
    typealias Handle = UInt64

    struct Inode {
        var bytes: [UInt8] = []
        var modified: Int64 = 0
        var links = 1
        var open = 0
    }

    let directory = "/memory"
    private var names: [String: UInt64] = [:]
    private var inodes: [UInt64: Inode] = [:]
    private var freed: [UInt64] = []
    private var nextInode: UInt64 = 100
    private var clock: Int64 = 0
    /// Descriptors this "process" may hold; `open` fails with `.noDescriptor` beyond.
    var descriptorLimit = Int.max
    private(set) var openDescriptors = 0

    var files: MemoryFiles { self }

    private func tick() -> Int64 {
        clock += 1
        return clock
    }

    private func newInode(_ bytes: [UInt8]) -> UInt64 {
        let number = freed.popLast() ?? { nextInode += 1; return nextInode }()
        inodes[number] = Inode(bytes: bytes, modified: tick())
        return number
    }

    private func unlink(_ number: UInt64) {
        inodes[number]!.links -= 1
        free(number)
    }

    private func free(_ number: UInt64) {
        if let inode = inodes[number], inode.links == 0, inode.open == 0 {
            inodes[number] = nil
            freed.append(number)
        }
    }

    private func status(_ number: UInt64, _ inode: Inode) -> FileStatus {
        FileStatus(identity: FileIdentity(device: 1, inode: number), size: Int64(inode.bytes.count), modified: inode.modified,
                   links: UInt64(inode.links))
    }

    // MARK: ModelDisk

    func url(_ name: String) -> String { directory + "/" + name }

    func append(_ name: String, _ text: String) {
        let path = url(name)
        if let number = names[path] {
            inodes[number]!.bytes += Array(text.utf8)
            inodes[number]!.modified = tick()
        } else {
            names[path] = newInode(Array(text.utf8))
        }
    }

    func rename(_ from: String, _ to: String) {
        guard let number = names.removeValue(forKey: url(from)) else { return }
        if let replaced = names[url(to)] { unlink(replaced) }
        names[url(to)] = number
    }

    func copy(_ from: String, _ to: String) throws {
        guard let number = names[url(from)] else { return }
        if let replaced = names[url(to)] { unlink(replaced) }
        names[url(to)] = newInode(inodes[number]!.bytes)
    }

    func truncate(_ name: String) {
        guard let number = names[url(name)] else { return }
        inodes[number]!.bytes = []
        inodes[number]!.modified = tick()
    }

    func remove(_ name: String) {
        guard let number = names.removeValue(forKey: url(name)) else { return }
        unlink(number)
    }

    func exists(_ name: String) -> Bool { names[url(name)] != nil }

    // MARK: FileAccess

    func status(path: String) -> FileStatus? {
        names[path].map { status($0, inodes[$0]!) }
    }

    func status(_ handle: UInt64) -> FileStatus? {
        inodes[handle].map { status(handle, $0) }
    }

    func open(_ path: String) -> Result<UInt64, OpenFailure> {
        guard openDescriptors < descriptorLimit else { return .failure(.noDescriptor) }
        guard let number = names[path] else { return .failure(.failed("No such file or directory")) }
        inodes[number]!.open += 1
        openDescriptors += 1
        return .success(number)
    }

    func read(_ handle: UInt64, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        guard let inode = inodes[handle] else { return -1 }
        guard offset < inode.bytes.count else { return 0 }
        let n = min(buffer.count, inode.bytes.count - Int(offset))
        inode.bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: n) }
        return n
    }

    func close(_ handle: UInt64) {
        inodes[handle]!.open -= 1
        openDescriptors -= 1
        free(handle)
    }

    func list(_ patterns: [String], exclude: [String]) -> [(path: String, status: FileStatus)] {
        names.keys.sorted().filter { path in
            patterns.contains { fnmatch($0, path, FNM_PATHNAME) == 0 } && !exclude.contains { SystemFiles.matches($0, path: path) }
        }.map { ($0, status(path: $0)!) }
    }

    /// Modification times here are exact: an unchanged one means an unchanged file.
    func isSettled(_ status: FileStatus, takenAt: Int64) -> Bool { true }
}
