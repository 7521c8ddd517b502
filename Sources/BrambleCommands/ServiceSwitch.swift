/// The switch-over between dnsmasq and bramble as services, in the order that never leaves
/// the cluster without a DHCP server for longer than the switch itself: dnsmasq stops
/// (so bramble can bind its ports), bramble starts, and unless bramble reports ready within
/// the time limit dnsmasq is started again.
struct ServiceSwitch {
    let manager: any ServiceManager
    /// How long bramble has to report ready.
    var timeoutSeconds: Double = 30
    var pollSeconds: Double = 0.5
    /// Whether bramble answers on its control socket (the status request); checked once
    /// systemd says the unit is active.
    var answers: () -> Bool
    /// Waits between polls; tests pass a function that returns at once.
    var pause: (Double) -> Void

    static let dnsmasq = "dnsmasq"
    static let bramble = "bramble"

    /// What happened, as the lines `bramble migrate` prints; `ok` false when dnsmasq had to be restored.
    struct Outcome: Equatable {
        var ok: Bool
        var lines: [String]
    }

    func apply() -> Outcome {
        var lines: [String] = []
        // A hub whose dnsmasq is not a systemd service (started by hand, or dnsmasq-base
        // alone) has nothing to stop here; bramble's own start-up check names whatever
        // still holds its ports.
        let installed = manager.systemctl(["show", "--property=LoadState", "--value", Self.dnsmasq]).output.hasPrefix("loaded")
        if installed {
            for arguments in [["stop", Self.dnsmasq], ["disable", Self.dnsmasq]] {
                guard run(arguments, into: &lines) else {
                    return restoreDnsmasq(lines: lines, reason: "`systemctl \(arguments.joined(separator: " "))` failed")
                }
            }
        } else {
            lines.append("dnsmasq.service is not installed: no service to stop")
        }
        guard run(["enable", "--now", Self.bramble], into: &lines) else {
            return restoreDnsmasq(lines: lines, reason: "`systemctl enable --now bramble` failed", bramble: true, dnsmasq: installed)
        }
        var waited = 0.0
        var state = ""
        while waited <= timeoutSeconds {
            state = manager.systemctl(["is-active", Self.bramble]).output.split(separator: "\n").first.map(String.init) ?? ""
            if state == "active" && answers() {
                lines.append("bramble is active and answers on its control socket: the hub is served by bramble (`bramble migrate --undo` goes back)")
                return Outcome(ok: true, lines: lines)
            }
            if state == "failed" { break }
            pause(pollSeconds)
            waited += pollSeconds
        }
        let reason = state == "failed"
            ? "bramble failed to start"
            : "bramble did not report ready within \(Int(timeoutSeconds)) s (systemd: \(state.isEmpty ? "unknown" : state))"
        return restoreDnsmasq(lines: lines, reason: reason, bramble: true, dnsmasq: installed)
    }

    /// Back to dnsmasq after a failed switch: bramble stopped and disabled (so a restart loop
    /// cannot take the ports back), dnsmasq enabled and started; the reason with bramble's
    /// last journal lines, which carry its own error message.
    private func restoreDnsmasq(lines: [String], reason: String, bramble: Bool = false, dnsmasq: Bool = true) -> Outcome {
        var lines = lines
        lines.append("\(reason); \(dnsmasq ? "restoring dnsmasq" : "stopping bramble")")
        if bramble {
            let journal = manager.journal(unit: Self.bramble, lines: 20)
            if !journal.isEmpty { lines += ["bramble's journal (journalctl -u bramble):"] + journal.map { "  \($0)" } }
            run(["disable", "--now", Self.bramble], into: &lines)
        }
        guard dnsmasq else { return Outcome(ok: false, lines: lines) }
        let enabled = run(["enable", Self.dnsmasq], into: &lines)
        let started = run(["start", Self.dnsmasq], into: &lines)
        lines.append(enabled && started
            ? "dnsmasq is enabled and running again; the written files are kept: fix what the journal says and run `bramble migrate --apply` again, or `bramble migrate --undo`"
            : "dnsmasq could not be restored: start it by hand (`systemctl enable --now dnsmasq`)")
        return Outcome(ok: false, lines: lines)
    }

    /// `--undo`: bramble stopped and disabled, then `restoreFiles` (which reports what it did
    /// and whether it succeeded), then dnsmasq enabled and started.
    func undo(restoreFiles: () -> (ok: Bool, lines: [String])) -> Outcome {
        var lines: [String] = []
        var ok = run(["disable", "--now", Self.bramble], into: &lines)
        let files = restoreFiles()
        lines += files.lines
        ok = files.ok && ok
        ok = run(["enable", Self.dnsmasq], into: &lines) && ok
        ok = run(["start", Self.dnsmasq], into: &lines) && ok
        return Outcome(ok: ok, lines: lines)
    }

    @discardableResult
    private func run(_ arguments: [String], into lines: inout [String]) -> Bool {
        let result = manager.systemctl(arguments)
        let command = "systemctl \(arguments.joined(separator: " "))"
        if result.status == 0 {
            lines.append(command)
            return true
        }
        let output = result.output.split(separator: "\n").first.map { ": \($0)" } ?? ""
        lines.append("\(command): failed (exit \(result.status))\(output)")
        return false
    }
}
