@testable import Index
import TraceContext
import Testing
import TracejoinModel

@Suite("Span blocks")
struct SpanBlockTests {
    /// splitmix64: the tests' random numbers, the same in every run.
    struct Random {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let t128 = TraceID(high: 0x6b06_0b90_0000_0000, low: 0x6383_37ca_bfd0_09ff)
    static let t64 = TraceID(high: nil, low: 17_140_740_446_427_694_127)

    /// A resource many spans share (one array's storage), and its attributes of every type.
    static let resource = [
        SpanAttribute("service.name", .string("checkout")), SpanAttribute("host.name", .string("pod-7 🙂")),
        SpanAttribute("process.pid", .integer(4242)), SpanAttribute("cpu.share", .float(0.25)), SpanAttribute("k8s.ready", .bool(true)),
        SpanAttribute("none", .null), SpanAttribute("blob", .string("AQID"), isBinary: true),
    ]
    static let otherResource = [SpanAttribute("service.name", .string("auth"))]

    /// Spans of every shape: 128- and 64-bit traces (one low half with both), roots, empty and
    /// non-ASCII texts, far-apart and negative times, meta and metrics or none, details of
    /// every kind.
    static func varied(_ n: Int = 60) -> [SpanRecord] {
        let services = ["web", "", "日本語サービス", "auth"]
        let starts: [Int64] = [1_765_000_000_123_456_789, -5, 0, Int64.max, Int64.min]
        let protocols = ["otlp", "datadog-v0.4", "ndjson"]
        var spans: [SpanRecord] = []
        for i in 0..<n {
            let trace: TraceID
            switch i % 4 {
            case 0: trace = t128
            case 1: trace = t64
            case 2: trace = TraceID(high: i % 8 == 2 ? nil : 7, low: UInt64(i % 12))
            default: trace = TraceID(high: UInt64(i) << 40, low: UInt64.max - UInt64(i % 8))
            }
            let start = starts[i % 5] &+ Int64(i)
            var meta: [String: String] = [:]
            if i % 4 != 0 {
                meta = ["env": "prod", "": "", "emoji 🙂": "value \(i)", "http.url": "/users/\(i)?q=é"]
            }
            var metrics: [String: Double] = [:]
            if i % 4 != 1 {
                metrics["m"] = Double(i) * 0.5
                metrics["big"] = 1e308
                metrics["neg"] = -Double(i)
                metrics["inf"] = Double.infinity
                metrics["tiny"] = Double.leastNonzeroMagnitude
            }
            let parent: SpanID? = i % 3 == 0 ? nil : SpanID(UInt64(i) * 31 + 1)
            let name = i % 5 == 0 ? "" : "GET /users/\(i % 6)"
            let duration: Int64 = i % 7 == 0 ? -3 : Int64(i) * 1_000
            var span = SpanRecord(
                traceID: trace, spanID: SpanID(0x1000 + UInt64(i) * 7919), parentID: parent, service: services[i % 4], name: name,
                resource: "résumé \(i % 3)", type: i % 2 == 0 ? "web" : "", start: start, duration: duration, error: i % 6 == 0,
                meta: meta, metrics: metrics, protocolName: protocols[i % 3])
            var details = SpanDetails()
            switch i % 4 {
            case 0: details.resource = resource
            case 1: details.resource = resource.map { $0 }   // equal, in storage of its own
            case 2: details.resource = otherResource
            default: break
            }
            if i % 2 == 0 {
                details.typed = [SpanAttribute("retries", .integer(Int64(i) - 30)), SpanAttribute("cached", .bool(i % 4 == 0)),
                                 SpanAttribute("payload", .string("AAEC"), isBinary: true), SpanAttribute("nothing", .null)]
            }
            if i % 5 == 1 {
                let every: [SpanAttribute] = [
                    SpanAttribute("exception.message", .string("boom ✨")), SpanAttribute("min", .integer(.min)),
                    SpanAttribute("max", .integer(.max)), SpanAttribute("f", .float(-2.5)), SpanAttribute("no", .bool(false)),
                    SpanAttribute("yes", .bool(true)), SpanAttribute("null", .null), SpanAttribute("bytes", .string(""), isBinary: true),
                ]
                details.events = [
                    SpanDetails.Event(time: start &+ 10, name: "exception", attributes: every),
                    SpanDetails.Event(time: start &- 1_000, name: "", attributes: []),
                    SpanDetails.Event(time: .min, name: "far", attributes: [SpanAttribute("", .string(""))]),
                ]
            }
            if i % 5 == 2 {
                details.links = [
                    SpanDetails.Link(traceID: t128, spanID: SpanID(99), attributes: [SpanAttribute("link.kind", .string("follows"))]),
                    SpanDetails.Link(traceID: t64, spanID: SpanID(.max)),
                ]
            }
            span.details = details
            spans.append(span)
        }
        return spans
    }

