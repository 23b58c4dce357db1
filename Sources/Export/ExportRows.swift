import Foundation
import TraceContext
import TracejoinModel
import TracejoinSupport

/// The rows of ``ClickHouseSchema``'s tables, each column written once here and encoded by a
/// ``RowEncoder``: ``RowBinaryRows`` for the exporter (ClickHouse's `RowBinary`: no names, no
/// escaping, numbers as their bytes), ``JSONRows`` (JSONEachRow) where a person reads them.
/// IDs are unsigned integers (exact: never a Double) and also in their text forms: the trace as
/// 32 hex when its high half is known (else empty), its low half in hex and in Datadog's
/// decimal, the span in hex.
public enum ExportRows {
    /// Lines as records (tests, and anything holding records).
    public static func logs<E: RowEncoder>(_ logs: [ExportedLog], host: String, into w: inout E) {
        lines(RecordLines(logs: logs), host: host, into: &w)
    }

    /// Lines read in place in their blocks: what the exporter sends. Every text is written as
    /// valid UTF-8 (an invalid sequence as U+FFFD, as a record's `String` holds it).
    public static func lines<L: ExportedLines, E: RowEncoder>(_ lines: L, host: String, into w: inout E) {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(4096)
        for k in 0..<lines.count {
            let ingested = lines.ingested(k)
            let time = lines.time(k) ?? ingested
            let trace = lines.traceID(k), span = lines.spanID(k)
            w.rowStart()
            w.string("host", host)
            w.uint64("id", UInt64(bitPattern: lines.id(k)))
            w.date("date", nanoseconds: time)
            w.int64("time_ns", time)
            w.int64("ingested_ns", ingested)
            self.trace(trace, into: &w)
            w.uint64("span_id", span?.value ?? 0)
            w.hex("span_id_hex", span?.value)
            lines.withTexts(k, scratch: &scratch) { t in
                w.text("service", t.service)
                w.text("level", t.level)
                w.text("message", t.message)
                w.text("raw", t.line)
                w.text("source", t.source)
                w.text("rule", t.rule)
                w.text("file", t.file)
                w.text("fields", t.fields)
                w.text("id_error", t.idError)
            }
            w.uint64("version", UInt64(bitPattern: ingested))
            w.rowEnd()
        }
    }

    public static func spans<E: RowEncoder>(_ spans: [ExportedSpan], host: String, into w: inout E) {
        var json = JSONWriter(capacity: 256)
        var details: [UInt8] = []
        for e in spans {
            let s = e.span
            w.rowStart()
            w.string("host", host)
            w.date("date", nanoseconds: s.start)
            trace(s.traceID, into: &w)
            w.uint64("span_id", s.spanID.value)
            w.hex("span_id_hex", s.spanID.value)
            w.uint64("parent_id", s.parentID?.value ?? 0)
            w.string("service", s.service)
            w.string("name", s.name)
            w.string("resource", s.resource)
            w.string("type", s.type)
            w.int64("start_ns", s.start)
            w.int64("duration_ns", s.duration)
            w.uint8("error", s.error ? 1 : 0)
            json.reset()
            json.objectStart()
            for (k, v) in s.meta.sorted(by: { $0.key < $1.key }) { json.member(k, v) }
            json.objectEnd()
            w.bytes("meta", json.bytes)
            json.reset()
            json.objectStart()
            for (k, v) in s.metrics.sorted(by: { $0.key < $1.key }) {
                json.key(k)
                json.value(.float(v))
            }
            json.objectEnd()
            w.bytes("metrics", json.bytes)
            w.string("protocol", s.protocolName)
            s.details.json(into: &details)
            w.bytes("details", details)
            w.uint64("version", UInt64(bitPattern: e.received))
            w.rowEnd()
        }
    }

    static func trace<E: RowEncoder>(_ id: TraceID?, into w: inout E) {
        if let id, let high = id.high { w.hex("trace_id", high, id.low) } else { w.hex("trace_id", nil) }
        w.uint64("trace_hi", id?.high ?? 0)
        w.uint8("trace_hi_known", id?.high != nil ? 1 : 0)
        w.uint64("trace_lo", id?.low ?? 0)
        w.hex("trace_lo_hex", id?.low)
        w.decimal("trace_lo_dd", id?.low)
    }

