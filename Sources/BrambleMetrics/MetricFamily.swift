/// One metric family of Prometheus' text exposition format: a name, its HELP and TYPE, and
/// its samples. The daemon's own families are built from its counters and status
/// (``BrambleExposition``); other readings (the Edge Rack BMC's current and fan) join them
/// as families of their own, passed to ``PrometheusExposition/render(_:)`` or as `extra` to
/// ``BrambleExposition/render(counters:status:extra:)``.
public struct MetricFamily: Hashable, Sendable {
    /// Prometheus' metric types this renderer writes.
    public enum Kind: String, Hashable, Sendable {
        case counter, gauge, histogram
    }

    /// `bramble_tftp_sent_bytes_total`: `[a-zA-Z_:][a-zA-Z0-9_:]*`; other characters are
    /// written as `_` (see ``PrometheusExposition/metricName(_:)``).
    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [MetricSample]

    public init(name: String, help: String, kind: Kind, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

/// One line of a family: a value with its labels. ``suffix`` names a histogram's
/// `_bucket`, `_sum` and `_count` lines; it is empty for counters and gauges.
public struct MetricSample: Hashable, Sendable {
    public var suffix: String
    public var labels: [MetricLabel]
    public var value: Double

    public init(_ value: Double, labels: [MetricLabel] = [], suffix: String = "") {
        self.suffix = suffix
        self.labels = labels
        self.value = value
    }

    public init(_ value: Int, labels: [MetricLabel] = [], suffix: String = "") {
        self.init(Double(value), labels: labels, suffix: suffix)
    }
}

/// A label pair. The value may be anything (a node's name, a model the firmware reported):
/// it is escaped when written.
public struct MetricLabel: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
