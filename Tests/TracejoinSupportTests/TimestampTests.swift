import Foundation
import Testing
import TracejoinSupport

/// Log lines' timestamps read into nanoseconds (span logs in Jaeger's API, marks on the waterfall).
@Suite("Timestamps in log lines")
struct TimestampTests {
    @Test(arguments: [
        ("2026-11-24 22:11:28,925", Int64(1_795_558_288_925_000_000)),
        ("2026-11-24T22:11:28.925Z", 1_795_558_288_925_000_000),
        ("2026-11-24T23:11:28.925+01:00", 1_795_558_288_925_000_000),
        ("2026-11-24T17:41:28.925123456-0430", 1_795_558_288_925_123_456),
        ("1970-01-01 00:00:00", 0),
        ("2000-02-29T12:00:00Z", 951_825_600_000_000_000),
    ])
    func parses(_ text: String, _ expected: Int64) {
        #expect(Timestamps.nanoseconds(parsing: text) == expected)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01 00:00:00", "2026-11-24", "2026/11/24 22:11:28", "2026-11-24 22:11:28."])
    func refuses(_ text: String) {
        #expect(Timestamps.nanoseconds(parsing: text) == nil)
    }

    /// A line's time beyond what nanoseconds since 1970 hold (1678–2262) is no time, rather than
    /// an overflow that stopped the daemon (the Jaeger API, the waterfall and the export read
    /// every joined line's time).
    @Test(arguments: ["9999-12-31 23:59:59", "2262-04-11T23:47:16.854775808Z", "0000-01-01 00:00:00", "1677-01-01T00:00:00Z",
                      "2262-04-11T23:47:16.854775807-23:59"])
    func refusesTimesBeyondNanoseconds(_ text: String) {
        #expect(Timestamps.nanoseconds(parsing: text) == nil)
    }

    @Test func readsTheLastNanosecondThatFits() {
        #expect(Timestamps.nanoseconds(parsing: "2262-04-11T23:47:16.854775807Z") == Int64.max)
        #expect(Timestamps.nanoseconds(parsing: "1700-01-01 00:00:00") == -8_520_336_000_000_000_000)
    }

    /// Agrees with Foundation's ISO 8601 reading on every day of several years.
    @Test func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        for day in stride(from: 0, to: 366 * 60, by: 7) {
            let seconds = Int64(day) * 86_400 + 3_723
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(Timestamps.nanoseconds(parsing: text) == seconds * 1_000_000_000, "\(text)")
        }
    }
}

/// RFC 3339 written with all nine digits, and read back.
@Suite("Timestamps written")
struct TimestampFormatTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000000Z"),
        (1, "1970-01-01T00:00:00.000000001Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (1_795_558_288_925_123_456, "2026-11-24T22:11:28.925123456Z"),
        (-1_000_000_000_000_000_000, "1938-04-24T22:13:20.000000000Z"),
        (Int64.max, "2262-04-11T23:47:16.854775807Z"),
        (Int64.min, "1677-09-21T00:12:43.145224192Z"),
    ])
    func iso8601(_ ns: Int64, _ text: String) {
        #expect(Timestamps.iso8601(nanoseconds: ns) == text)
    }

    /// What is written reads back to the same nanosecond, before 1970 too.
    @Test(arguments: [Int64(0), 1, -1, 999_999_999, 1_795_558_288_925_123_456, -1_000_000_000_000_000_001, Int64.max,
                      Int64.min + 1_000_000_000])
    func roundTrips(_ ns: Int64) {
        #expect(Timestamps.nanoseconds(parsing: Timestamps.iso8601(nanoseconds: ns)) == ns)
    }
}
