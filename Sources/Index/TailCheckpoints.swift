import GRDB
import TracejoinModel

/// The tailer's offsets (`file_checkpoints`): a file by (device, inode), with the path it last
/// had, how far it was committed, and the fingerprint of its first bytes.
///
/// ``save(_:updated:_:)`` is called inside the transaction that stores the records read up to
/// those offsets (``CorrelationStore/commit(_:)``): that is what makes tailing exactly-once.
/// Holds no state; the database turn comes from the store.
struct TailCheckpoints: Sendable {
    func load(_ db: Database) throws -> [FileCheckpoint] {
        try Row.fetchAll(db, sql: "SELECT * FROM file_checkpoints").map { row in
            FileCheckpoint(
                path: row["path"], device: UInt64(bitPattern: row["device"]), inode: UInt64(bitPattern: row["inode"]),
                offset: row["offset"], fingerprint: UInt64(bitPattern: row["fingerprint"]), fingerprintLength: row["fingerprint_len"])
        }
    }

    /// Stores `checkpoints`, each replacing the file's previous one.
    func save(_ checkpoints: [FileCheckpoint], updated now: Int64, _ db: Database) throws {
        let checkpoint = try RawStatement(db, """
            INSERT INTO file_checkpoints (device, inode, path, offset, fingerprint, fingerprint_len, updated_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(device, inode) DO UPDATE SET path = excluded.path, offset = excluded.offset,
                fingerprint = excluded.fingerprint, fingerprint_len = excluded.fingerprint_len, updated_ns = excluded.updated_ns
            """)
        for c in checkpoints {
            checkpoint.bind(1, c.device)
            checkpoint.bind(2, c.inode)
            checkpoint.bind(3, c.path)
            checkpoint.bind(4, Int64(c.offset))
            checkpoint.bind(5, c.fingerprint)
            checkpoint.bind(6, Int64(c.fingerprintLength))
            checkpoint.bind(7, now)
            try checkpoint.run()
        }
    }
}
