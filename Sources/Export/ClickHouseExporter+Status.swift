import TracejoinAPI
import TracejoinModel

extension ClickHouseExporter: StatusReporting {
    /// Its entry in `export`: rows sent, lag, rows lost before export, the last error.
    public func report(into stats: inout StatsDocument) {
        stats.export.append(status)
    }
}
