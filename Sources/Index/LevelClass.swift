import TracejoinModel

/// A line's level class (``LogVolume/levelClasses``), read from a block's bytes: the level
/// folded to lower case (ASCII) and packed into 16 bytes, then looked up.
enum LevelClass {
    /// Index of `other` in ``LogVolume/levelClasses``.
    static let other = UInt8(LogVolume.levelClasses.count - 1)

    /// A level of up to 16 bytes, folded: its length, and bytes 0–7 and 8–15, little end first.
    struct Key: Hashable {
        var count: Int
        var low: UInt64
        var high: UInt64
    }

    private static let table: [Key: UInt8] = {
        var table: [Key: UInt8] = [:]
        for (c, levels) in LogVolume.levelNames.enumerated() {
            for level in levels {
                if let key = Array(level.utf8).withUnsafeBufferPointer({ LevelClass.key($0) }) { table[key] = UInt8(c) }
            }
        }
        return table
    }()

    /// Record `i`'s class (`other` without a level).
    static func of(_ block: LogBlock, _ i: Int) -> UInt8 {
        let text = block.slot(i, .level)
        guard !text.isNil, text.count <= 16 else { return other }
        return block.withBytes(text) { bytes in key(bytes).flatMap { table[$0] } ?? other }
    }

    /// `level` folded and packed; nil past 16 bytes (no class's level is that long).
    static func key(_ level: UnsafeBufferPointer<UInt8>) -> Key? {
        guard level.count <= 16 else { return nil }
        var key = Key(count: level.count, low: 0, high: 0)
        for (k, b) in level.enumerated() {
            let folded = UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)
            if k < 8 {
                key.low |= folded << (8 * UInt64(k))
            } else {
                key.high |= folded << (8 * UInt64(k - 8))
            }
        }
        return key
    }
}
