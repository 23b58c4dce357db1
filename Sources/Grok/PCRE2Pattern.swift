import CPCRE2

/// Bounds on the work one match may do, so that a pathological pattern or line costs a
/// counted failure instead of a stalled pipeline (pcre2api(3), "The match context").
public struct MatchLimits: Sendable, Hashable {
    /// `pcre2_set_match_limit`: calls of the internal match function (JIT: the same idea).
    public var match: UInt32
    /// `pcre2_set_depth_limit`: backtracking depth (interpreter only).
    public var depth: UInt32
    /// `pcre2_set_heap_limit`, in KiB (interpreter only).
    public var heapKiB: UInt32
    /// Largest JIT stack, in bytes (`pcre2_jit_stack_create`).
    public var jitStackBytes: Int

    public init(match: UInt32 = 1_000_000, depth: UInt32 = 10_000, heapKiB: UInt32 = 20_480, jitStackBytes: Int = 1 << 20) {
        self.match = match
        self.depth = depth
        self.heapKiB = heapKiB
        self.jitStackBytes = jitStackBytes
    }

    /// Generous for any sane log rule; a line that needs more is almost certainly a
    /// catastrophic-backtracking case.
    public static let `default` = MatchLimits()

    /// The most a rule file may ask for without `unsafe_limits: true`: beyond these, one
    /// hostile line can hold a reader for seconds (docs/grok.md, "Limits").
    public static let safeCeiling = MatchLimits(match: 10_000_000, depth: 100_000, heapKiB: 262_144)
}

/// A compiled, JIT-compiled PCRE2 pattern (named for what it holds: Swift's own `Regex` is another type).
///
/// Compiled code is immutable after `pcre2_jit_compile_8` and may be shared between threads
/// (pcre2api(3), MULTITHREADING); the per-match scratch space is a ``MatchData`` that each task
/// owns.
public final class PCRE2Pattern: @unchecked Sendable {
    /// The pattern in UTF mode, for lines that are valid UTF-8 (nearly all).
    let code: OpaquePointer
    /// The same pattern in byte mode, for lines that are not: there every byte is a character
    /// and `.` takes any of them, as before UTF mode (`nil` if the pattern needs UTF mode, e.g.
    /// `\x{100}`; such lines then use ``code``, whose `PCRE2_MATCH_INVALID_UTF` still never
    /// fails on them but matches nothing across an invalid byte).
    let byteCode: OpaquePointer?
    /// Whether JIT compilation succeeded (then `pcre2_jit_match_8` is used).
    public let isJIT: Bool
    let isByteJIT: Bool
    /// Number of capturing groups.
    public let captureCount: Int
    public let limits: MatchLimits

    /// The error PCRE2 reports for a pattern, with the byte offset in `pattern`.
    public struct CompileError: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    /// The options every pattern is compiled with (pcre2api(3), pcre2unicode(3)):
    /// - `PCRE2_UTF` with `PCRE2_MATCH_INVALID_UTF`: the subject is read as UTF-8 characters, as
    ///   Logstash's engine reads it, yet a line that is not valid UTF-8 is still matched (invalid
    ///   bytes match nothing but themselves in a class that admits them, and never end a match
    ///   in an error); offsets stay byte offsets;
    /// - `PCRE2_UCP`: `\w`, `\d`, `\s`, `\b` and POSIX classes know letters beyond ASCII
    ///   (`/opt/Čierný_Peter/x` is one `UNIXPATH`);
    /// - `PCRE2_DUPNAMES`: a name may be given to groups in several alternatives.
    static let compileOptions = CPCRE2_UTF | CPCRE2_UCP | CPCRE2_MATCH_INVALID_UTF | CPCRE2_DUPNAMES

    /// For `tracejoin-bench bench` only: compile in byte mode, as before UTF mode, to measure what UTF
    /// mode costs in the same run. Set before any pattern is compiled; never by the daemon.
    nonisolated(unsafe) package static var benchmarkByteMode = false

