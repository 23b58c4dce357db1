import Hummingbird
import Prometheus
import TracejoinAPI

/// `GET /metrics`: the status documents' figures in the Prometheus text format
/// (swift-prometheus). A registry is filled from the documents composed for this scrape, so the
/// values are exactly what `/v1/stats` shows; a figure added to a document is emitted here
/// without a change to this file.
enum MetricsRoute {
    /// `tracejoin_<name>` with its help text; the part after the last `_` is the unit.
    static func descriptor(_ figure: Figure) -> MetricNameDescriptor {
        let name = figure.name
        let cut = name.lastIndex(of: "_") ?? name.endIndex
        return MetricNameDescriptor(
            namespace: "tracejoin", subsystem: "", metricName: String(name[..<cut]), unitName: String(figure.unit),
            helpText: figure.help)
    }

    static func response(_ figures: [Figure]) -> Response {
        let registry = PrometheusCollectorRegistry()
        for figure in figures {
            // Without labels through the calls that take none: a labelled series with an empty
            // label set is another kind of entry in the registry.
            let d = descriptor(figure), labels = figure.labels
            switch (figure.kind, figure.value) {
            case (.counter, .integer(let n)):
                let counter = labels.isEmpty ? registry.makeCounter(descriptor: d) : registry.makeCounter(descriptor: d, labels: labels)
                counter.increment(by: max(0, n))
            case (.counter, .decimal(let x)):
                let counter = labels.isEmpty ? registry.makeCounter(descriptor: d) : registry.makeCounter(descriptor: d, labels: labels)
                counter.increment(by: max(0, x))
            case (.gauge, .integer(let n)):
                (labels.isEmpty ? registry.makeGauge(descriptor: d) : registry.makeGauge(descriptor: d, labels: labels)).set(n)
            case (.gauge, .decimal(let x)):
                (labels.isEmpty ? registry.makeGauge(descriptor: d) : registry.makeGauge(descriptor: d, labels: labels)).set(x)
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: registry.emitToString())))
    }
}
