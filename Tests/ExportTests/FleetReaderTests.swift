import Foundation
import Testing
import TraceContext
import TracejoinAPI
import TracejoinModel
import TracejoinSupport
@testable import Export

/// The fleet service's pieces that need no server: its page cursor, its SQL, and how it merges
/// the shards' answers. The service itself runs against real clickhouse-server processes in
/// Tests/EndToEnd/test_fleet.py.
@Suite("Fleet reader")
struct FleetReaderTests {
    @Test(arguments: ["web-1", "a.b.c", "host with spaces/and%percent", "ünïcode"])
    func aCursorRoundTripsWhateverTheHostName(_ host: String) throws {
        let cursor = FleetCursor(ingested: 1_764_000_000_000_000_001, id: 42, host: host)
        #expect(FleetCursor(cursor.text) == cursor)
        #expect(FleetCursor(cursor.text)?.host == host)
    }

    @Test(arguments: ["", "12", "12.3", "x.1.h", "1.x.h", "1.2.", "99999999999999999999.1.h"])
    func aCursorThatIsNotOneIsRefused(_ text: String) {
        #expect(FleetCursor(text) == nil)
    }

    @Test func aSearchOrdersPagesByIngestHostAndIDAfterTheCursor() throws {
        var q = LogQuery(level: "ERROR", source: "app", text: "it's", limit: 10)
        q.fields = [.init(name: "host", value: "web-2"), .init(name: "k8s.pod", value: "a'b")]
        q.cursor = FleetCursor(ingested: 5, id: 7, host: "h'1").text
        let sql = try ClickHouseReader.conditions(q, database: "`tracejoin`").joined(separator: " AND ")
        #expect(sql.contains("lower(level) = 'error'"))
        #expect(sql.contains("position(message, 'it\\'s') > 0"))
        #expect(sql.contains("host = 'web-2'"))
        #expect(sql.contains("visitParamExtractString(fields, 'k8s.pod') = 'a\\'b'"))
        #expect(sql.contains("(ingested_ns < 5 OR (ingested_ns = 5 AND (host < 'h\\'1' OR (host = 'h\\'1' AND id < 7))))"))
    }

    @Test func aDaemonsCursorOrAStrangeOneIsRefusedNotIgnored() {
        var q = LogQuery(before: 9)
        #expect(throws: ReadRefused.self) { try ClickHouseReader.conditions(q, database: "d") }
        q.before = nil
        q.cursor = "not-a-cursor"
        #expect(throws: ReadRefused.self) { try ClickHouseReader.conditions(q, database: "d") }
    }

    @Test func aTraceSearchReadsTagsAsTheDaemonDoes() {
        var q = SpanSearch(service: "web", operation: "GET /", tags: ["error": "true", "http.status_code": "500", "span.type": "web"],
                           since: 1, until: 2, minDuration: 3)
        q.spanKind = "server"
        let sql = ClickHouseReader.conditions(q).joined(separator: " AND ")
        #expect(sql.contains("service = 'web'") && sql.contains("start_ns >= 1") && sql.contains("start_ns <= 2"))
        #expect(sql.contains("name = 'GET /'") && sql.contains("duration_ns >= 3"))
        #expect(sql.contains("error = 1") && sql.contains("type = 'web'"))
        #expect(sql.contains("visitParamExtractString(meta, 'span.kind') = 'server'"))
        // A value that reads as a number matches a metric too.
        #expect(sql.contains("(visitParamExtractString(meta, 'http.status_code') = '500' OR (visitParamHas(metrics, 'http.status_code') AND visitParamExtractFloat(metrics, 'http.status_code') = 500.0))"))
    }

    @Test func tracesFoundOnSeveralShardsAreMergedOnceLatestFirst() {
        let found: [ClickHouseReader.FoundTrace] = [
            .init(low: 1, high: nil, latest: 10), .init(low: 2, high: 7, latest: 30),
            .init(low: 1, high: 9, latest: 40), .init(low: 3, high: nil, latest: 20),
        ]
        let merged = FleetReader.latestFirst(found, limit: 2)
        #expect(merged.map(\.low) == [1, 2])
        #expect(merged[0].high == 9 && merged[0].latest == 40)
    }

    @Test func aShardThatFailsIsNotedAndTheOthersAnswer() async throws {
        let shards = ["http://127.0.0.1:1", "http://127.0.0.1:2"].map { ClickHouseClient(url: $0, database: "tracejoin") }
        let shortfall = ReadShortfall()
        let answers = try await ReadShortfall.$current.withValue(shortfall) {
            try await FleetReader(shards: shards).each { r in
                if r.client.url.hasSuffix(":1") { throw ClickHouseClient.Failure(status: 500, message: "Code: 60, table missing") }
                return 2
            }
        }
        #expect(answers == [2])
        #expect(shortfall.all == ["shard http://127.0.0.1:1 left out: ClickHouse answered 500: Code: 60, table missing"])
    }

