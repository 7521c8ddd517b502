import ArgumentParser
import BrambleControl
import Glibc

/// `bramble status`: every node's boot stage, from the running daemon.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every node's boot stage, time and last error, from the running daemon.",
        discussion: """
            Asks `bramble serve` over its control socket (<state-dir>/control.sock). Stages: waiting, \
            rom-dhcp, addressed, firmware, loader, kernel, kernel-dhcp, up. TIME is the boot time once \
            up, else the time in the current stage. MODEL is what the node's firmware reported ("Pi 5B \
            8GB rev 1.0", "CM4 4GB rev 1.1"; the Pi 4/5 bootloader sends its board revision), "-" until \
            it did. --json prints one object: {"now", "nodes": [{"id", "name", "ip", "mac", "model", \
            "stage", "stageSince", "bootStarted", "bootMilliseconds", "reboots", "lastError"}], \
            "summary": {stage: count}}; times are epoch milliseconds, absent values null.
            """)

    @OptionGroup var daemon: DaemonOptions
    @Flag(help: "Print one JSON object instead of the table.")
    var json = false
    @Flag(help: "Redraw the table in place until Ctrl-C.")
    var watch = false
    @Option(help: ArgumentHelp("Seconds between redraws with --watch (0.2 to 60).", valueName: "SECONDS"))
    var interval: Double = 1

    func validate() throws {
        guard (0.2...60).contains(interval) else { throw ValidationError("--interval must be between 0.2 and 60 seconds") }
        guard !(json && watch) else { throw ValidationError("--json prints one report: leave out --watch") }
    }

    func run() throws {
        let path = try daemon.socketPath()
        guard watch else {
            let report = try Self.report(from: ControlClient(path: path))
            print(json ? String(decoding: try ControlLine.encode(report).dropLast(), as: UTF8.self) : StatusTable.render(report), terminator: json ? "\n" : "")
            return
        }
        try watchReports(path: path)
    }

    static func report(from client: ControlClient) throws(ControlSocketError) -> StatusReport {
        let response = try client.ask(ControlRequest(command: .status))
        guard let status = response.status else { throw ControlSocketError(path: client.path, reason: response.error ?? "unexpected answer") }
        return status
    }

    /// Redraws from the top of the screen at most once per interval; Ctrl-C restores the
    /// cursor and exits 0. One connection serves every redraw.
    private func watchReports(path: String) throws {
        let interrupt = InterruptWatch()
        let client = try ControlClient(path: path)
        print("\u{1B}[?25l", terminator: "")
        defer { print("\u{1B}[?25h", terminator: ""); fflush(nil) }
        while true {
            let report = try Self.report(from: client)
            print("\u{1B}[H\u{1B}[J" + StatusTable.render(report), terminator: "")
            fflush(nil)
            if interrupt.wait(milliseconds: Int32(interval * 1000)).interrupted { return }
        }
    }
}
