import CZstd
import TracejoinModel
import TracejoinSupport

/// zstd compression for the index's blocks (libzstd, Debian's `libzstd-dev`).
///
/// One compression context is reused (`ZSTD_createCCtx` allocates about a megabyte); it is
/// guarded by a mutex because blocks are sealed by the index's one writer but also by the
/// converter and the benchmarks. Every frame carries zstd's content checksum
/// (`ZSTD_c_checksumFlag`), so a damaged frame is refused on decompression.
package final class ZstdCompressor: Sendable {
    /// Idle `ZSTD_CCtx`s, by address: one is taken for each frame, so blocks sealed on both
    /// cores at once each have their own. Freed in `deinit`.
    private let idle = Locked<[UInt]>([])
    let level: Int32

    package init(level: Int32 = 1) {
        self.level = level
    }

    deinit {
        idle.withLock { contexts in
            for address in contexts { ZSTD_freeCCtx(OpaquePointer(bitPattern: address)) }
        }
    }

    private func take() -> OpaquePointer {
        if let address = idle.withLock({ $0.popLast() }), let context = OpaquePointer(bitPattern: address) { return context }
        let context = ZSTD_createCCtx()!
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        return context
    }

    /// Appends the zstd frame of `input` to `output` (`ZSTD_compress2`); returns the frame's length.
    @discardableResult
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Int {
        let context = take()
        defer {
            let address = UInt(bitPattern: context)
            idle.withLock { $0.append(address) }
        }
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out in
            // A bound-sized destination cannot be too small.
            ZSTD_compress2(context, out.baseAddress! + start, bound, input.baseAddress, input.count)
        }
        precondition(ZSTD_isError(written) == 0, "ZSTD_compress2: \(String(cString: ZSTD_getErrorName(written)))")
        output.removeLast(bound - written)
        return written
    }
}

/// Decompression of one frame whose content size is known (`ZSTD_decompressDCtx`).
enum Zstd {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Idle `ZSTD_DCtx`s, by address, reused: `ZSTD_decompress` makes and frees a context
    /// (about 100 KB) for every frame, which measured as most of the time of a small frame (a
    /// block grouped by trace has a frame per column and group). At most ``maxIdle`` are kept.
    private static let idle = Locked<[UInt]>([])
    private static let maxIdle = 8

    /// The frame's content, which must be `expected` bytes long.
    static func decompress(_ frame: UnsafeRawBufferPointer, expected: Int) throws(Failure) -> [UInt8] {
        // The frame's own header is checked before anything is allocated: a damaged length
        // is refused, not allocated.
        try check(frame, expected: expected)
        var failure: Failure?
        let out = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            do throws(Failure) {
                try decompress(frame, into: UnsafeMutableRawBufferPointer(buffer))
                initialized = expected
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return out
    }

    /// Checks that the frame's header declares `expected` bytes of content.
    static func check(_ frame: UnsafeRawBufferPointer, expected: Int) throws(Failure) {
        guard expected > 0 else { return }
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        guard declared != tj_zstd_contentsize_error(), declared == UInt64(expected) else {
            throw Failure(description: "frame declares \(declared == tj_zstd_contentsize_error() ? "no valid header" : "\(declared) bytes"), \(expected) expected")
        }
    }

    /// Decompresses the frame into `out`, whose size its content must have.
    static func decompress(_ frame: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws(Failure) {
        let expected = out.count
        guard expected > 0 else {
            // An empty input still makes a (small) frame; nothing to check beyond its presence.
            return
        }
        try check(frame, expected: expected)
        let context = idle.withLock { $0.popLast() }.flatMap { OpaquePointer(bitPattern: $0) } ?? ZSTD_createDCtx()!
        defer {
            let address = UInt(bitPattern: context)
            let kept = idle.withLock { contexts in
                guard contexts.count < maxIdle else { return false }
                contexts.append(address)
                return true
            }
            if !kept { ZSTD_freeDCtx(context) }
        }
        let n = ZSTD_decompressDCtx(context, out.baseAddress, expected, frame.baseAddress, frame.count)
        if ZSTD_isError(n) != 0 { throw Failure(description: String(cString: ZSTD_getErrorName(n))) }
        if n != expected { throw Failure(description: "frame held \(n) bytes, \(expected) expected") }
    }
}
