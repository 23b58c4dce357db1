import TraceContext
import TracejoinModel
import TracejoinSupport

/// Lines left in the blocks they were read from, for the exporter to encode column by column
/// (``ExportedLines``): no ``LogRecord``, no `String` per text. The blocks are the cache's
/// (shared, not copied); each line is a block and a row in it.
public struct StoredLines: ExportedLines {
    /// Each block behind a reference: a method called on a struct element of an array copies
    /// the struct (its every column, a retain and release each) when it takes a closure; a
    /// class's `let` is read in place.
    private final class Held: Sendable {
        let block: LogBlock
        init(_ block: LogBlock) { self.block = block }
    }

    private var held: [Held] = []
    private var rows: [(block: Int32, row: Int32)] = []

    init() {}

    mutating func append(_ block: LogBlock, _ row: Int) {
        if held.isEmpty || held[held.count - 1].block.ids.first != block.ids.first || held[held.count - 1].block.count != block.count {
            held.append(Held(block))
        }
        rows.append((Int32(held.count - 1), Int32(row)))
    }

    public var count: Int { rows.count }

    /// Line `k`'s block and row.
    @inline(__always) private func at(_ k: Int) -> (Held, Int) {
        let r = rows[k]
        return (held[Int(r.block)], Int(r.row))
    }

    public func id(_ k: Int) -> Int64 {
        let (b, i) = at(k)
        return b.block.ids[i]
    }

    public func ingested(_ k: Int) -> Int64 {
        let (b, i) = at(k)
        return b.block.ingested[i]
    }

    public func time(_ k: Int) -> Int64? {
        let (b, i) = at(k)
        return b.block.lineTime(i)
    }

    public func traceID(_ k: Int) -> TraceID? {
        let (b, i) = at(k)
        return b.block.traceID(i)
    }

    public func spanID(_ k: Int) -> SpanID? {
        let (b, i) = at(k)
        return b.block.spans[i].map(SpanID.init)
    }

    public func withTexts<T>(_ k: Int, scratch: inout [UInt8], _ body: (ExportedTexts) -> T) -> T {
        let (h, i) = at(k)
        scratch.removeAll(keepingCapacity: true)
        let at = h.block.gatherTexts(i, into: &scratch)
        return scratch.withUnsafeBufferPointer { all in
            func part(_ r: Range<Int>?) -> UnsafeBufferPointer<UInt8>? { r.map { UnsafeBufferPointer(rebasing: all[$0]) } }
            return body(ExportedTexts(level: part(at.level), message: part(at.message), file: part(at.file), source: part(at.source),
                                      rule: part(at.rule), idError: part(at.idError), service: part(at.service),
                                      line: UnsafeBufferPointer(rebasing: all[at.line]), fields: UnsafeBufferPointer(rebasing: all[at.fields])))
        }
    }
}

/// Where ``LogBlock/gatherTexts(_:into:)`` put each text of a line.
struct GatheredTexts {
    var level, message, file, source, rule, idError, service: Range<Int>?
    var line: Range<Int> = 0..<0
    var fields: Range<Int> = 0..<0
}

extension LogBlock {
    /// Appends record `i`'s texts to `out` (its slots, its line, its service field and its fields
    /// as a JSON object) and says where each lies: one call a line, so that the block is
    /// borrowed once rather than once a text.
    func gatherTexts(_ i: Int, into out: inout [UInt8]) -> GatheredTexts {
        var at = GatheredTexts()
        func append(_ text: Text) -> Range<Int>? {
            guard !text.isNil else { return nil }
            let start = out.count
            withBytes(text) { out.append(contentsOf: $0) }
            return start..<out.count
        }
        at.level = append(slot(i, .level))
        at.message = append(slot(i, .message))
        at.file = append(slot(i, .file))
        at.source = append(slot(i, .source))
        at.rule = append(slot(i, .rule))
        at.idError = append(slot(i, .idError))
        let lineStart = out.count
        withLine(i) { out.append(contentsOf: $0) }
        at.line = lineStart..<out.count
        let fields = fields(i)
        for (name, value) in fields where at.service == nil {
            guard case .text(let t) = value else { continue }
            if withBytes(name, { bytes in ExportedTexts.serviceFields.contains { $0.utf8.elementsEqual(bytes) } }) { at.service = append(t) }
        }
        // The fields' JSON is written straight into `out`.
        let fieldsStart = out.count
        var w = JSONWriter(appendingTo: out)
        out = []  // the writer holds the only reference: appending does not copy
        w.objectStart()
        for (name, value) in fields {
            withBytes(name) { bytes in UTF8Text.withValid(bytes) { w.key(utf8: $0) } }
            switch value {
            case .text(let t): withBytes(t) { bytes in UTF8Text.withValid(bytes) { w.string(utf8: $0) } }
            case .integer(let x): w.int(x)
            case .float(let x): w.double(x)
            case .bool(let x): w.bool(x)
            case .null: w.string(nil)
            }
        }
        w.objectEnd()
        out = w.bytes
        at.fields = fieldsStart..<out.count
        return at
    }
}
