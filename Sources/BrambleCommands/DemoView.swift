import Foundation

/// What the demo prints: a live view while the Pis boot (redrawn in place on a terminal,
/// a progress line every few seconds otherwise), then a table of every node's boot and a
/// summary.
struct DemoView {
    let interactive: Bool
    private var drawnLines = 0
    private var lastProgressLine = -Double.infinity
    private var reported: Set<Int> = []

    init(interactive: Bool) { self.interactive = interactive }

    /// One tick of the live view.
    mutating func show(_ nodes: [DemoNodeProgress], elapsed: Double, status: [String]? = nil) {
        if interactive {
            var lines = [header(nodes, elapsed: elapsed)]
            lines += status ?? grid(nodes)
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\u{1B}[J" : ""
            text += lines.joined(separator: "\n") + "\n"
            drawnLines = lines.count
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        for node in nodes where !reported.contains(node.bay.id) {
            guard let outcome = node.outcome else { continue }
            reported.insert(node.bay.id)
            print(String(format: "%6.1f s  ", elapsed) + "\(node.bay.name) \(Self.describe(outcome))")
        }
        if elapsed - lastProgressLine >= 5 {
            lastProgressLine = elapsed
            print(header(nodes, elapsed: elapsed))
        }
    }

    private func header(_ nodes: [DemoNodeProgress], elapsed: Double) -> String {
        let powered = nodes.filter { $0.poweredOn != nil }
        var counts: [String: Int] = [:]
        for node in powered { counts[node.outcome.map { if case .failed = $0 { "failed" } else { "up" } } ?? node.stage, default: 0] += 1 }
        let stages = (DemoNodeProgress.stages + ["failed"]).compactMap { stage in counts[stage].map { "\($0) \(stage)" } }
        return String(format: "%6.1f s  ", elapsed) + "powered on \(powered.count)/\(nodes.count): " + stages.joined(separator: ", ")
    }

    /// Six nodes a row: `01 kernel` while booting, `01 up 9.1s`, `01 FAILED`, `01 -` when off.
    private func grid(_ nodes: [DemoNodeProgress]) -> [String] {
        let cells = nodes.map { node -> String in
            let label = node.bay.id < 10 ? "0\(node.bay.id)" : "\(node.bay.id)"
            let state: String
            switch node.outcome {
            case .up(let milliseconds)?: state = String(format: "up %.1fs", Double(milliseconds) / 1000)
            case .failed?: state = "FAILED"
            case nil: state = node.poweredOn == nil ? "-" : node.stage
            }
            return (label + " " + state).padding(toLength: 16, withPad: " ", startingAt: 0)
        }
        return stride(from: 0, to: cells.count, by: 6).map { cells[$0..<min($0 + 6, cells.count)].joined() }
    }

    static func describe(_ outcome: DemoNodeProgress.Outcome) -> String {
        switch outcome {
        case .up(let milliseconds): String(format: "up in %.1f s", Double(milliseconds) / 1000)
        case .failed(let step, let reason): "FAILED at \(step): \(reason)"
        }
    }

    /// The final table: one row per node.
    static func table(_ nodes: [DemoNodeProgress]) -> String {
        var lines = [" ID  NAME    MODEL   ADDRESS     POWER-ON  BOOT s      MB  RESULT"]
        for node in nodes {
            let boot: String
            if case .up(let milliseconds)? = node.outcome { boot = String(format: "%6.1f", Double(milliseconds) / 1000) } else { boot = "     -" }
            let result = node.outcome.map(describe) ?? "not powered on"
            lines.append(String(format: "%3d  ", node.bay.id)
                + node.bay.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                + node.bay.model.label.padding(toLength: 8, withPad: " ", startingAt: 0)
                + node.bay.address.padding(toLength: 12, withPad: " ", startingAt: 0)
                + (node.poweredOn.map { String(format: "%6.1f s", $0) } ?? "       -")
                + "  " + boot + String(format: "  %6.2f", Double(node.bytes) / 1_000_000) + "  " + result)
        }
        return lines.joined(separator: "\n")
    }

    /// The closing summary: boots, failures, times, what the server sent and what it cost.
    static func summary(_ nodes: [DemoNodeProgress], totalSeconds: Double, server: DemoServerStats) -> String {
        let boots = nodes.compactMap { node -> Int? in if case .up(let ms)? = node.outcome { ms } else { nil } }.sorted()
        let failures = nodes.count - boots.count
        var lines = ["\(boots.count) of \(nodes.count) nodes up, \(failures) failed, in \(String(format: "%.1f", totalSeconds)) s from the first power-on to the last node up"]
        if let fastest = boots.first, let slowest = boots.last {
            let median = boots[boots.count / 2]
            lines.append(String(format: "boot times: fastest %.1f s, median %.1f s, slowest %.1f s (power-on to the node's first DNS query)",
                                Double(fastest) / 1000, Double(median) / 1000, Double(slowest) / 1000))
        }
        var served = String(format: "bramble serve sent %.1f MB in %d TFTP transfers", Double(server.tftpBytesSent) / 1_000_000, server.tftpTransfersSent)
        if let cpu = server.cpuSeconds { served += String(format: ", used %.2f CPU s", cpu) }
        if let rss = server.peakResidentKiB { served += String(format: ", peak RSS %.1f MiB", Double(rss) / 1024) }
        lines.append(served)
        return lines.joined(separator: "\n")
    }
}
