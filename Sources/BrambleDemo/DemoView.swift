import BrambleBoot
import BrambleCommands
import BrambleControl
import BrambleLab
import Foundation

/// What the demo prints while the Pis boot: a live view redrawn in place on a terminal, a
/// line per finished node and a progress line every few seconds otherwise.
struct DemoView {
    let interactive: Bool
    private var drawnLines = 0
    private var lastProgressLine = -Double.infinity
    private var reported: Set<Int> = []
    private var statusLines: [String] = []
    private var lastStatus = -Double.infinity
    /// Why the daemon's status could not be shown, once it failed.
    private(set) var statusUnavailable: String?

    /// The terminal's size: the status table is shown as `bramble status` prints it only
    /// when it fits, and
    /// lines are cut to the width so that redrawing in place counts lines right.
    private let rows: Int
    private let columns: Int

    init(interactive: Bool) {
        self.interactive = interactive
        let size = interactive ? try? NetworkLab.execute(["stty", "-F", "/dev/tty", "size"], timeout: 2) : nil
        let numbers = size.map { $0.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) } } ?? []
        rows = numbers.count == 2 ? numbers[0] : 24
        columns = numbers.count == 2 ? numbers[1] : 80
    }

    /// One tick of the live view. With `status`, the view is the daemon's: its status table
    /// (as `bramble status` prints it) redrawn in place on a terminal about once a second, as
    /// a grid of its stages when the table does not fit; its stage counts every 5 s
    /// otherwise. Should the daemon not answer, the view says why and goes on from the
    /// simulators' own reports.
    mutating func show(_ nodes: [DemoNodeProgress], elapsed: Double, status: DemoDaemon?) {
        let status = statusUnavailable == nil ? status : nil
        let fits = nodes.count + 3 < rows
        if let status {
            switch status.collect() {
            case .report(let report)?:
                if !interactive {
                    print(String(format: "%6.1f s  ", elapsed) + "bramble status: " + DemoDaemon.counts(report))
                } else if fits {
                    statusLines = StatusTable.render(report).split(separator: "\n").map(String.init)
                } else {
                    statusLines = Self.grid(nodes, stages: report) + ["bramble status: " + DemoDaemon.counts(report)]
                }
            case .unavailable(let reason)?:
                statusUnavailable = reason
                if !interactive { print("\(reason)\n(the live view goes on from the simulators' own reports)") }
            case nil: break
            }
        }
        if interactive {
            if let status, elapsed - lastStatus >= 1 {
                lastStatus = elapsed
                status.request()
            }
            var lines = [header(nodes, elapsed: elapsed)]
            if let statusUnavailable { lines.append(statusUnavailable + " (showing the simulators' own reports)") }
            lines += statusUnavailable == nil && !statusLines.isEmpty ? statusLines : grid(nodes)
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\u{1B}[J" : ""
            text += lines.map { String($0.prefix(max(20, columns - 1))) }.joined(separator: "\n") + "\n"
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
            status?.request()
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
        Self.rows(of: nodes.map { node in
            switch node.outcome {
            case .up(let milliseconds)?: (node.bay.id, String(format: "up %.1fs", Double(milliseconds) / 1000))
            case .failed?: (node.bay.id, "FAILED")
            case nil: (node.bay.id, node.poweredOn == nil ? "-" : node.stage)
            }
        })
    }

    /// The same grid with the stages the daemon reports.
    private static func grid(_ nodes: [DemoNodeProgress], stages report: StatusReport) -> [String] {
        rows(of: nodes.map { node in
            guard let reported = report.nodes.first(where: { $0.id == node.bay.id }) else { return (node.bay.id, "?") }
            if reported.stage == .up, let milliseconds = reported.bootMilliseconds {
                return (node.bay.id, String(format: "up %.1fs", Double(milliseconds) / 1000))
            }
            return (node.bay.id, reported.lastError == nil ? reported.stage.description : reported.stage.description + "!")
        })
    }

    private static func rows(of cells: [(id: Int, state: String)]) -> [String] {
        let text = cells.map { cell in
            ((cell.id < 10 ? "0\(cell.id)" : "\(cell.id)") + " " + cell.state).padding(toLength: 16, withPad: " ", startingAt: 0)
        }
        return stride(from: 0, to: text.count, by: 6).map { text[$0..<min($0 + 6, text.count)].joined() }
    }

    static func describe(_ outcome: DemoNodeProgress.Outcome) -> String {
        switch outcome {
        case .up(let milliseconds): String(format: "up in %.1f s", Double(milliseconds) / 1000)
        case .failed(let step, let reason): "FAILED at \(step): \(reason)"
        }
    }
}
