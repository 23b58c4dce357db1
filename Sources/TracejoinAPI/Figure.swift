import Foundation
import TracejoinModel

/// One number a status document carries, in the form every reader renders without knowing
/// the field it came from: `/metrics` as `tracejoin_<name>{labels}`, the web view's status page
/// and `tracejoin status` as a line of their totals (those with a ``summary``).
public struct Figure: Sendable, Equatable {
    /// Prometheus's two kinds: a count that only grows, or a level.
    public enum Kind: Sendable, Equatable {
        case counter, gauge
    }

    /// A whole number, or a decimal one (`export_lag_seconds`).
    public enum Value: Sendable, Equatable {
        case integer(Int64)
        case decimal(Double)
    }

    /// `snake_case`, its last part the unit (`_bytes`, `_total`, `_seconds`, `_rows`, …):
    /// `/metrics` writes `tracejoin_` + name.
    public var name: String
    public var help: String
    public var kind: Kind
    public var labels: [(String, String)]
    public var value: Value
    /// How the status page and `tracejoin status` name a daemon-wide figure
    /// (`"damaged blocks"`); `nil` for the figures they show in their own tables (per file, per
    /// rule) or not at all.
    public var summary: String?

    public init(name: String, help: String, kind: Kind, labels: [(String, String)] = [], value: Value, summary: String? = nil) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
        self.value = value
        self.summary = summary
    }

    public static func counter(_ name: String, _ help: String, _ value: some BinaryInteger, labels: [(String, String)] = [],
                               summary: String? = nil) -> Figure {
        Figure(name: name, help: help, kind: .counter, labels: labels, value: .integer(Int64(clamping: value)), summary: summary)
    }

    public static func gauge(_ name: String, _ help: String, _ value: some BinaryInteger, labels: [(String, String)] = [],
                             summary: String? = nil) -> Figure {
        Figure(name: name, help: help, kind: .gauge, labels: labels, value: .integer(Int64(clamping: value)), summary: summary)
    }

    public static func gauge(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = [],
                             summary: String? = nil) -> Figure {
        Figure(name: name, help: help, kind: .gauge, labels: labels, value: .decimal(value), summary: summary)
    }

    /// The unit: the part of ``name`` after its last `_`.
    public var unit: Substring {
        name.lastIndex(of: "_").map { name[name.index(after: $0)...] } ?? ""
    }

    /// The value for a person: bytes in binary units, counts with separators, seconds with one
    /// decimal; a `_bool` as yes or no.
    public var text: String {
        switch (value, String(unit)) {
        case (.integer(let n), "bytes"): HumanUnits.bytes(n)
        case (.integer(let n), "bool"): n != 0 ? "yes" : "no"
        case (.integer(let n), _): HumanUnits.count(Int(clamping: n))
        case (.decimal(let d), "seconds"): String(format: "%.1f s", d)
        case (.decimal(let d), _): String(format: "%.3f", d)
        }
    }

    public static func == (a: Figure, b: Figure) -> Bool {
        a.name == b.name && a.help == b.help && a.kind == b.kind && a.value == b.value && a.summary == b.summary
            && a.labels.elementsEqual(b.labels) { $0 == $1 }
    }
}
