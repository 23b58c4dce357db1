/// A stage's status, reported in its own words: each stage's status object fills its part of
/// ``StatsDocument`` (the tailer its files, the rules their counters, the index its health, …)
/// and the query side composes the document from all of them, on each request.
///
/// A report is a snapshot taken under the stage's own short locks: cheap enough to run once a
/// second (``StatusHistory``) and on every scrape.
public protocol StatusReporting: Sendable {
    func report(into stats: inout StatsDocument)
}

// The counters shared by several stages (Counters.swift) report here; the index's health and
// damaged blocks report from the Index target.

extension IntakeCounters: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.intake = snapshot()
    }
}

extension QuarantineCounters: StatusReporting {
    public func report(into stats: inout StatsDocument) {
        stats.quarantine.records = records.value
        stats.quarantine.payloads = payloads.value
    }
}
