import Testing
import TracejoinAPI

/// The edges of ``HumanUnits``: where a unit changes, and the extremes of the types (a span may
/// be sent with any duration).
@Suite("Human units at their edges")
struct HumanUnitsTests {
    @Test(arguments: [
        (Int64(0), "0ns"),
        (999, "999ns"),
        (1_000, "1.00µs"),
        (-1_000, "-1.00µs"),
        (99_900, "99.9µs"),
        (100_000, "100µs"),
        (1_000_000, "1.00ms"),
        (1_000_000_000, "1.00s"),
        (60_000_000_000, "1m 00s"),
        (3_599_000_000_000, "59m 59s"),
        (3_600_000_000_000, "1h 00m"),
        (86_399_000_000_000, "23h 59m"),
        (86_400_000_000_000, "1d 00h"),
        (Int64.max, "106751d 23h"),
        (Int64.min, "-106751d 23h"),
    ])
    func duration(_ ns: Int64, _ text: String) {
        #expect(HumanUnits.duration(ns) == text)
    }

    @Test(arguments: [
        (Int64(0), "0 B"),
        (1, "1 B"),
        (1023, "1023 B"),
        (1024, "1.00 KiB"),
        (-1536, "-1.50 KiB"),
        (1_048_576, "1.00 MiB"),
        (18_035_507, "17.2 MiB"),
        (1 << 50, "1.00 PiB"),
        (Int64.max, "8.00 EiB"),
        (Int64.min, "-8.00 EiB"),
    ])
    func bytes(_ n: Int64, _ text: String) {
        #expect(HumanUnits.bytes(n) == text)
    }

    @Test(arguments: [
        (0, "0"),
        (-1, "-1"),
        (12, "12"),
        (100_000, "100,000"),
        (1_000_000, "1,000,000"),
        (-999_999, "-999,999"),
        (Int.max, "9,223,372,036,854,775,807"),
        (Int.min, "-9,223,372,036,854,775,808"),
    ])
    func count(_ n: Int, _ text: String) {
        #expect(HumanUnits.count(n) == text)
    }
}
