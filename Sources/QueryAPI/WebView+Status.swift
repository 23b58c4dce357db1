import Foundation
import HTTPSupport
import Hummingbird
import TraceContext
import TracejoinModel

extension WebView {
    static func statusPage(_ status: any DaemonStatus) -> Response {
        let files = status.tailedFiles()
        let retention = status.retention()
        let ingest = status.ingest()
        let descriptors = status.tailDescriptors()
        return HTML.response(page("Status") { h in
            h.raw("<h1>Status</h1>")
            if ingest.paused {
                h.element("p", "Ingest is paused: " + (ingest.reason ?? "unknown reason"), class: "error")
            }
            h.raw("<h2>Followed files</h2><p>")
            h.text("\(files.count) files, \(descriptors.held) descriptors held, \(descriptors.waiting) waiting for one")
            h.raw("</p><table><thead><tr><th>File</th><th>Source</th><th>State</th><th>Offset</th><th>Lag</th><th>Lines</th><th>Rotations</th><th>Lost</th></tr></thead><tbody>")
            for f in files {
                h.raw("<tr>")
                h.cells([f.path, f.source, f.state, "\(f.offset)", "\(f.lag_bytes)", "\(f.lines_read)",
                         "\(f.rotations)" + (f.last_rotation.map { " (last: \($0))" } ?? ""), "\(f.bytes_lost)"])
                h.raw("</tr>")
            }
            h.raw("</tbody></table><h2>Rules</h2><table><thead><tr><th>Source</th><th>Rule</th><th>Matched</th><th>With trace</th><th>Without</th><th>Invalid IDs</th></tr></thead><tbody>")
            for (source, rules) in status.counters.snapshot().sorted(by: { $0.key < $1.key }) {
                for (rule, c) in rules.rules.sorted(by: { $0.key < $1.key }) {
                    h.raw("<tr>")
                    h.cells([source, rule, "\(c.matched.value)", "\(c.withTrace.value)", "\(c.withoutTrace.value)", "\(c.invalidIDs.value)"])
                    h.raw("</tr>")
                }
            }
            h.raw("</tbody></table><h2>Retention</h2><p>")
            h.text("\(retention.used_bytes) of \(retention.max_bytes) bytes used; lines older than \(retention.max_age_seconds / 3600) h are deleted; "
                + "\(retention.deleted_logs) lines and \(retention.deleted_spans) spans deleted since start")
            h.raw("</p>")
        })
    }

}