    /// `YYYY-MM-DD` (UTC) of a time in nanoseconds, for the partition column.
    static func date(_ ns: Int64) -> String {
        String(Timestamps.iso8601(nanoseconds: max(0, ns)).prefix(10))
    }
}

/// Writes rows column by column, each named in the table's order.
public protocol RowEncoder {
    mutating func rowStart()
    mutating func rowEnd()
    mutating func string(_ name: String, _ value: String)
    /// A text column whose value is already UTF-8 bytes (a JSON object).
    mutating func bytes(_ name: String, _ value: [UInt8])
    /// A text column from bytes from outside (`nil`: empty), made valid UTF-8.
    mutating func text(_ name: String, _ value: UnsafeBufferPointer<UInt8>?)
    mutating func uint64(_ name: String, _ value: UInt64)
    mutating func int64(_ name: String, _ value: Int64)
    mutating func uint8(_ name: String, _ value: UInt8)
    /// 16 lowercase hex digits of `value` (`nil`: empty).
    mutating func hex(_ name: String, _ value: UInt64?)
    /// 32 lowercase hex digits of `high` then `low`.
    mutating func hex(_ name: String, _ high: UInt64, _ low: UInt64)
    /// `value` in decimal (`nil`: empty).
    mutating func decimal(_ name: String, _ value: UInt64?)
    /// A `Date` (days since 1970, UTC) from nanoseconds: before 1970 is 1970-01-01, after
    /// 2149-06-06 (the type's last day) is that day.
    mutating func date(_ name: String, nanoseconds: Int64)
}

/// ClickHouse's `RowBinary`: each row its columns' values in order, no names. A `String` is its
/// length (LEB128) and bytes; integers are little-endian; a `Date` is a UInt16 of days. The
/// column names of the first row give the INSERT's column list (``columns``), so the statement
/// and the rows cannot disagree.
public struct RowBinaryRows: RowEncoder {
    /// The rows. (Written into an array, not a `ByteBuffer`: an append a byte costs less.)
    public private(set) var output: [UInt8] = []
    public private(set) var columns: [String] = []
    private var naming = true
    public private(set) var rows = 0

    public init(capacity: Int = 1 << 20) {
        output.reserveCapacity(capacity)
    }

    public mutating func rowStart() {}

    public mutating func rowEnd() {
        naming = false
        rows += 1
    }

    @inline(__always) private mutating func name(_ name: String) {
        if naming { columns.append(name) }
    }

    @inline(__always) private mutating func length(_ n: Int) {
        var v = UInt64(n)
        while v >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        output.append(UInt8(v))
    }

    public mutating func string(_ name: String, _ value: String) {
        self.name(name)
        var value = value
        value.withUTF8 { u in
            length(u.count)
            output.append(contentsOf: u)
        }
    }

    public mutating func bytes(_ name: String, _ value: [UInt8]) {
        self.name(name)
        length(value.count)
        output.append(contentsOf: value)
    }

    public mutating func text(_ name: String, _ value: UnsafeBufferPointer<UInt8>?) {
        self.name(name)
        guard let value else { return output.append(0) }
        UTF8Text.withValid(value) { valid in
            length(valid.count)
            output.append(contentsOf: valid)
        }
    }

    public mutating func uint64(_ name: String, _ value: UInt64) {
        self.name(name)
        withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
    }

    @inline(__always) private mutating func hexDigits(_ value: UInt64) {
        var shift = 60
        while shift >= 0 {
            let d = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 15)
            output.append(d < 10 ? 0x30 + d : 0x57 + d)
            shift -= 4
        }
    }

    public mutating func hex(_ name: String, _ value: UInt64?) {
        self.name(name)
        guard let value else { return output.append(0) }
        output.append(16)
        hexDigits(value)
    }

    public mutating func hex(_ name: String, _ high: UInt64, _ low: UInt64) {
        self.name(name)
        output.append(32)
        hexDigits(high)
        hexDigits(low)
    }

    public mutating func decimal(_ name: String, _ value: UInt64?) {
        self.name(name)
        guard var v = value else { return output.append(0) }
        // At most 20 digits, written from the end of a fixed field.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { field in
            var at = 24
            repeat {
                at -= 1
                field[at] = 0x30 + UInt8(v % 10)
                v /= 10
            } while v > 0
            output.append(UInt8(24 - at))
            output.append(contentsOf: field[at..<24])
        }
    }

    public mutating func int64(_ name: String, _ value: Int64) {
        uint64(name, UInt64(bitPattern: value))
    }

    public mutating func uint8(_ name: String, _ value: UInt8) {
        self.name(name)
        output.append(value)
    }

    public mutating func date(_ name: String, nanoseconds: Int64) {
        self.name(name)
        let days = UInt16(clamping: max(0, nanoseconds / 86_400_000_000_000))
        withUnsafeBytes(of: days.littleEndian) { output.append(contentsOf: $0) }
    }
}

