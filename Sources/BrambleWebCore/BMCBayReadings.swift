import BrambleBMC

extension BayReading {
    /// A bay's BMC status as dashboard readings: current and fan, raw as the BMC reports
    /// them (unit `raw`: the scale is BitScope's, docs/bmc.md). None when the bay did not answer.
    public static func bmc(_ reading: BMCBayReading) -> [BayReading] {
        guard let status = reading.status else { return [] }
        return [
            BayReading(name: "current", value: Double(status.currentRaw), unit: "raw"),
            BayReading(name: "fan", value: Double(status.fanRaw), unit: "raw"),
        ]
    }
}