    @Test func noShardAnsweringIsRefused504WhenAllTimedOut() async throws {
        let shards = ["http://127.0.0.1:1", "http://127.0.0.1:2"].map { ClickHouseClient(url: $0, database: "tracejoin") }
        let reader = FleetReader(shards: shards)
        let timedOut = await #expect(throws: ReadRefused.self) {
            try await reader.each { r -> Int in throw ClickHouseClient.Failure(status: nil, message: "\(r.client.url) slow", timedOut: true) }
        }
        #expect(timedOut?.status == 504)
        #expect(timedOut?.reason.contains("http://127.0.0.1:2: http://127.0.0.1:2 slow") == true)
        // Port 1 on loopback refuses at once: a real connection error, so a 503.
        let down = FleetReader(shards: [ClickHouseClient(url: "http://127.0.0.1:1", database: "tracejoin", timeout: .seconds(2))])
        let refused = await #expect(throws: ReadRefused.self) { try await down.services() }
        #expect(refused?.status == 503)
        #expect(refused?.reason.contains("cannot reach ClickHouse at http://127.0.0.1:1") == true)
    }

    @Test func eachShardsHealthFollowsItsReadsAndARefusedRequestSaysNothingOfIt() async throws {
        let shards = ["http://127.0.0.1:1", "http://127.0.0.1:2"].map { ClickHouseClient(url: $0, database: "tracejoin") }
        let reader = FleetReader(shards: shards)
        #expect(reader.health.map(\.status.state) == ["unknown", "unknown"])
        _ = try await reader.each { r in
            if r.client.url.hasSuffix(":1") { throw ClickHouseClient.Failure(status: nil, message: "too slow", timedOut: true) }
            return 1
        }
        var stats = StatsDocument()
        reader.report(into: &stats)
        #expect(stats.shards.map(\.url) == ["http://127.0.0.1:1", "http://127.0.0.1:2"])
        #expect(stats.shards.map(\.state) == ["down", "up"])
        #expect(stats.shards[0].last_error == "too slow" && stats.shards[0].last_error_at != nil)
        #expect(stats.shards[0].failures == 1 && stats.shards[0].timeouts == 1 && stats.shards[1].failures == 0)
        #expect(stats.shards[1].last_success != nil && stats.shards[1].queries == 1)
        // The first shard answers again: up, its last error kept for the record.
        _ = try await reader.each { _ in 1 }
        #expect(reader.health.map(\.status.state) == ["up", "up"])
        #expect(reader.health[0].status.last_error == "too slow" && reader.health[0].status.queries == 2)
        // A refused request (a bad cursor) is the request's fault: no shard's count moves.
        await #expect(throws: ReadRefused.self) { try await reader.each { _ -> Int in throw ReadRefused(status: 400, reason: "bad cursor") } }
        #expect(reader.health.map(\.status.failures) == [1, 0])
        // The figures /metrics and the status page show.
        stats = StatsDocument()
        reader.report(into: &stats)
        let up = stats.figures.filter { $0.name == "fleet_shard_up_bool" }
        #expect(up.map(\.value) == [.integer(1), .integer(1)])
        #expect(up.map { $0.labels.first?.1 } == ["http://127.0.0.1:1", "http://127.0.0.1:2"])
        #expect(stats.figures.first { $0.name == "fleet_shards_up" }?.summary == "shards up (of 2)")
        #expect(stats.figures.first { $0.name == "fleet_shard_timeouts_total" }?.value == .integer(1))
    }

    @Test func theProbeFindsAShardThatIsNotThere() async throws {
        // Port 1 on loopback refuses at once: the probe records it down, with the reason.
        let reader = FleetReader(shards: [ClickHouseClient(url: "http://127.0.0.1:1", database: "tracejoin", timeout: .seconds(2))])
        await reader.probe()
        let status = reader.health[0].status
        #expect(status.state == "down" && status.failures == 1 && status.version == nil)
        #expect(status.last_error?.contains("cannot reach ClickHouse at http://127.0.0.1:1") == true)
    }

    /// The search's first step: keys in the order ClickHouse gave them, each line once (a copy
    /// a merge has not collapsed is left out and counted).
    @Test func aSearchKeepsEachLineOnceInOrder() throws {
        let rows: [[String: Any]] = [
            ["n_trace_lo": "7", "host": "web-2", "n_id": "9"], ["n_trace_lo": "7", "host": "web-2", "n_id": "9"],
            ["n_trace_lo": "0", "host": "web-1", "n_id": "9"], ["n_trace_lo": "18446744073709551615", "host": "web-2", "n_id": "3"],
        ]
        let found = try ClickHouseReader.distinctKeys(rows)
        #expect(found.keys.map { "\($0.traceLow)/\($0.host)/\($0.id)" } == ["7/web-2/9", "0/web-1/9", "18446744073709551615/web-2/3"])
        #expect(found.copies == 1)
        #expect(throws: (any Error).self) { try ClickHouseReader.distinctKeys([["host": "h", "n_id": "1"]]) }
    }
}