/// JSONEachRow: one object a line, for people and tests to read.
public struct JSONRows: RowEncoder {
    public var writer = JSONWriter(capacity: 4096)
    public init() {}
    public var bytes: [UInt8] { writer.bytes }
    public mutating func rowStart() { writer.objectStart() }
    public mutating func rowEnd() {
        writer.objectEnd()
        writer.lineEnd()
    }
    public mutating func string(_ name: String, _ value: String) { writer.member(name, value) }
    public mutating func bytes(_ name: String, _ value: [UInt8]) { writer.member(name, String(decoding: value, as: UTF8.self)) }
    public mutating func text(_ name: String, _ value: UnsafeBufferPointer<UInt8>?) {
        writer.member(name, value.map { String(decoding: $0, as: UTF8.self) } ?? "")
    }
    public mutating func uint64(_ name: String, _ value: UInt64) { writer.member(name, value) }
    public mutating func int64(_ name: String, _ value: Int64) { writer.member(name, value) }
    public mutating func uint8(_ name: String, _ value: UInt8) { writer.member(name, Int64(value)) }
    public mutating func hex(_ name: String, _ value: UInt64?) { writer.member(name, value.map { SpanID($0).hex } ?? "") }
    public mutating func hex(_ name: String, _ high: UInt64, _ low: UInt64) { writer.member(name, TraceID(high: high, low: low).hex) }
    public mutating func decimal(_ name: String, _ value: UInt64?) { writer.member(name, value.map(String.init) ?? "") }
    public mutating func date(_ name: String, nanoseconds: Int64) { writer.member(name, ExportRows.date(nanoseconds)) }
}

/// Records seen as ``ExportedLines``, so that one definition of a line's row serves both.
struct RecordLines: ExportedLines {
    let logs: [ExportedLog]
    var count: Int { logs.count }
    func id(_ k: Int) -> Int64 { logs[k].id }
    func ingested(_ k: Int) -> Int64 { logs[k].ingested }
    func time(_ k: Int) -> Int64? { logs[k].record.effectiveNanoseconds }
    func traceID(_ k: Int) -> TraceID? { logs[k].record.traceID }
    func spanID(_ k: Int) -> SpanID? { logs[k].record.spanID }

    func withTexts<T>(_ k: Int, scratch: inout [UInt8], _ body: (ExportedTexts) -> T) -> T {
        let r = logs[k].record
        var fields = JSONWriter(capacity: 256)
        fields.objectStart()
        for f in r.fields {
            fields.key(f.name)
            fields.value(f.value)
        }
        fields.objectEnd()
        var service: String?
        for f in r.fields where service == nil && ExportedTexts.serviceFields.contains(f.name) {
            if case .string(let s) = f.value { service = s }
        }
        // Every text in one buffer, so that they can be handed over together.
        var all: [UInt8] = []
        func add(_ s: String?) -> Range<Int>? {
            guard let s else { return nil }
            let start = all.count
            all.append(contentsOf: s.utf8)
            return start..<all.count
        }
        let at = [add(r.level), add(r.message), add(r.file), add(r.source), add(r.rule), add(r.idError), add(service), add(r.raw)]
        let fieldsStart = all.count
        all.append(contentsOf: fields.bytes)
        return all.withUnsafeBufferPointer { b in
            func part(_ i: Int) -> UnsafeBufferPointer<UInt8>? { at[i].map { UnsafeBufferPointer(rebasing: b[$0]) } }
            return body(ExportedTexts(level: part(0), message: part(1), file: part(2), source: part(3), rule: part(4), idError: part(5),
                                      service: part(6), line: part(7)!, fields: UnsafeBufferPointer(rebasing: b[fieldsStart...])))
        }
    }
}
