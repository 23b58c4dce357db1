import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the index's hot paths: ingest
/// binds each value straight from the record (no boxed `StatementArguments` per row) and
/// lookups read columns by position (no per-cell name search).
///
/// The statement comes from GRDB's per-connection cache, so it is prepared once per connection
/// and used inside GRDB's transactions and connection management. A `RawStatement` is used
/// within one database access and left reset, ready for GRDB or the next use.
struct RawStatement: ~Copyable {
    let handle: OpaquePointer
    let db: Database

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    deinit {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Binding (1-based, as SQLite numbers parameters)

    func bind(_ i: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, i, value) } else { sqlite3_bind_null(handle, i) }
    }

    func bind(_ i: Int32, _ value: UInt64?) {
        bind(i, value.map { Int64(bitPattern: $0) })
    }

    func bind(_ i: Int32, _ value: Double) {
        sqlite3_bind_double(handle, i, value)
    }

    func bind(_ i: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, i)
            return
        }
        value.withUTF8 { bind(i, utf8: $0) }
    }

    func bind(_ i: Int32, utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else {
            sqlite3_bind_text(handle, i, "", 0, Self.transient)
            return
        }
        // SQLITE_TRANSIENT: SQLite copies the bytes before this returns.
        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            _ = sqlite3_bind_text(handle, i, $0, Int32(bytes.count), Self.transient)
        }
    }

    /// Binds `bytes` as text, or NULL when empty.
    func bind(_ i: Int32, textOrNull bytes: [UInt8]) {
        if bytes.isEmpty {
            sqlite3_bind_null(handle, i)
        } else {
            bytes.withUnsafeBufferPointer { bind(i, utf8: $0) }
        }
    }

    // MARK: Stepping

    /// Runs a statement that returns no rows, then resets it for the next bindings.
    func run() throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Makes the statement ready to run again (bindings stay).
    func reset() {
        sqlite3_reset(handle)
    }

    /// Steps to the next row; `false` when done.
    func next() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let message = sqlite3_errmsg(db.sqliteConnection).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: String(cString: sqlite3_sql(handle)))
    }

    // MARK: Reading (0-based columns of the current row)

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func int64OrNil(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    func uint64(_ column: Int32) -> UInt64 { UInt64(bitPattern: int64(column)) }

    func uint64OrNil(_ column: Int32) -> UInt64? { int64OrNil(column).map { UInt64(bitPattern: $0) } }

    func string(_ column: Int32) -> String { stringOrNil(column) ?? "" }

    func stringOrNil(_ column: Int32) -> String? {
        withBytes(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The column's text as bytes (valid only inside `body`), or `nil` for NULL.
    func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        guard let text = sqlite3_column_text(handle, column) else { return try body(nil) }
        return try body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))))
    }

    /// `SQLITE_TRANSIENT`, a macro Swift does not import.
    private static var transient: sqlite3_destructor_type { unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self) }
}

extension RawStatement {
    /// Binds `bytes` as a blob (SQLite copies them).
    func bind(_ i: Int32, blob bytes: [UInt8]) {
        bytes.withUnsafeBytes { b in
            _ = sqlite3_bind_blob(handle, i, b.baseAddress, Int32(b.count), unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self))
        }
    }

    /// The column's blob, copied (empty for NULL).
    func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, column))
        guard n > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
