import BrambleBoot

/// The words `bramble status` and `bramble web` both show for a module and a node, so a
/// person reading either sees the same summary.
public enum StatusSummary {
    /// "48 nodes: 45 up, 2 kernel, 1 waiting; 1 with an error, 3 reboots"
    public static func line(_ report: StatusReport) -> String {
        let counts = BootStage.allCases.reversed().compactMap { stage -> String? in
            let count = report.summary[stage.description] ?? 0
            return count > 0 ? "\(count) \(stage)" : nil
        }
        var text = "\(report.nodes.count) node\(report.nodes.count == 1 ? "" : "s")"
        if !counts.isEmpty { text += ": " + counts.joined(separator: ", ") }
        let failing = report.nodes.filter { $0.lastError != nil }.count
        let reboots = report.nodes.reduce(0) { $0 + $1.reboots }
        var notes: [String] = []
        if failing > 0 { notes.append("\(failing) with \(failing == 1 ? "an error" : "errors")") }
        if reboots > 0 { notes.append("\(reboots) reboot\(reboots == 1 ? "" : "s")") }
        return notes.isEmpty ? text : text + "; " + notes.joined(separator: ", ")
    }

    /// Milliseconds for people: "850ms", "31.2s", "2m05s", "1h02m".
    public static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 { return "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s" }
        let seconds = milliseconds / 1000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        return "\(seconds / 3600)h\(twoDigits(seconds / 60 % 60))m"
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
