import BrambleBoot
import BrambleControl

/// `bramble status` as text: one row per node, then the counts per stage.
enum StatusTable {
    static func render(_ report: StatusReport) -> String {
        let header = ["ID", "NAME", "IP", "MODEL", "STAGE", "TIME", "LAST ERROR"]
        let rows = report.nodes.map { node in
            [String(node.id), node.name, node.ip, node.model ?? "-", node.stage.description, time(of: node, now: report.now), node.lastError ?? "-"]
        }
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < header.count - 1 { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line) + [summary(report)]).joined(separator: "\n") + "\n"
    }

    /// "booted in 31.2s" once up, "12s in kernel" while booting, "-" before anything was heard.
    static func time(of node: NodeStatus, now: Int64) -> String {
        if let boot = node.bootMilliseconds { return "booted in \(duration(boot))" }
        guard let since = node.stageSince else { return "-" }
        return "\(duration(max(0, now - since))) in \(node.stage)"
    }

    /// "48 nodes: 45 up, 2 kernel, 1 waiting; 1 with an error, 3 reboots"
    static func summary(_ report: StatusReport) -> String {
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
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 { return "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s" }
        let seconds = milliseconds / 1000
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        return "\(seconds / 3600)h\(twoDigits(seconds / 60 % 60))m"
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
