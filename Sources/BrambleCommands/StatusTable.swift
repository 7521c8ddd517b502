import BrambleBoot
import BrambleControl

/// `bramble status` as text: one row per node, then the counts per stage.
package enum StatusTable {
    package static func render(_ report: StatusReport) -> String {
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
    static func summary(_ report: StatusReport) -> String { StatusSummary.line(report) }

    /// Milliseconds for people: "850ms", "31.2s", "2m05s", "1h02m".
    static func duration(_ milliseconds: Int64) -> String { StatusSummary.duration(milliseconds) }
}
