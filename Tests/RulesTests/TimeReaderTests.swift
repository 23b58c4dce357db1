import Foundation
import Rules
import Testing

/// `TimeReader`: every expected value below was computed independently, with Python's
/// `datetime` and `zoneinfo` (local times with `fold=0`, which resolves DST gaps and overlaps as
/// java.time's `ZonedDateTime.ofLocal` does), and is written as a literal; the comment is the
/// same instant in UTC. Zone-less times are read in the case's zone; `now` is
/// 2026-12-10T00:00:00Z unless a case says otherwise.
@Suite("Time reader")
struct TimeReaderTests {
    /// 2026-12-10T00:00:00Z.
    static let now: Int64 = 1_796_860_800_000_000_000

    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var zone: String
        var now: Int64
        var expected: Int64?
        init(_ text: String, _ zone: String, now: Int64 = TimeReaderTests.now, _ expected: Int64?) {
            (self.text, self.zone, self.now, self.expected) = (text, zone, now, expected)
        }
        var testDescription: String { "\(text) (\(zone))" }
    }

    struct FormatCase: Sendable, CustomTestStringConvertible {
        var format: String
        var text: String
        var zone: String
        var now: Int64
        var expected: Int64?
        init(_ format: String, _ text: String, _ zone: String, now: Int64 = TimeReaderTests.now, _ expected: Int64?) {
            (self.format, self.text, self.zone, self.now, self.expected) = (format, text, zone, now, expected)
        }
        var testDescription: String { "\(format): \(text) (\(zone))" }
    }

    static func read(_ text: String, format: String? = nil, zone: TimeZoneSetting, now: Int64 = now) throws -> Int64? {
        let reader = try TimeReader(format: format, zone: zone)
        return Array(text.utf8).withUnsafeBufferPointer { reader.nanoseconds($0, now: now) }
    }

    static func check(_ c: Case) throws {
        #expect(try read(c.text, zone: .named(c.zone), now: c.now) == c.expected)
    }

    @Test("ISO 8601 / RFC 3339 and variants (TIMESTAMP_ISO8601, TIMESTAMP_CN, RAILS3_TIMESTAMP, EXIM_DATE; nginx/Go slashes; java.time's [zone])", arguments: [
        Case("2026-12-06T15:35:02Z", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("2026-12-06T15:35:02.123456789+09:00", "Europe/Berlin", 1_796_538_902_123_456_789),  // 2026-12-06T06:35:02.123456789Z
        Case("2026-12-06T15:35:02+0900", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("2026-12-06T15:35:02+09", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("2026-12-06T15:35:02-03:30", "Asia/Tokyo", 1_796_583_902_000_000_000),  // 2026-12-06T19:05:02Z
        Case("2026-12-06 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("2026-12-06 15:35:02,925", "Asia/Tokyo", 1_796_538_902_925_000_000),  // 2026-12-06T06:35:02.925000000Z
        Case("2026-12-06T15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
        Case("20261206T153502Z", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("20261206T153502.5+0100", "Asia/Tokyo", 1_796_567_702_500_000_000),  // 2026-12-06T14:35:02.500000000Z
        Case("2026-12-06T153502Z", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("2026-12-06T15:35:02.123456Z", "Asia/Tokyo", 1_796_571_302_123_456_000),  // 2026-12-06T15:35:02.123456000Z
        Case("2026-12-06T15:35:02.1234567891234Z", "Asia/Tokyo", 1_796_571_302_123_456_789),  // 2026-12-06T15:35:02.123456789Z
        Case("2026-12-06t15:35:02z", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("2026-12-06 15:35:02.123 +0900", "Europe/Berlin", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        Case("2026-12-06 15:35:02,527 -0800", "Asia/Tokyo", 1_796_600_102_527_000_000),  // 2026-12-06T23:35:02.527000000Z
        Case("2026-12-06 15:35:02 UTC", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("2026-12-06 15:35:02 JST", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("2026-1-6 3:05:02", "Asia/Tokyo", 1_767_636_302_000_000_000),  // 2026-01-05T18:05:02Z
        Case("2026/12/06 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("2026-12-06", "Asia/Tokyo", 1_796_482_800_000_000_000),  // 2026-12-05T15:00:00Z
        Case("2026-12-06T15:35:02+01:00[Europe/Berlin]", "Asia/Tokyo", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
        Case("2026-07-01T12:00:00[Europe/Berlin]", "Asia/Tokyo", 1_782_900_000_000_000_000),  // 2026-07-01T10:00:00Z
        Case("2026-12-31T23:59:60Z", "Asia/Tokyo", 1_798_761_600_000_000_000),  // 2027-01-01T00:00:00Z
        Case("1678-01-01T00:00:00Z", "Asia/Tokyo", -9_214_560_000_000_000_000),  // 1678-01-01T00:00:00Z
        Case("2262-04-11T23:47:16.854775807Z", "Asia/Tokyo", 9_223_372_036_854_775_807),  // 2262-04-11T23:47:16.854775807Z
        Case("1970-01-01T00:00:00Z", "Asia/Tokyo", 0),  // 1970-01-01T00:00:00Z
        Case("2026-12-06T15:35:2Z", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
    ])
    func iso8601(_ c: Case) throws { try Self.check(c) }

    @Test("HTTPDATE (Apache access log) and HAProxy's HAPROXYDATE", arguments: [
        Case("06/Dec/2026:15:35:02 +0900", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("06/Dec/2026:15:35:02 -0700", "Europe/Berlin", 1_796_596_502_000_000_000),  // 2026-12-06T22:35:02Z
        Case("6/Dec/2026:15:35:02 +0000", "Europe/Berlin", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("06/Dec/2026:15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        Case("06/Dec/2026:15:35:02.123", "Europe/Berlin", 1_796_567_702_123_000_000),  // 2026-12-06T14:35:02.123000000Z
    ])
    func httpDate(_ c: Case) throws { try Self.check(c) }

    @Test("SYSLOGTIMESTAMP, with the year inferred as rsyslog and journald do", arguments: [
        Case("Dec  6 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Dec 06 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        Case("Dec 6 15:35:02", "Europe/Berlin", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
        Case("Dec 31 23:59:59", "Asia/Tokyo", now: 1_798_848_000_000_000_000, 1_798_729_199_000_000_000),  // 2026-12-31T14:59:59Z
        Case("Jan  2 00:00:01", "Asia/Tokyo", now: 1_798_675_200_000_000_000, 1_767_279_601_000_000_000),  // 2026-01-01T15:00:01Z
        Case("Jan 20 10:00:00", "Asia/Tokyo", now: 1_767_312_000_000_000_000, 1_768_870_800_000_000_000),  // 2026-01-20T01:00:00Z
        Case("Feb 20 10:00:00", "Asia/Tokyo", now: 1_767_312_000_000_000_000, 1_740_013_200_000_000_000),  // 2025-02-20T01:00:00Z
        Case("Feb 29 12:00:00", "Asia/Tokyo", now: 1_741_564_800_000_000_000, 1_709_175_600_000_000_000),  // 2024-02-29T03:00:00Z
        Case("Jan  1 04:00:00", "Asia/Tokyo", now: 1_798_747_200_000_000_000, 1_798_743_600_000_000_000),  // 2026-12-31T19:00:00Z
        Case("Dec  6 15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
    ])
    func syslogTimestamp(_ c: Case) throws { try Self.check(c) }

    @Test("CISCOTIMESTAMP", arguments: [
        Case("Dec  6 2026 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Dec  6 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
    ])
    func ciscoTimestamp(_ c: Case) throws { try Self.check(c) }

    @Test("DATESTAMP_RFC822 (and JavaScript's Date.toString)", arguments: [
        Case("Sun Dec 06 2026 15:35:02 JST", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Sun Dec 06 2026 15:35:02 EST", "Europe/Berlin", 1_796_589_302_000_000_000),  // 2026-12-06T20:35:02Z
        Case("Sun Dec 06 2026 15:35:02 UTC", "Europe/Berlin", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun Dec 06 2026 15:35:02 GMT+0900 (Japan Standard Time)", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
    ])
    func rfc822(_ c: Case) throws { try Self.check(c) }

    @Test("DATESTAMP_RFC2822", arguments: [
        Case("Sun, 06 Dec 2026 15:35:02 +0900", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Sun, 6 Dec 2026 15:35:02 GMT", "Europe/Berlin", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun, 6 Dec 2026 15:35:02 Z", "Europe/Berlin", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("6 Sept 2026 15:35:02 +0200", "Asia/Tokyo", 1_788_701_702_000_000_000),  // 2026-09-06T13:35:02Z
    ])
    func rfc2822(_ c: Case) throws { try Self.check(c) }

    @Test("DATESTAMP_OTHER (date(1))", arguments: [
        Case("Sun Dec 06 15:35:02 JST 2026", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Sun Dec 06 15:35:02 PST 2026", "Europe/Berlin", 1_796_600_102_000_000_000),  // 2026-12-06T23:35:02Z
    ])
    func dateStampOther(_ c: Case) throws { try Self.check(c) }

    @Test("ctime/asctime and HTTPDERROR_DATE (Apache's error log)", arguments: [
        Case("Sun Dec  6 15:35:02 2026", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Sun Dec 06 15:35:02 2026", "Europe/Berlin", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
        Case("Sun Dec 06 15:35:02.123456 2026", "Asia/Tokyo", 1_796_538_902_123_456_000),  // 2026-12-06T06:35:02.123456000Z
        Case("Sunday, December 6, 2026 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
    ])
    func ctime(_ c: Case) throws { try Self.check(c) }

    @Test("CATALINA_DATESTAMP (both sets)", arguments: [
        Case("Dec 6, 2026 3:35:02 PM", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Dec 6, 2026 12:05:02 AM", "Asia/Tokyo", 1_796_483_102_000_000_000),  // 2026-12-05T15:05:02Z
        Case("Dec 6, 2026 12:05:02 PM", "Asia/Tokyo", 1_796_526_302_000_000_000),  // 2026-12-06T03:05:02Z
        Case("06-Dec-2026 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
    ])
    func catalina(_ c: Case) throws { try Self.check(c) }

    @Test("TOMCAT_DATESTAMP and Tomcat/Java's dd-MMM-yyyy", arguments: [
        Case("2026-12-06 15:35:02,527 -0800", "Asia/Tokyo", 1_796_600_102_527_000_000),  // 2026-12-06T23:35:02.527000000Z
        Case("2026-12-06 15:35:02.123 +0900", "Europe/Berlin", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        Case("06-Dec-2026 15:35:02.123", "Europe/Berlin", 1_796_567_702_123_000_000),  // 2026-12-06T14:35:02.123000000Z
    ])
    func tomcat(_ c: Case) throws { try Self.check(c) }

    @Test("DATESTAMP: DATE_US or DATE_EU, decided by the values", arguments: [
        Case("12/06/2026 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("13/06/2026 15:35:02", "Asia/Tokyo", 1_781_332_502_000_000_000),  // 2026-06-13T06:35:02Z
        Case("06.12.2026 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("12-06-26-15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
        Case("12/06/2026 15:35:02.5 +0100", "Asia/Tokyo", 1_796_567_702_500_000_000),  // 2026-12-06T14:35:02.500000000Z
        Case("12/06/2026 15:35:02 CET", "Asia/Tokyo", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
    ])
    func dateStamp(_ c: Case) throws { try Self.check(c) }

    @Test("BIND9_TIMESTAMP", arguments: [
        Case("06-Dec-2026 15:35:02.326", "Europe/Berlin", 1_796_567_702_326_000_000),  // 2026-12-06T14:35:02.326000000Z
        Case("06-Dec-26 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
    ])
    func bind(_ c: Case) throws { try Self.check(c) }

    @Test("REDISTIMESTAMP, with and without the year", arguments: [
        Case("06 Dec 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        Case("06 Dec 2026 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        Case("31 Dec 23:59:59.999", "Asia/Tokyo", now: 1_798_848_000_000_000_000, 1_798_729_199_999_000_000),  // 2026-12-31T14:59:59.999000000Z
    ])
    func redis(_ c: Case) throws { try Self.check(c) }

    @Test("BACULA_TIMESTAMP, with and without the year", arguments: [
        Case("06-Dec 15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
        Case("06-Dec-2026 15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
    ])
    func bacula(_ c: Case) throws { try Self.check(c) }

    @Test("DATESTAMP_EVENTLOG", arguments: [
        Case("20261206153502", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("20261206153502.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
    ])
    func eventLog(_ c: Case) throws { try Self.check(c) }

    @Test("Zone names and abbreviations in the text", arguments: [
        Case("Sun Dec 06 15:35:02 UTC 2026", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun Dec 06 15:35:02 GMT 2026", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun Dec 06 15:35:02 UT 2026", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun Dec 06 15:35:02 Z 2026", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun Dec 06 15:35:02 EST 2026", "Asia/Tokyo", 1_796_589_302_000_000_000),  // 2026-12-06T20:35:02Z
        Case("Sun Dec 06 15:35:02 EDT 2026", "Asia/Tokyo", 1_796_585_702_000_000_000),  // 2026-12-06T19:35:02Z
        Case("Sun Dec 06 15:35:02 CST 2026", "Asia/Tokyo", 1_796_592_902_000_000_000),  // 2026-12-06T21:35:02Z
        Case("Sun Dec 06 15:35:02 CDT 2026", "Asia/Tokyo", 1_796_589_302_000_000_000),  // 2026-12-06T20:35:02Z
        Case("Sun Dec 06 15:35:02 MST 2026", "Asia/Tokyo", 1_796_596_502_000_000_000),  // 2026-12-06T22:35:02Z
        Case("Sun Dec 06 15:35:02 MDT 2026", "Asia/Tokyo", 1_796_592_902_000_000_000),  // 2026-12-06T21:35:02Z
        Case("Sun Dec 06 15:35:02 PST 2026", "Asia/Tokyo", 1_796_600_102_000_000_000),  // 2026-12-06T23:35:02Z
        Case("Sun Dec 06 15:35:02 PDT 2026", "Asia/Tokyo", 1_796_596_502_000_000_000),  // 2026-12-06T22:35:02Z
        Case("Sun Dec 06 15:35:02 CET 2026", "Asia/Tokyo", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
        Case("Sun Dec 06 15:35:02 CEST 2026", "Asia/Tokyo", 1_796_564_102_000_000_000),  // 2026-12-06T13:35:02Z
        Case("Sun Dec 06 15:35:02 EET 2026", "Asia/Tokyo", 1_796_564_102_000_000_000),  // 2026-12-06T13:35:02Z
        Case("Sun Dec 06 15:35:02 EEST 2026", "Asia/Tokyo", 1_796_560_502_000_000_000),  // 2026-12-06T12:35:02Z
        Case("Sun Dec 06 15:35:02 WET 2026", "Asia/Tokyo", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        Case("Sun Dec 06 15:35:02 WEST 2026", "Asia/Tokyo", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
        Case("Sun Dec 06 15:35:02 BST 2026", "Asia/Tokyo", 1_796_567_702_000_000_000),  // 2026-12-06T14:35:02Z
        Case("Sun Dec 06 15:35:02 IST 2026", "Asia/Tokyo", 1_796_551_502_000_000_000),  // 2026-12-06T10:05:02Z
        Case("Sun Dec 06 15:35:02 JST 2026", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Sun Dec 06 15:35:02 KST 2026", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        Case("Sun Dec 06 15:35:02 AEST 2026", "Asia/Tokyo", 1_796_535_302_000_000_000),  // 2026-12-06T05:35:02Z
        Case("Sun Dec 06 15:35:02 AEDT 2026", "Asia/Tokyo", 1_796_531_702_000_000_000),  // 2026-12-06T04:35:02Z
        Case("Sun Dec 06 15:35:02 HST 2026", "Asia/Tokyo", 1_796_607_302_000_000_000),  // 2026-12-07T01:35:02Z
        Case("Sun Dec 06 15:35:02 AKST 2026", "Asia/Tokyo", 1_796_603_702_000_000_000),  // 2026-12-07T00:35:02Z
        Case("Sun Dec 06 15:35:02 AKDT 2026", "Asia/Tokyo", 1_796_600_102_000_000_000),  // 2026-12-06T23:35:02Z
        Case("Sun Dec 06 15:35:02 SGT 2026", "Asia/Tokyo", 1_796_542_502_000_000_000),  // 2026-12-06T07:35:02Z
        Case("Sun Dec 06 15:35:02 HKT 2026", "Asia/Tokyo", 1_796_542_502_000_000_000),  // 2026-12-06T07:35:02Z
        Case("Sun Dec 06 15:35:02 MSK 2026", "Asia/Tokyo", 1_796_560_502_000_000_000),  // 2026-12-06T12:35:02Z
        Case("Sun Dec 06 15:35:02 AST 2026", "Asia/Tokyo", 1_796_585_702_000_000_000),  // 2026-12-06T19:35:02Z
        Case("Sun Dec 06 15:35:02 ADT 2026", "Asia/Tokyo", 1_796_582_102_000_000_000),  // 2026-12-06T18:35:02Z
    ])
    func zoneAbbreviations(_ c: Case) throws { try Self.check(c) }

    @Test("Epoch numbers: the unit by the number of integer digits (Nagios, Squid, JSON loggers)", arguments: [
        Case("1765002902", "Asia/Tokyo", 1_765_002_902_000_000_000),  // 2025-12-06T06:35:02Z
        Case("1765002902.123", "Asia/Tokyo", 1_765_002_902_123_000_000),  // 2025-12-06T06:35:02.123000000Z
        Case("1765002902.123456789", "Asia/Tokyo", 1_765_002_902_123_456_789),  // 2025-12-06T06:35:02.123456789Z
        Case("1765002902123", "Asia/Tokyo", 1_765_002_902_123_000_000),  // 2025-12-06T06:35:02.123000000Z
        Case("1765002902123.456", "Asia/Tokyo", 1_765_002_902_123_456_000),  // 2025-12-06T06:35:02.123456000Z
        Case("1765002902123456", "Asia/Tokyo", 1_765_002_902_123_456_000),  // 2025-12-06T06:35:02.123456000Z
        Case("1765002902123456789", "Asia/Tokyo", 1_765_002_902_123_456_789),  // 2025-12-06T06:35:02.123456789Z
        Case("0", "Asia/Tokyo", 0),  // 1970-01-01T00:00:00Z
        Case("5.25", "Asia/Tokyo", 5_250_000_000),  // 1970-01-01T00:00:05.250000000Z
        Case("12", "Asia/Tokyo", 12_000_000_000),  // 1970-01-01T00:00:12Z
        Case("-1.5", "Asia/Tokyo", -1_500_000_000),  // 1969-12-31T23:59:58.500000000Z
        Case("+86400", "Asia/Tokyo", 86_400_000_000_000),  // 1970-01-02T00:00:00Z
        Case("00001765002902", "Asia/Tokyo", 1_765_002_902_000_000_000),  // 2025-12-06T06:35:02Z
        Case("946684800000", "Asia/Tokyo", 946_684_800_000_000_000),  // 2000-01-01T00:00:00Z
        Case("9223372036854775807", "Asia/Tokyo", 9_223_372_036_854_775_807),  // 2262-04-11T23:47:16.854775807Z
        Case("-9223372036854775808", "Asia/Tokyo", -9_223_372_036_854_775_808),  // 1677-09-21T00:12:43.145224192Z
        Case("9223372036", "Asia/Tokyo", 9_223_372_036_000_000_000),  // 2262-04-11T23:47:16Z
    ])
    func epochNumbers(_ c: Case) throws { try Self.check(c) }

    @Test("Zone-less times in Europe/Berlin, summer and winter", arguments: [
        Case("2026-07-01 12:00:00", "Europe/Berlin", 1_782_900_000_000_000_000),  // 2026-07-01T10:00:00Z
        Case("2026-12-01 12:00:00", "Europe/Berlin", 1_796_122_800_000_000_000),  // 2026-12-01T11:00:00Z
        Case("Jul  1 12:00:00", "Europe/Berlin", now: 1_783_641_600_000_000_000, 1_782_900_000_000_000_000),  // 2026-07-01T10:00:00Z
    ])
    func berlinSummerAndWinter(_ c: Case) throws { try Self.check(c) }

    @Test("DST gaps shift forward, overlaps take the earlier offset (java.time ofLocal)", arguments: [
        Case("2026-03-29 02:30:00", "Europe/Berlin", 1_774_747_800_000_000_000),  // 2026-03-29T01:30:00Z
        Case("2026-03-29 01:59:59", "Europe/Berlin", 1_774_745_999_000_000_000),  // 2026-03-29T00:59:59Z
        Case("2026-03-29 03:00:00", "Europe/Berlin", 1_774_746_000_000_000_000),  // 2026-03-29T01:00:00Z
        Case("2026-10-25 02:30:00", "Europe/Berlin", 1_792_888_200_000_000_000),  // 2026-10-25T00:30:00Z
        Case("2026-10-25 01:59:59", "Europe/Berlin", 1_792_886_399_000_000_000),  // 2026-10-24T23:59:59Z
        Case("2026-10-25 03:00:00", "Europe/Berlin", 1_792_893_600_000_000_000),  // 2026-10-25T02:00:00Z
        Case("2026-03-08 02:30:00", "America/New_York", 1_772_955_000_000_000_000),  // 2026-03-08T07:30:00Z
        Case("2026-11-01 01:30:00", "America/New_York", 1_793_511_000_000_000_000),  // 2026-11-01T05:30:00Z
        Case("2026-11-01 02:00:00", "America/New_York", 1_793_516_400_000_000_000),  // 2026-11-01T07:00:00Z
        Case("1990-07-01 12:00:00", "America/New_York", 646_848_000_000_000_000),  // 1990-07-01T16:00:00Z
        Case("2200-07-01 12:00:00", "America/New_York", 7_273_814_400_000_000_000),  // 2200-07-01T16:00:00Z
        Case("1700-07-01 12:00:00", "Europe/Berlin", -8_504_657_608_000_000_000),  // 1700-07-01T11:06:32Z
        Case("2026-04-05 01:45:00", "Australia/Lord_Howe", 1_775_313_900_000_000_000),  // 2026-04-04T14:45:00Z
    ])
    func daylightSavingGapsAndOverlaps(_ c: Case) throws { try Self.check(c) }

    @Test("time_format, Java style", arguments: [
        FormatCase("yyyy-MM-dd HH:mm:ss.SSS", "2026-12-06 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        FormatCase("dd/MMM/yyyy:HH:mm:ss Z", "06/Dec/2026:15:35:02 +0900", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", "2026-12-06T15:35:02.123456789+09:00", "Europe/Berlin", 1_796_538_902_123_456_789),  // 2026-12-06T06:35:02.123456789Z
        FormatCase("MMM d HH:mm:ss", "Dec  6 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("EEE MMM dd HH:mm:ss zzz yyyy", "Sun Dec 06 15:35:02 JST 2026", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("h:mm:ss a", "3:35:02 PM", "Asia/Tokyo", now: 1_796_540_400_000_000_000, 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("h:mm:ss a", "11:30:00 PM", "Asia/Tokyo", now: 1_796_540_400_000_000_000, 1_796_481_000_000_000_000),  // 2026-12-05T14:30:00Z
        FormatCase("yyyy-MM-dd HH:mm:ss[.SSS]", "2026-12-06 15:35:02.123", "Asia/Tokyo", 1_796_538_902_123_000_000),  // 2026-12-06T06:35:02.123000000Z
        FormatCase("yyyy-MM-dd HH:mm:ss[.SSS]", "2026-12-06 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("yyyyMMddHHmmss", "20261206153502", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("yyyy-MM-dd HH:mm:ss VV", "2026-07-01 12:00:00 Europe/Berlin", "Asia/Tokyo", 1_782_900_000_000_000_000),  // 2026-07-01T10:00:00Z
        FormatCase("yyyy-DDD HH:mm", "2026-340 15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
        FormatCase("dd.MM.yy HH:mm", "06.12.26 15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
        FormatCase("MMMM d, yyyy h:mm:ss a", "December 6, 2026 3:35:02 PM", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("yyyy-MM-dd HH:mm:ss,SSS", "2026-12-06 15:35:02,925", "Europe/Berlin", 1_796_567_702_925_000_000),  // 2026-12-06T14:35:02.925000000Z
    ])
    func javaStyleTimeFormat(_ c: FormatCase) throws {
        #expect(try Self.read(c.text, format: c.format, zone: .named(c.zone), now: c.now) == c.expected)
    }

    @Test("time_format, strftime style", arguments: [
        FormatCase("%d/%b/%Y:%H:%M:%S %z", "06/Dec/2026:15:35:02 +0900", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%Y-%m-%d %H:%M:%S,%f", "2026-12-06 15:35:02,925", "Asia/Tokyo", 1_796_538_902_925_000_000),  // 2026-12-06T06:35:02.925000000Z
        FormatCase("%Y-%m-%dT%H:%M:%S.%f%z", "2026-12-06T15:35:02.123456+09:00", "Europe/Berlin", 1_796_538_902_123_456_000),  // 2026-12-06T06:35:02.123456000Z
        FormatCase("%a %b %e %H:%M:%S %Y", "Sun Dec  6 15:35:02 2026", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%s.%f", "1765002902.5", "Asia/Tokyo", 1_765_002_902_500_000_000),  // 2025-12-06T06:35:02.500000000Z
        FormatCase("%s", "1765002902", "Asia/Tokyo", 1_765_002_902_000_000_000),  // 2025-12-06T06:35:02Z
        FormatCase("%F %T", "2026-12-06 15:35:02", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%b %d %I:%M:%S %p", "Dec 06 03:35:02 PM", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%Y %j %H:%M", "2026 340 15:35", "Asia/Tokyo", 1_796_538_900_000_000_000),  // 2026-12-06T06:35:00Z
        FormatCase("%Y-%m-%d %H:%M:%S %Z", "2026-12-06 15:35:02 JST", "Europe/Berlin", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%y%m%d %H%M%S", "261206 153502", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%B %d, %Y", "December 06, 2026", "Asia/Tokyo", 1_796_482_800_000_000_000),  // 2026-12-05T15:00:00Z
        FormatCase("%H:%M:%S%%", "15:35:02%", "Asia/Tokyo", now: 1_796_540_400_000_000_000, 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
        FormatCase("%c", "Sun Dec  6 15:35:02 2026", "Asia/Tokyo", 1_796_538_902_000_000_000),  // 2026-12-06T06:35:02Z
    ])
    func strftimeTimeFormat(_ c: FormatCase) throws {
        #expect(try Self.read(c.text, format: c.format, zone: .named(c.zone), now: c.now) == c.expected)
    }
    @Test("Not a time, or beyond 64-bit nanoseconds: nil, never a trap", arguments: [
        "2026-13-06T15:35:02Z", "2026-02-30T15:35:02Z", "2026-02-29", "2026-12-06T25:35:02Z", "2026-12-06T24:00:00Z",
        "2026-12-06T15:60:02Z", "2026-12-06T15:35:61Z", "", "Foo 6 15:35:02", "Dec 32 15:35:02", "Feb 30 10:00:00", "Dec",
        "06/Dec/2026:15:35:02 +2500", "2026-12-06T15:35:02+09:00 junk", "2026-12-06T15:35:02+", "2026-12-06T",
        "2026-12-06T1", "2026-12-06T15:3", "Dec  6 15:35:02.", "2026-12-06 15:35:02 XYZ", "Dec 6, 2026 13:00:00 PM",
        "Sun Dec 06 15:35:02 2026 2027", "06/Dec/2026:15:35:02 +0900 +0900", "2026-12-06T15:35:02[Mars/Olympus]",
        "13/13/2026 15:35:02", "12/06/2026 15:35:02 (x", "20261306153502",
        "1e9", "--1", "-", "+", " ", "T", ".5", "1765002902.",
        // Beyond what 64-bit nanoseconds hold (1677-09-21 to 2262-04-11).
        "2300-01-01T00:00:00Z", "1677-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01", "2262-04-11T23:47:16.854775808Z",
        "99999999999", "9223372036854775808", "-9223372036854775809", "99999999999999999999",
        String(repeating: "1", count: 200), String(repeating: "9", count: 19) + "." + String(repeating: "9", count: 200),
        "\u{ff12}\u{ff10}\u{ff12}\u{ff16}-12-06", "2026-12-06T15:35:02\u{0}",
    ])
    func notATime(_ text: String) throws {
        #expect(try Self.read(text, zone: .named("Asia/Tokyo")) == nil)
    }

    @Test func invalidUTF8AndAnEmptyBufferAreNil() throws {
        let reader = try TimeReader(format: nil, zone: .local)
        #expect([UInt8]([0xFF, 0xFE, 0x32, 0x30]).withUnsafeBufferPointer { reader.nanoseconds($0, now: Self.now) } == nil)
        #expect(reader.nanoseconds(UnsafeBufferPointer(start: nil, count: 0), now: Self.now) == nil)
        // Any `now`, even the extremes, for a time without a year or a date.
        for now in [Int64.min, Int64.max, 0] {
            _ = Array("Dec 31 23:59:59".utf8).withUnsafeBufferPointer { reader.nanoseconds($0, now: now) }
            _ = try Self.read("11:30 PM", format: "h:mm a", zone: .local, now: now)
        }
    }

    /// The host's zone, computed here with Foundation's calendar, not with the reader's tables.
    @Test func localIsTheHostZone() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        for (month, day) in [(12, 6), (7, 1)] {
            let date = try #require(calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: 15, minute: 35, second: 2)))
            let expected = Int64(date.timeIntervalSince1970) * 1_000_000_000 + 123_000_000
            let text = "2026-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day) 15:35:02.123"
            #expect(try Self.read(text, zone: .local) == expected)
            #expect(try Self.read(text, zone: TimeZoneSetting("local")) == expected)
        }
        #expect(TimeZoneSetting("local") == .local)
        #expect(TimeZoneSetting("Local") == .local)
        #expect(TimeZoneSetting("Asia/Tokyo") == .named("Asia/Tokyo"))
    }

    @Test("Zone names a rule file may give", arguments: [
        ("Asia/Tokyo", Int64(1_796_538_902_000_000_000)),  // 2026-12-06T06:35:02Z
        ("America/Argentina/Buenos_Aires", 1_796_582_102_000_000_000),  // 2026-12-06T18:35:02Z
        ("UTC", 1_796_571_302_000_000_000),  // 2026-12-06T15:35:02Z
        ("Etc/GMT-9", 1_796_538_902_000_000_000),  // POSIX sign: nine hours east
        ("GMT0", 1_796_571_302_000_000_000),
        ("+09:00", 1_796_538_902_000_000_000),
        ("-0530", 1_796_591_102_000_000_000),  // 2026-12-06T21:05:02Z
        ("UTC+9", 1_796_538_902_000_000_000),
    ])
    func zoneNames(_ name: String, _ expected: Int64) throws {
        #expect(try Self.read("2026-12-06 15:35:02", zone: .named(name)) == expected)
    }

    @Test("A zone name that is not one throws, naming it", arguments: ["Mars/Olympus", "", "+25:00", "UTC+x", "Europe/Berlinn"])
    func unknownZone(_ name: String) {
        #expect {
            try TimeReader(format: nil, zone: .named(name))
        } throws: { error in
            (error as? TimeFormatError)?.description.contains("unknown time zone '\(name)'") == true
        }
    }

    @Test("An invalid time_format throws, naming what is wrong", arguments: [
        ("yyyy-MM-dd GG", "the letter 'G'"), ("yyyy-MM-dd'T'HH:mm:ss'", "quote that is not closed"),
        ("yyyy-MM-dd[ HH:mm", "'[' that is not closed"), ("yyyy]", "']' without its '['"),
        ("dd HH:mm", "day of the month but no month"), ("", "empty"), ("{yyyy}", "reserves"), ("dddd", "too many 'd'"),
        ("literal", "the letter 'l'"), ("'only text'", "no date or time"),
        ("%Y-%m-%d %Q", "the directive '%Q'"), ("%Y %", "ends with a '%'"), ("%d %H:%M", "day of the month but no month"),
    ])
    func invalidFormat(_ format: String, _ says: String) {
        #expect {
            try TimeReader(format: format, zone: .local)
        } throws: { error in
            (error as? TimeFormatError)?.description.contains(says) == true
        }
    }

    @Test func logstashKeywordFormats() throws {
        #expect(try Self.read("1765002902.5", format: "UNIX", zone: .local) == 1_765_002_902_500_000_000)
        #expect(try Self.read("1765002902", format: "UNIX", zone: .local) == 1_765_002_902_000_000_000)
        #expect(try Self.read("1765002", format: "UNIX_MS", zone: .local) == 1_765_002_000_000)
        #expect(try Self.read("1765002902123456", format: "UNIX_US", zone: .local) == 1_765_002_902_123_456_000)
        #expect(try Self.read("42", format: "UNIX_NS", zone: .local) == 42)
        #expect(try Self.read("2026-12-06T15:35:02Z", format: "ISO8601", zone: .local) == 1_796_571_302_000_000_000)
        #expect(try Self.read("Dec  6 15:35:02", format: "ISO8601", zone: .local) == nil)
    }

    /// A reader is `Sendable` and immutable: one shared by many tasks reads the same.
    @Test func sharedAcrossTasks() async throws {
        let reader = try TimeReader(format: nil, zone: .named("Europe/Berlin"))
        let texts = ["2026-03-29 02:30:00", "2026-10-25 02:30:00", "Dec  6 15:35:02", "06/Dec/2026:15:35:02 +0900"]
        let expected = texts.map { text in Array(text.utf8).withUnsafeBufferPointer { reader.nanoseconds($0, now: Self.now) } }
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<2_000 {
                        for (text, want) in zip(texts, expected) {
                            let got = Array(text.utf8).withUnsafeBufferPointer { reader.nanoseconds($0, now: Self.now) }
                            if got != want { return false }
                        }
                    }
                    return true
                }
            }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(results)
        #expect(expected == [1_774_747_800_000_000_000, 1_792_888_200_000_000_000, 1_796_567_702_000_000_000, 1_796_538_902_000_000_000])
    }
}
