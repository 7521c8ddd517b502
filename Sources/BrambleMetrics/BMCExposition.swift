import BrambleBMC

/// The Edge Rack BMC's readings of each bay as metric families (`bramble web` polls the BMC,
/// docs/bmc.md), written after the daemon's as ``BrambleExposition/render(counters:status:extra:)``'s
/// `extra`. Labels as the daemon's node families: `id` and `node`, plus the bay's `bmc` ID.
///
/// Current and fan are the BMC's raw numbers (`_raw`, no unit): BitScope defines their
/// scale, and a converted value bramble cannot vouch for would mislead an alert.
public enum BMCExposition {
    public static func families(_ readings: [BMCBayReading]) -> [MetricFamily] {
        guard !readings.isEmpty else { return [] }
        var up: [MetricSample] = []
        var power: [MetricSample] = []
        var current: [MetricSample] = []
        var fan: [MetricSample] = []
        for reading in readings {
            let labels = [MetricLabel("id", String(reading.id)), MetricLabel("node", reading.name), MetricLabel("bmc", reading.bmc.description)]
            up.append(MetricSample(reading.status == nil ? 0 : 1, labels: labels))
            guard let status = reading.status else { continue }
            power.append(MetricSample(status.power == .on ? 1 : 0, labels: labels))
            current.append(MetricSample(Int(status.currentRaw), labels: labels))
            fan.append(MetricSample(Int(status.fanRaw), labels: labels))
        }
        return [
            MetricFamily(name: "bramble_bmc_up", help: "1 when the BMC answered with the bay's status line at the last poll, else 0.", kind: .gauge, samples: up),
            MetricFamily(name: "bramble_bmc_power_on", help: "1 when the BMC reports the bay powered, 0 when off.", kind: .gauge, samples: power),
            MetricFamily(
                name: "bramble_bmc_current_raw", help: "The bay's current draw as the BMC reports it, in its raw units (BitScope defines the scale).",
                kind: .gauge, samples: current),
            MetricFamily(
                name: "bramble_bmc_fan_raw", help: "The bay's fan reading as the BMC reports it, in its raw units (BitScope defines the scale).",
                kind: .gauge, samples: fan),
        ]
    }
}
