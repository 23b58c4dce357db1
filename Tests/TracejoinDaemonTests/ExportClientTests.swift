@testable import Rules
import Testing
@testable import Export
@testable import TracejoinDaemon

/// `export.clickhouse.compression`: `auto` sends as it is to this machine and gzip elsewhere.
@Suite("Exporter's compression")
struct ExportClientTests {
    static func export(_ url: String, _ compression: String) -> DaemonConfig.ClickHouseExport {
        var c = DaemonConfig.ClickHouseExport(url: url, host: "h")
        c.compression = compression
        return c
    }

    @Test(arguments: [
        ("http://127.0.0.1:8123", "auto", ClickHouseClient.Compression.none),
        ("http://localhost:8123", "auto", .none),
        ("http://[::1]:8123", "auto", .none),
        ("http://127.9.9.9:8123", "auto", .none),
        ("http://ch-1.internal:8123", "auto", .gzip),
        ("http://10.0.0.5:8123", "auto", .gzip),
        ("http://127.0.0.1:8123", "gzip", .gzip),
        ("http://ch-1:8123", "none", .none),
    ])
    func chosenByTheURLUnlessSaid(_ url: String, _ setting: String, _ expected: ClickHouseClient.Compression) {
        #expect(ClickHouseClient.exporting(Self.export(url, setting)).compression == expected)
    }
}