    /// Compiles `pattern` with `pcre2_compile_8` and then `pcre2_jit_compile_8`.
    public init(_ pattern: String, limits: MatchLimits = .default) throws(CompileError) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        var pattern = pattern
        let compiled = pattern.withUTF8 { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, PCRE2Pattern.benchmarkByteMode ? CPCRE2_DUPNAMES : PCRE2Pattern.compileOptions,
                            &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw CompileError(message: PCRE2Pattern.errorMessage(errorCode), offset: errorOffset)
        }
        code = compiled
        isJIT = pcre2_jit_compile_8(compiled, CPCRE2_JIT_COMPLETE) == 0
        byteCode = pattern.withUTF8 { bytes in
            pcre2_compile_8(bytes.baseAddress, bytes.count, CPCRE2_DUPNAMES, &errorCode, &errorOffset, nil)
        }
        isByteJIT = byteCode.map { pcre2_jit_compile_8($0, CPCRE2_JIT_COMPLETE) == 0 } ?? false
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, CPCRE2_INFO_CAPTURECOUNT, &count)
        captureCount = Int(count)
        self.limits = limits
    }

    deinit {
        pcre2_code_free_8(code)
        if let byteCode { pcre2_code_free_8(byteCode) }
    }

    /// The group number of a named group (`pcre2_substring_number_from_name_8`); for a name
    /// given to several groups, the first.
    public func groupNumber(named name: String) -> Int? {
        let n = name.withCString { pcre2_substring_number_from_name_8(code, $0) }
        if n > 0 { return Int(n) }
        return namedGroups().first { $0.name == name }?.group
    }

    /// Every named group with its number, from PCRE2's name table (`PCRE2_INFO_NAMETABLE`).
    public func namedGroups() -> [(name: String, group: Int)] {
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, CPCRE2_INFO_NAMECOUNT, &count)
        pcre2_pattern_info_8(code, CPCRE2_INFO_NAMEENTRYSIZE, &entrySize)
        pcre2_pattern_info_8(code, CPCRE2_INFO_NAMETABLE, &table)
        guard count > 0, let table else { return [] }
        // Each entry: the group number (2 bytes, big-endian), then the NUL-terminated name.
        return (0..<Int(count)).map { i in
            let entry = table + i * Int(entrySize)
            let group = Int(entry[0]) << 8 | Int(entry[1])
            return (String(cString: entry + 2), group)
        }
    }

    /// Matches `subject` from its start, leaving group offsets in `matchData`.
    public func match(_ subject: UnsafeBufferPointer<UInt8>, _ matchData: inout MatchData) -> MatchOutcome {
        guard let base = subject.baseAddress else {
            // An empty buffer may have no address; PCRE2 wants a valid pointer even for 0 bytes.
            let zero: UInt8 = 0
            return withUnsafePointer(to: zero) { match(UnsafeBufferPointer(start: $0, count: 0), &matchData) }
        }
        let rc: Int32
        if let byteCode, !UTF8Validation.isValid(subject) {
            rc = isByteJIT ? pcre2_jit_match_8(byteCode, base, subject.count, 0, 0, matchData.pointer, matchData.context)
                : pcre2_match_8(byteCode, base, subject.count, 0, 0, matchData.pointer, matchData.context)
        } else if isJIT {
            // pcre2_jit_match_8 does no UTF check: the subject was just found valid (or
            // PCRE2_MATCH_INVALID_UTF makes it safe anyway).
            rc = pcre2_jit_match_8(code, base, subject.count, 0, 0, matchData.pointer, matchData.context)
        } else {
            rc = pcre2_match_8(code, base, subject.count, 0, 0, matchData.pointer, matchData.context)
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
    /// A PCRE2 error code: a match, depth or heap limit was hit, or the JIT stack ran out.
    case error(Int)

    /// Whether the error is one of the resource limits (as opposed to a bad subject).
    public var isLimit: Bool {
        guard case .error(let code) = self else { return false }
        return [CPCRE2_ERROR_MATCHLIMIT, CPCRE2_ERROR_DEPTHLIMIT, CPCRE2_ERROR_HEAPLIMIT, CPCRE2_ERROR_JIT_STACKLIMIT]
            .contains(Int32(code))
    }

    /// PCRE2's text for an error outcome.
    public var errorMessage: String? {
        if case .error(let code) = self { return PCRE2Pattern.errorMessage(Int32(code)) }
        return nil
    }
}

/// Scratch space for matching: group offsets (`pcre2_match_data_8`), a match context with the
/// limits, and a JIT stack.
///
/// Not copyable, so one instance cannot be shared by accident between two concurrent matches.
public struct MatchData: ~Copyable {
    let pointer: OpaquePointer
    let context: OpaquePointer
    private let jitStack: OpaquePointer?
    private let ovector: UnsafeMutablePointer<Int>
    private let pairs: Int
    private static let unset = cpcre2_unset()

    /// Room for `groups` capturing groups plus the whole match, under `limits`.
    public init(groups: Int, limits: MatchLimits = .default) {
        pairs = groups + 1
        pointer = pcre2_match_data_create_8(UInt32(pairs), nil)!
        ovector = pcre2_get_ovector_pointer_8(pointer)
        context = pcre2_match_context_create_8(nil)!
        pcre2_set_match_limit_8(context, limits.match)
        pcre2_set_depth_limit_8(context, limits.depth)
        pcre2_set_heap_limit_8(context, limits.heapKiB)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, max(32 * 1024, limits.jitStackBytes), nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(pointer)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
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

/// Whether bytes are valid UTF-8 (RFC 3629: shortest forms, no surrogates, at most U+10FFFF).
/// Eight bytes at a time while they are ASCII, which log lines nearly always are.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            if i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let b = base[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF   // the range of the second byte
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F                     // no surrogates
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F                     // at most U+10FFFF
            default: return false
            }
            guard count - i >= length, (low...high).contains(base[i + 1]) else { return false }
            for k in 2..<length where base[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
