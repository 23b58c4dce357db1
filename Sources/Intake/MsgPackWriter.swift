/// A msgpack writer for tests and benchmarks: builds payloads byte by byte, choosing each
/// integer's encoding explicitly so that every encoding the decoder must accept can be produced.
package struct MsgPackWriter {
    package var bytes: [UInt8] = []

    package init() {}

    package enum IntEncoding: CaseIterable {
        case fixint, u8, u16, u32, u64, i8, i16, i32, i64
    }

    package mutating func array(_ n: Int) {
        if n < 16 { bytes.append(0x90 | UInt8(n)) } else if n < 65536 { bytes.append(0xdc); be(UInt16(n)) } else { bytes.append(0xdd); be(UInt32(n)) }
    }

    package mutating func map(_ n: Int) {
        if n < 16 { bytes.append(0x80 | UInt8(n)) } else if n < 65536 { bytes.append(0xde); be(UInt16(n)) } else { bytes.append(0xdf); be(UInt32(n)) }
    }

    package mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        switch utf8.count {
        case 0..<32: bytes.append(0xa0 | UInt8(utf8.count))
        case 32..<256: bytes.append(0xd9); bytes.append(UInt8(utf8.count))
        case 256..<65536: bytes.append(0xda); be(UInt16(utf8.count))
        default: bytes.append(0xdb); be(UInt32(utf8.count))
        }
        bytes += utf8
    }

    /// The smallest encoding that holds `v`.
    package mutating func uint(_ v: UInt64) {
        switch v {
        case 0..<128: bytes.append(UInt8(v))
        case 128..<256: bytes.append(0xcc); bytes.append(UInt8(v))
        case 256..<65536: bytes.append(0xcd); be(UInt16(v))
        case 65536..<(1 << 32): bytes.append(0xce); be(UInt32(v))
        default: bytes.append(0xcf); be(v)
        }
    }

    /// `v` in a given encoding (the caller picks one that can hold it).
    package mutating func int(_ v: Int64, as encoding: IntEncoding) {
        switch encoding {
        case .fixint: bytes.append(UInt8(truncatingIfNeeded: v))
        case .u8: bytes.append(0xcc); bytes.append(UInt8(v))
        case .u16: bytes.append(0xcd); be(UInt16(v))
        case .u32: bytes.append(0xce); be(UInt32(v))
        case .u64: bytes.append(0xcf); be(UInt64(v))
        case .i8: bytes.append(0xd0); bytes.append(UInt8(bitPattern: Int8(v)))
        case .i16: bytes.append(0xd1); be(UInt16(bitPattern: Int16(v)))
        case .i32: bytes.append(0xd2); be(UInt32(bitPattern: Int32(v)))
        case .i64: bytes.append(0xd3); be(UInt64(bitPattern: v))
        }
    }

    package mutating func float64(_ d: Double) {
        bytes.append(0xcb)
        be(d.bitPattern)
    }

    package mutating func raw(_ b: [UInt8]) { bytes += b }

    private mutating func be<T: FixedWidthInteger>(_ v: T) {
        for i in (0..<MemoryLayout<T>.size).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }
}