    /// Appends `spans` in an order of their own (seq a permutation; received in a few batches).
    static func encode(_ spans: [SpanRecord]) -> (encoder: SpanBlockEncoder, bySeq: [Int64: (received: Int64, span: SpanRecord)]) {
        var encoder = SpanBlockEncoder()
        var bySeq: [Int64: (received: Int64, span: SpanRecord)] = [:]
        for (i, span) in spans.enumerated() {
            let seq = Int64((i * 37) % spans.count) + 1_000
            let received = 1_765_000_000_000_000_000 + Int64(i / 7) * 1_000 - Int64(i % 3)
            encoder.append(seq: seq, received: received, span)
            bySeq[seq] = (received, span)
        }
        return (encoder, bySeq)
    }

    /// Every way to read a row, as a search or a lookup would.
    static func readEverything(_ block: SpanBlock) {
        for i in 0..<block.count {
            let span = block.span(i)
            _ = block.serviceName(i)
            _ = block.meta(i, span.meta.keys.first ?? "env")
            _ = block.metric(i, span.metrics.keys.first ?? "m")
            #expect(block.rows(ofTrace: block.traceLow[i]).contains(i))
        }
    }

    /// `bytes` with their last eight made the checksum of the rest again.
    static func resum(_ bytes: inout [UInt8]) {
        let n = bytes.count - 8
        let sum = bytes.withUnsafeBytes { BlockFormat.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        for k in 0..<8 { bytes[n + k] = UInt8(truncatingIfNeeded: sum >> UInt64(8 * k)) }
    }

    @Test func spansComeBackAsTheyWentIn() throws {
        let spans = Self.varied()
        let (encoder, bySeq) = Self.encode(spans)
        #expect(encoder.count == spans.count)
        let block = try SpanBlock(bytes: encoder.seal(with: ZstdCompressor()))
        #expect(block.count == spans.count)
        #expect(Set(block.seq) == Set(bySeq.keys))
        for i in 0..<block.count {
            let expected = try #require(bySeq[block.seq[i]])
            let span = expected.span
            #expect(block.span(i) == span)
            #expect(block.received[i] == expected.received)
            #expect(block.traceLow[i] == span.traceID.low && block.traceHigh[i] == span.traceID.high)
            #expect(block.spanID[i] == span.spanID.value && block.parentID[i] == span.parentID?.value)
            #expect(block.start[i] == span.start && block.duration[i] == span.duration && block.error[i] == span.error)
            #expect(block.strings[Int(block.service[i])] == span.service && block.strings[Int(block.name[i])] == span.name)
            #expect(block.serviceName(i) == span.service)
            for (key, value) in span.meta { #expect(block.meta(i, key) == value) }
            for (key, value) in span.metrics { #expect(block.metric(i, key)?.bitPattern == value.bitPattern) }
            #expect(block.meta(i, "absent") == nil && block.metric(i, "absent") == nil)
        }
        // The block's order: trace low half, start, seq.
        for i in 1..<block.count {
            let ordered = (block.traceLow[i - 1], block.start[i - 1], block.seq[i - 1]) < (block.traceLow[i], block.start[i], block.seq[i])
            #expect(ordered, "row \(i)")
        }
    }

    /// A resource shared by many spans is stored once, whether they share its array or hold
    /// equal copies.
    @Test func aSharedResourceIsStoredOnce() throws {
        let (encoder, _) = Self.encode(Self.varied())
        let table = encoder.columns()[SpanBlockFormat.Column.resources.rawValue]
        #expect(table.first == 2)   // the two distinct resources
        let block = try SpanBlock(bytes: encoder.seal(with: ZstdCompressor()))
        let resources = (0..<block.count).map { block.span($0).details.resource }
        #expect(resources.filter { $0 == Self.resource }.count == 30)
        #expect(resources.filter { $0 == Self.otherResource }.count == 15)
    }

    @Test func rowsOfATraceAreNeighbours() throws {
        let spans = Self.varied()
        let block = try SpanBlock(bytes: Self.encode(spans).encoder.seal(with: ZstdCompressor()))
        for low in Set(spans.map { $0.traceID.low }) {
            let rows = block.rows(ofTrace: low)
            #expect(rows.count == spans.filter { $0.traceID.low == low }.count)
            #expect(rows.allSatisfy { block.traceLow[$0] == low })
        }
        let absent: [UInt64] = [123_456_789, 13, UInt64.max - 100]
        for low in absent { #expect(block.rows(ofTrace: low).isEmpty) }
        // The 128-bit and the 64-bit spans of one low half are one range.
        let highs: Set<UInt64?> = Set(block.rows(ofTrace: 2).map { block.traceHigh[$0] })
        #expect(highs == [nil, 7])
    }

    @Test func theSummaryCountsWhatWasAppended() {
        let spans = Self.varied()
        let (encoder, bySeq) = Self.encode(spans)
        let s = encoder.summary
        #expect(s.count == spans.count)
        #expect(s.firstSeq == bySeq.keys.min() && s.lastSeq == bySeq.keys.max())
        #expect(s.minStart == spans.map { $0.start }.min() && s.maxStart == spans.map { $0.start }.max())
        #expect(s.minReceived == bySeq.values.map { $0.received }.min() && s.maxReceived == bySeq.values.map { $0.received }.max())
        #expect(s.services == spans.reduce(UInt64(0)) { $0 | BlockFormat.bit(of: $1.service) })
        #expect(s.errors == spans.filter { $0.error }.count)
        var traces: [UInt64: Int] = [:]
        for span in spans { traces[span.traceID.low, default: 0] += 1 }
        #expect(s.traces.map { $0.low } == traces.keys.sorted())
        #expect(s.traces.allSatisfy { traces[$0.low] == $0.spans })
        #expect(s.rawBytes > spans.count * 60)
        #expect(!s.filter.isEmpty && s.filter.count <= SpanFilter.maxBytes)

        let empty = SpanBlockEncoder().summary
        #expect(empty.count == 0 && empty.traces.isEmpty && empty.filter.isEmpty)
    }

    @Test func anEmptyBlockReadsBack() throws {
        let block = try SpanBlock(bytes: SpanBlockEncoder().seal(with: ZstdCompressor()))
        #expect(block.count == 0 && block.seq.isEmpty && block.rows(ofTrace: 1).isEmpty)
    }

    /// Texts are stored by their bytes: two normalizations of "é" (equal as Swift strings)
    /// each read back as written.
    @Test func textsKeepTheirBytes() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        var encoder = SpanBlockEncoder()
        for (i, text) in [composed, decomposed, composed].enumerated() {
            encoder.append(seq: Int64(i), received: 0, SpanRecord(
                traceID: TraceID(high: nil, low: 1), spanID: SpanID(UInt64(i + 1)), parentID: nil, service: text, name: text,
                resource: "", start: Int64(i), duration: 0, error: false, meta: ["k": text], protocolName: "otlp"))
        }
        let block = try SpanBlock(bytes: encoder.seal(with: ZstdCompressor()))
        for (i, text) in [composed, decomposed, composed].enumerated() {
            #expect(Array(block.span(i).service.utf8) == Array(text.utf8))
            #expect(Array((block.meta(i, "k") ?? "").utf8) == Array(text.utf8))
        }
    }

    /// Floats are stored as their bits: a NaN's payload and the sign of zero come back.
    @Test func floatsKeepTheirBits() throws {
        let nan = Double(nan: 0x1234, signaling: false)
        let negativeZero = -0.0
        var span = SpanRecord(traceID: TraceID(high: nil, low: 1), spanID: SpanID(1), parentID: nil, service: "s", name: "n", resource: "r",
                              start: 0, duration: 0, error: false, metrics: ["nan": nan, "zero": negativeZero], protocolName: "otlp")
        span.details = SpanDetails(typed: [SpanAttribute("nan", .float(nan)), SpanAttribute("zero", .float(negativeZero))])
        var encoder = SpanBlockEncoder()
        encoder.append(seq: 1, received: 0, span)
        let block = try SpanBlock(bytes: encoder.seal(with: ZstdCompressor()))
        #expect(block.metric(0, "nan")?.bitPattern == nan.bitPattern)
        #expect(block.metrics(0)["zero"]?.bitPattern == negativeZero.bitPattern)
        let typed = block.span(0).details.typed
        guard typed.count == 2, case .float(let a) = typed[0].value, case .float(let b) = typed[1].value else {
            Issue.record("typed attributes: \(typed)")
            return
        }
        #expect(a.bitPattern == nan.bitPattern && b.bitPattern == negativeZero.bitPattern)
    }

    /// Whatever was appended is in the filter; of 200 absent entries, few are said to be
    /// (the hash is fixed, so the count is the same in every run: 2, with about 0.8% expected).
    @Test func theFilterHoldsWhatIsInTheBlockAndLittleElse() {
        var encoder = SpanBlockEncoder()
        var random = Random(7)
        var ids: [UInt64] = []
        for i in 0..<300 {
            let id = random.next()
            ids.append(id)
            encoder.append(seq: Int64(i), received: 0, SpanRecord(
                traceID: TraceID(high: nil, low: UInt64(i / 3 + 1)), spanID: SpanID(id), parentID: nil, service: "svc-\(i % 5)",
                name: "op", resource: "r", start: Int64(i), duration: 1, error: i % 10 == 0, meta: ["k\(i % 7)": "v\(i % 13)"],
                metrics: ["m\(i % 3)": Double(i % 11)], protocolName: "ndjson"))
        }
        let filter = encoder.summary.filter
        for id in ids { #expect(SpanFilter.mayContain(filter, spanID: id)) }
        for s in 0..<5 { #expect(SpanFilter.mayContain(filter, service: "svc-\(s)")) }
        for i in 0..<300 {
            #expect(SpanFilter.mayContain(filter, tag: "k\(i % 7)", value: "v\(i % 13)"))
            #expect(SpanFilter.mayContain(filter, tag: "m\(i % 3)", number: Double(i % 11)))
            // The number as text, as a search for `m1:3.0` may ask.
            #expect(SpanFilter.mayContain(filter, tag: "m\(i % 3)", value: Double(i % 11).description))
        }
        #expect(SpanFilter.mayContain(filter, tag: "error", value: "true") && SpanFilter.mayContain(filter, tag: "error", value: "false"))

        var absent = Random(99)
        var positives = 0
        for i in 0..<50 {
            let id = absent.next()
            if !ids.contains(id), SpanFilter.mayContain(filter, spanID: id) { positives += 1 }
            if SpanFilter.mayContain(filter, service: "absent-\(i)") { positives += 1 }
            if SpanFilter.mayContain(filter, tag: "k1", value: "w\(i)") { positives += 1 }
            if SpanFilter.mayContain(filter, tag: "m1", number: Double(100 + i)) { positives += 1 }
        }
        print("span filter: \(filter.count) bytes, \(positives) of 200 absent entries said to be present")
        #expect(positives <= 4)
    }

    @Test func anEmptyFilterKnowsNothing() {
        #expect(SpanFilter.mayContain([], spanID: 1))
        #expect(SpanFilter.mayContain([], service: "web"))
        #expect(SpanFilter.mayContain([], tag: "k", value: "v"))
        #expect(SpanFilter.mayContain([], tag: "k", number: 1.5))
    }

    /// The filter's hash is fixed: the same value in every process and build (the values were
    /// worked out apart from this code, from FNV-1a-64 and splitmix64's finalizer).
    @Test func theFilterHashIsStable() {
        #expect(SpanFilter.hash(spanID: 1) == 0x5D3A_B85A_D03D_30F9)
        #expect(SpanFilter.hash(service: "web") == 0x27E5_F9E7_BC6D_2A6B)
        #expect(SpanFilter.hash(tag: "http.status_code", value: "200") == 0x252F_19EA_8A9F_1E2E)
        #expect(SpanFilter.hash(tag: "m", number: 200) == 0xCDBC_6DF3_240E_F123)
        #expect(SpanFilter.make([SpanFilter.hash(spanID: 1), SpanFilter.hash(service: "web")]) == [0xA0, 0x00, 0x08, 0x80, 0x22, 0x2A, 0x22, 0x02])
        #expect(SpanFilter.mix(0) == 0)
        #expect(SpanFilter.hash(tag: "a", value: "b") != SpanFilter.hash(tag: "a", value: "b "))
        #expect(SpanFilter.hash(tag: "ab", value: "") != SpanFilter.hash(tag: "a", value: "b"))
        #expect(SpanFilter.hash(tag: "m", number: 200) == SpanFilter.hash(tag: "m", value: "200.0"))
    }

    @Test func everyTruncationAndByteFlipIsFound() throws {
        var encoder = SpanBlockEncoder()
        for (i, span) in Self.varied(6).enumerated() { encoder.append(seq: Int64(i), received: 0, span) }
        let bytes = encoder.seal(with: ZstdCompressor())
        _ = try SpanBlock(bytes: bytes)
        for length in 0..<bytes.count {
            #expect(throws: BlockCorruption.self) { try SpanBlock(bytes: Array(bytes[..<length])) }
        }
        for at in 0..<bytes.count {
            var flipped = bytes
            flipped[at] ^= 0xA5
            #expect(throws: BlockCorruption.self) { try SpanBlock(bytes: flipped) }
        }
    }

    /// Columns damaged behind a valid checksum and valid zstd frames (a wrong writer, a
    /// forger): every block is refused or reads, row by row, without trapping.
    @Test func damagedColumnsUnderAValidChecksumAreRefusedOrRead() throws {
        var encoder = SpanBlockEncoder()
        for (i, span) in Self.varied(12).enumerated() { encoder.append(seq: Int64(i), received: Int64(i), span) }
        let columns = encoder.columns()
        let compressor = ZstdCompressor()
        var random = Random(5)
        var refused = 0, read = 0
        for _ in 0..<3_000 {
            var damaged = columns
            var count = encoder.count
            let c = random.below(damaged.count)
            switch random.below(4) {
            case 0, 1:
                guard !damaged[c].isEmpty else { continue }
                for _ in 0...random.below(3) {
                    let at = random.below(damaged[c].count)
                    damaged[c][at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                }
            case 2:
                if random.below(2) == 0 {
                    damaged[c].removeLast(min(damaged[c].count, 1 + random.below(4)))
                } else {
                    damaged[c].append(UInt8(truncatingIfNeeded: random.next()))
                }
            default:
                count = random.below(2 * count + 2)
            }
            do {
                let block = try SpanBlock(bytes: SpanBlockEncoder.frame(damaged, count: count, with: compressor))
                read += 1
                Self.readEverything(block)
            } catch {
                refused += 1
            }
        }
        print("span blocks damaged under a valid checksum: \(refused) refused, \(read) read")
        #expect(refused > 0)
    }

    /// Random bytes behind the magic, with the checksum made right: refused (or read) without
    /// trapping, whether the header is random too or declares frames of plausible sizes.
    @Test func randomBytesWithAValidChecksumAreRefused() {
        var random = Random(11)
        for round in 0..<2_000 {
            var bytes = SpanBlockFormat.magic + [UInt8(SpanBlockFormat.columnCount)]
            let count = random.below(3)
            bytes += withUnsafeBytes(of: UInt32(count).littleEndian) { Array($0) }
            var frames: [UInt8] = []
            for column in 0..<SpanBlockFormat.columnCount {
                let raw: Int
                if round % 2 == 0 {
                    raw = Int(truncatingIfNeeded: random.next() & 0xFFFF_FFFF)
                } else if column == SpanBlockFormat.Column.traceLow.rawValue || column == SpanBlockFormat.Column.spanID.rawValue {
                    raw = count * 8
                } else {
                    raw = column == SpanBlockFormat.Column.error.rawValue ? count : random.below(64)
                }
                let frame = 1 + random.below(24)
                bytes += withUnsafeBytes(of: UInt32(raw).littleEndian) { Array($0) }
                bytes += withUnsafeBytes(of: UInt32(frame).littleEndian) { Array($0) }
                // Some frames start as zstd's do (magic 0xFD2FB528), so its header is read.
                if random.below(2) == 0 { frames += [0x28, 0xB5, 0x2F, 0xFD] }
                for _ in 0..<frame { frames.append(UInt8(truncatingIfNeeded: random.next())) }
            }
            bytes += frames.prefix(random.below(frames.count + 1))
            bytes += [UInt8](repeating: 0, count: 8)
            Self.resum(&bytes)
            do {
                Self.readEverything(try SpanBlock(bytes: bytes))
            } catch {}
        }
    }

    /// Sizes a block declares beyond the limits are refused before anything is decompressed;
    /// rows out of trace order are refused (a trace would not be found).
    @Test func declaredSizesAndOrderAreChecked() throws {
        var encoder = SpanBlockEncoder()
        for (i, span) in Self.varied(8).enumerated() { encoder.append(seq: Int64(i), received: 0, span) }
        let good = encoder.seal(with: ZstdCompressor())
        func refusal(_ bytes: [UInt8]) -> String {
            do {
                _ = try SpanBlock(bytes: bytes)
                return "read"
            } catch {
                return String(describing: error)
            }
        }
        var tooLarge = good
        let strings = 9 + SpanBlockFormat.Column.strings.rawValue * 8
        for k in 0..<4 { tooLarge[strings + k] = UInt8(truncatingIfNeeded: (300 << 20) >> (8 * k)) }
        Self.resum(&tooLarge)
        #expect(refusal(tooLarge).contains("more than a block's"))

        var tooMany = good
        for k in 0..<4 { tooMany[5 + k] = UInt8(truncatingIfNeeded: (SpanBlockFormat.maxSpans + 1) >> (8 * k)) }
        Self.resum(&tooMany)
        #expect(refusal(tooMany).contains("spans, more than"))

        var columns = encoder.columns()
        let lows = columns[SpanBlockFormat.Column.traceLow.rawValue]
        #expect(lows[0..<8] != lows[56..<64])
        columns[SpanBlockFormat.Column.traceLow.rawValue] = Array(lows[56..<64] + lows[8..<56] + lows[0..<8])
        #expect(refusal(SpanBlockEncoder.frame(columns, count: 8, with: ZstdCompressor())).contains("trace order"))
    }

    /// Spans as a Datadog tracer sends them: 5 services, 20 names, 40 resources, six meta keys
    /// with repeating values, two metrics, random IDs, traces of 1 to 8 spans.
    static func datadogSpans(_ count: Int) -> [SpanRecord] {
        var random = Random(2026)
        let services = ["web", "auth", "billing", "db-proxy", "worker"]
        let names = (0..<20).map { "operation.\($0)" }
        let resources = (0..<40).map { "GET /api/v1/resource/\($0)" }
        let base: Int64 = 1_765_000_000_000_000_000
        var spans: [SpanRecord] = []
        while spans.count < count {
            let low = random.next()
            let high: UInt64? = random.below(2) == 0 ? nil : UInt64(1_765_000_000 + random.below(600)) << 32
            let size = min(1 + random.below(8), count - spans.count)
            let traceStart = base + Int64(random.below(10_000_000_000))
            var ids: [UInt64] = []
            for k in 0..<size {
                let id = random.next()
                let parent: SpanID? = k == 0 ? nil : SpanID(ids[random.below(ids.count)])
                ids.append(id)
                let service = services[random.below(5)]
                let status = ["200", "200", "200", "404", "500"][random.below(5)]
                let name = names[random.below(20)]
                let resource = resources[random.below(40)]
                let type = ["web", "sql", "http", "cache"][random.below(4)]
                let start = traceStart + Int64(k) * 1_000_000 + Int64(random.below(1_000_000))
                let duration = Int64(1_000 + random.below(100_000_000))
                let method = ["GET", "POST"][random.below(2)]
                let measured = Double(random.below(2))
                spans.append(SpanRecord(
                    traceID: TraceID(high: high, low: low), spanID: SpanID(id), parentID: parent, service: service, name: name,
                    resource: resource, type: type, start: start, duration: duration, error: status == "500",
                    meta: ["env": "prod", "version": "1.4.2", "http.method": method, "http.status_code": status,
                           "component": service == "db-proxy" ? "psycopg" : "flask", "language": "python"],
                    metrics: ["_sampling_priority_v1": 1, "_dd.measured": measured], protocolName: "datadog-v0.4"))
            }
        }
        return spans
    }

    @Test func datadogSpansTakeUnder60BytesEach() throws {
        let spans = Self.datadogSpans(4096)
        var encoder = SpanBlockEncoder()
        for (i, span) in spans.enumerated() {
            encoder.append(seq: Int64(i + 1), received: 1_765_000_000_000_000_000 + Int64(i / 256) * 1_000_000, span)
        }
        let bytes = encoder.seal(with: ZstdCompressor())
        let perSpan = Double(bytes.count) / Double(spans.count)
        print("span block: \(spans.count) Datadog-like spans in \(bytes.count) bytes, \(perSpan) bytes a span "
              + "(\(encoder.summary.rawBytes) bytes before compression, filter \(encoder.summary.filter.count) bytes)")
        #expect(perSpan < 60)
        let block = try SpanBlock(bytes: bytes)
        for i in 0..<block.count { #expect(block.span(i) == spans[Int(block.seq[i]) - 1]) }
    }

    /// The fuzz target's seed is a block that reads, and the target's own check passes on it.
    @Test func theFuzzSeedReads() throws {
        let seed = SpanBlockFuzzing.seed()
        #expect(try SpanBlock(bytes: seed).count == 12)
        #expect(seed.withUnsafeBufferPointer { SpanBlockFuzzing.decode($0) } == nil)
    }
}
