import CPCRE2

/// A compiled, JIT-compiled PCRE2 pattern.
///
/// Compiled code is immutable after `pcre2_jit_compile_8` and may be shared between threads
/// (pcre2api(3), MULTITHREADING); the per-match scratch space is a ``MatchData`` that each task
/// owns.
public final class Regex: @unchecked Sendable {
    let code: OpaquePointer
    /// Whether JIT compilation succeeded (then `pcre2_jit_match_8` is used).
    public let isJIT: Bool
    /// Number of capturing groups.
    public let captureCount: Int

    /// The error PCRE2 reports for a pattern, with the byte offset in `pattern`.
    public struct CompileError: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    /// Compiles `pattern` with `pcre2_compile_8` and then `pcre2_jit_compile_8`.
    public init(_ pattern: String) throws(CompileError) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        var pattern = pattern
        let compiled = pattern.withUTF8 { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, 0, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw CompileError(message: Regex.errorMessage(errorCode), offset: errorOffset)
        }
        code = compiled
        isJIT = pcre2_jit_compile_8(compiled, CPCRE2_JIT_COMPLETE) == 0
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, CPCRE2_INFO_CAPTURECOUNT, &count)
        captureCount = Int(count)
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// The group number of a named group (`pcre2_substring_number_from_name_8`).
    public func groupNumber(named name: String) -> Int? {
        let n = name.withCString { pcre2_substring_number_from_name_8(code, $0) }
        return n > 0 ? Int(n) : nil
    }

    /// Matches `subject` from its start, leaving group offsets in `matchData`.
    public func match(_ subject: UnsafeBufferPointer<UInt8>, _ matchData: inout MatchData) -> MatchOutcome {
        guard let base = subject.baseAddress else {
            // An empty buffer may have no address; PCRE2 wants a valid pointer even for 0 bytes.
            let zero: UInt8 = 0
            return withUnsafePointer(to: zero) { match(UnsafeBufferPointer(start: $0, count: 0), &matchData) }
        }
        let rc: Int32
        if isJIT {
            rc = pcre2_jit_match_8(code, base, subject.count, 0, 0, matchData.pointer, nil)
        } else {
            rc = pcre2_match_8(code, base, subject.count, 0, 0, matchData.pointer, nil)
        }
        // 0 means the match succeeded but the ovector had no room for every group.
        if rc >= 0 { return .match }
        if rc == CPCRE2_ERROR_NOMATCH { return .noMatch }
        return .error(Int(rc))
    }

    static func errorMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "PCRE2 error \(code)"
    }
}

/// What one match attempt found.
public enum MatchOutcome: Equatable, Sendable {
    case match
    case noMatch
    /// A PCRE2 error code: a match, depth or heap limit was hit, or the subject was bad.
    case error(Int)

    /// PCRE2's text for an error outcome.
    public var errorMessage: String? {
        if case .error(let code) = self { return Regex.errorMessage(Int32(code)) }
        return nil
    }
}

/// Scratch space for matching: group offsets (`pcre2_match_data_8`).
///
/// Not copyable, so one instance cannot be shared by accident between two concurrent matches.
public struct MatchData: ~Copyable {
    let pointer: OpaquePointer
    private let ovector: UnsafeMutablePointer<Int>
    private let pairs: Int
    private static let unset = cpcre2_unset()

    /// Room for `groups` capturing groups plus the whole match.
    public init(groups: Int) {
        pairs = groups + 1
        pointer = pcre2_match_data_create_8(UInt32(pairs), nil)!
        ovector = pcre2_get_ovector_pointer_8(pointer)
    }

    deinit {
        pcre2_match_data_free_8(pointer)
    }

    /// The byte range group `group` matched in the last successful match, or `nil` if unset.
    @inline(__always)
    public func range(ofGroup group: Int) -> Range<Int>? {
        guard group < pairs else { return nil }
        let start = ovector[2 * group]
        if start == MatchData.unset { return nil }
        return start..<ovector[2 * group + 1]
    }
}
