import BrambleBoot
import BrambleControl
import Foundation
import Glibc

/// What the demo prints at the end: a table of every node's boot (with what `bramble
/// status` says of it) and a summary of boots, times and the server's cost.
enum DemoReport {
    /// Prints the table, the summary and whether `bramble status` agrees, then throws when
    /// a node did not come up or the hub and the simulators disagree.
    static func conclude(_ progress: [DemoNodeProgress], status finalStatus: Result<StatusReport, DemoError>,
                         server stats: DemoServerStats, since start: Date) throws {
        let last = progress.compactMap { node -> Double? in
            guard case .up(let milliseconds)? = node.outcome, let poweredOn = node.poweredOn else { return nil }
            return poweredOn + Double(milliseconds) / 1000
        }.max() ?? Date().timeIntervalSince(start)
        let report = try? finalStatus.get()
        print()
        print(table(progress, status: report))
        print()
        print(summary(progress, totalSeconds: last, server: stats))
        var disagreeing: [String] = []
        switch finalStatus {
        case .success(let report):
            disagreeing = disagreements(progress, status: report)
            if disagreeing.isEmpty {
                print("bramble status agrees with the simulators on every node: \(DemoDaemon.counts(report))")
            } else {
                print("bramble status disagrees with the simulators on \(disagreeing.count) nodes: " + disagreeing.joined(separator: "; "))
            }
        case .failure(let error):
            print("\(error.message): the table is from the simulators' own reports")
        }
        fflush(nil)
        let failed = progress.filter { if case .up? = $0.outcome { false } else { true } }.count
        if failed > 0 {
            throw DemoError("\(failed) of \(progress.count) nodes did not come up; rerun with --keep to read serve.log and pis/NAME.jsonl")
        }
        if !disagreeing.isEmpty {
            throw DemoError("bramble status and the simulators disagree; rerun with --keep to read serve.log and state/logs/")
        }
    }

    /// The final table: one row per node, with what `bramble status` says of it last.
    static func table(_ nodes: [DemoNodeProgress], status: StatusReport?) -> String {
        var lines = [" ID  NAME    MODEL   ADDRESS     POWER-ON  BOOT s      MB  " + (status == nil ? "" : "STATUS           ") + "RESULT"]
        for node in nodes {
            let boot: String
            if case .up(let milliseconds)? = node.outcome { boot = String(format: "%6.1f", Double(milliseconds) / 1000) } else { boot = "     -" }
            let result = node.outcome.map(DemoView.describe) ?? "not powered on"
            var row = String(format: "%3d  ", node.bay.id)
                + node.bay.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                + node.bay.model.label.padding(toLength: 8, withPad: " ", startingAt: 0)
                + node.bay.address.padding(toLength: 12, withPad: " ", startingAt: 0)
                + (node.poweredOn.map { String(format: "%6.1f s", $0) } ?? "       -")
                + "  " + boot + String(format: "  %6.2f", Double(node.bytes) / 1_000_000) + "  "
            var hubError = ""
            if let status {
                let reported = status.nodes.first { $0.id == node.bay.id }
                row += statusCell(reported).padding(toLength: 17, withPad: " ", startingAt: 0)
                if case .failed? = node.outcome, let error = reported?.lastError { hubError = " (the hub: \(error))" }
            }
            lines.append(row + result + hubError)
        }
        return lines.joined(separator: "\n")
    }

    /// "up 3.7 s" (the daemon's boot time, from the first ROM DHCP) or the stage it is in.
    private static func statusCell(_ node: NodeStatus?) -> String {
        guard let node else { return "not in status" }
        if node.stage == .up, let milliseconds = node.bootMilliseconds {
            return String(format: "up %.1f s", Double(milliseconds) / 1000)
        }
        return node.stage.description
    }

    /// Where `bramble status` and the simulators disagree: a node one calls up and the other not.
    static func disagreements(_ nodes: [DemoNodeProgress], status: StatusReport) -> [String] {
        nodes.compactMap { node in
            let simulatorUp = if case .up? = node.outcome { true } else { false }
            guard let reported = status.nodes.first(where: { $0.id == node.bay.id }) else {
                return "\(node.bay.name) (missing from bramble status)"
            }
            guard (reported.stage == .up) != simulatorUp else { return nil }
            let error = reported.lastError.map { ", last error: \($0)" } ?? ""
            return "\(node.bay.name) (bramble status: \(reported.stage)\(error); simulator: \(simulatorUp ? "up" : "not up"))"
        }
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
        var served: String
        if let bytes = server.tftpBytesSent, let transfers = server.tftpTransfersSent {
            served = String(format: "bramble serve sent %.1f MB in %d TFTP transfers", Double(bytes) / 1_000_000, transfers)
        } else {
            served = "bramble serve's counters could not be read (\(server.countersUnavailable ?? "no answer"))"
        }
        if let cpu = server.cpuSeconds { served += String(format: ", used %.2f CPU s", cpu) }
        if let rss = server.peakResidentKiB { served += String(format: ", peak RSS %.1f MiB", Double(rss) / 1024) }
        lines.append(served)
        return lines.joined(separator: "\n")
    }
}
