import BrambleLab
import Foundation
import Testing

/// `bramble migrate --apply` and `--undo` as an operator runs them, in a hub namespace with
/// its own mount namespace: /etc and /var/lib are overlays whose writes land in the test's
/// directory, and `systemctl` and `journalctl` on PATH are stand-ins that start and stop
/// dnsmasq and `bramble serve` as processes (there is no systemd in a namespace). What runs
/// is the real command: its file writing, the Systemctl service manager, and the wait for
/// the control socket to answer.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct MigrateApplyIntegrationTests {
    /// The stand-in systemctl: the calls migrate makes, each logged to `calls`.
    static func systemctl(_ work: String, bramble: String) -> String {
        """
        #!/bin/sh
        # systemctl for the migrate --apply test: dnsmasq and bramble as plain processes.
        echo "$*" >> \(work)/calls
        case "$*" in
        "show --property=LoadState --value dnsmasq") echo loaded ;;
        "stop dnsmasq") [ -f \(work)/dnsmasq.pid ] && kill -KILL "$(cat \(work)/dnsmasq.pid)"; rm -f \(work)/dnsmasq.pid; sleep 0.2 ;;
        "disable dnsmasq"|"enable dnsmasq") ;;
        "start dnsmasq") /usr/sbin/dnsmasq --conf-file=/etc/dnsmasq.d/cluster.conf --pid-file=\(work)/dnsmasq.pid --user=root --group=root --dhcp-leasefile=\(work)/dnsmasq.leases --no-hosts ;;
        "enable --now bramble") \(bramble) serve > \(work)/bramble.log 2>&1 < /dev/null & echo $! > \(work)/bramble.pid ;;
        "is-active bramble") if kill -0 "$(cat \(work)/bramble.pid)" 2>/dev/null; then echo active; else echo failed; exit 3; fi ;;
        "disable --now bramble") [ -f \(work)/bramble.pid ] && kill -TERM "$(cat \(work)/bramble.pid)" 2>/dev/null; rm -f \(work)/bramble.pid; sleep 0.3 ;;
        *) echo "systemctl stand-in: unexpected $*" >&2; exit 1 ;;
        esac
        """
    }

    static func script(_ work: String, bramble: String) -> String {
        """
        set -u
        mount -t overlay overlay -o lowerdir=/etc,upperdir=\(work)/etc-up,workdir=\(work)/etc-work /etc
        mount -t overlay overlay -o lowerdir=/var/lib,upperdir=\(work)/lib-up,workdir=\(work)/lib-work /var/lib
        mkdir -p /etc/dnsmasq.d /var/lib/pxe/boot
        rm -rf /etc/bramble /var/lib/bramble
        printf '# Configuration file for dnsmasq.\\n' > /etc/dnsmasq.conf
        sed 's|=/pxe/boot|=/var/lib/pxe/boot|' \(work)/cluster.conf > /etc/dnsmasq.d/cluster.conf
        export PATH=\(work)/bin:$PATH
        holder() { ss -Hlunp 'sport = :67' | grep -o '(("[a-z]*"' | head -n 1 | tr -d '("'; }
        systemctl start dnsmasq
        echo "dnsmasq: $(holder)" > \(work)/holders
        \(bramble) migrate --apply --timeout 15 > \(work)/apply.out 2>&1; echo "exit $?" >> \(work)/apply.out
        echo "bramble: $(holder)" >> \(work)/holders
        ls /etc/bramble > \(work)/written
        \(bramble) migrate --undo > \(work)/undo.out 2>&1; echo "exit $?" >> \(work)/undo.out
        echo "undone: $(holder)" >> \(work)/holders
        ls /etc/bramble > \(work)/after-undo
        \(bramble) migrate --apply --timeout 5 --address 10.42.0.77/24 > \(work)/failed.out 2>&1; echo "exit $?" >> \(work)/failed.out
        echo "restored: $(holder)" >> \(work)/holders
        systemctl stop dnsmasq
        systemctl disable --now bramble
        """
    }

    @Test("--apply switches dnsmasq off and bramble on, --undo back; a bramble that cannot start gets dnsmasq restored with its reason")
    func applyUndoAndRestore() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bramble-apply-\(lab.prefix)")
        defer {
            for pidFile in ["dnsmasq.pid", "bramble.pid"] {
                if let text = try? String(contentsOf: work.appendingPathComponent(pidFile), encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    kill(pid, SIGKILL)
                }
            }
            try? FileManager.default.removeItem(at: work)
        }
        let manager = FileManager.default
        for directory in ["bin", "etc-up", "etc-work", "lib-up", "lib-work"] {
            try manager.createDirectory(at: work.appendingPathComponent(directory), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try manager.copyItem(at: ServerUnderTest.repository.appendingPathComponent("Fixtures/dnsmasq/bitscope-hub.conf"), to: work.appendingPathComponent("cluster.conf"))
        let bramble = ServerUnderTest.executable.path
        let tools: [(String, String)] = [
            ("systemctl", Self.systemctl(work.path, bramble: bramble)),
            ("journalctl", "#!/bin/sh\ntail -n 20 \(work.path)/bramble.log\n"),
        ]
        for (name, text) in tools {
            try text.write(to: work.appendingPathComponent("bin/\(name)"), atomically: false, encoding: .utf8)
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: work.appendingPathComponent("bin/\(name)").path)
        }
        let run = try lab.run(in: hub, ["unshare", "--mount", "--propagation", "private", "sh", "-c", Self.script(work.path, bramble: bramble)], timeout: 120)
        let read = { (name: String) in (try? String(contentsOf: work.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        let context = "run: \(run.output)\ncalls:\n\(read("calls"))\nbramble.log:\n\(read("bramble.log"))"

        let apply = read("apply.out")
        #expect(apply.hasSuffix("exit 0\n"), "\(apply)\n\(context)")
        #expect(apply.contains("bramble is active and answers on its control socket"), "\(apply)")
        #expect(apply.contains("  address = 10.42.0.250/24    (the address eth0 has on this machine)"), "\(apply)")
        #expect(read("written").split(separator: "\n").sorted().filter { !$0.contains(".bramble-") } == ["bramble.conf", "nodes"], "\(read("written"))")
        let holders = read("holders").split(separator: "\n").map(String.init)
        #expect(holders == ["dnsmasq: dnsmasq", "bramble: bramble", "undone: dnsmasq", "restored: dnsmasq"], "who holds UDP 67: \(holders)\n\(context)")

        let undo = read("undo.out")
        #expect(undo.hasSuffix("exit 0\n"), "\(undo)")
        #expect(undo.contains("moved /etc/bramble/bramble.conf, which the migration created, to /etc/bramble/bramble.conf.bramble-undone-"), "\(undo)")
        #expect(!read("after-undo").split(separator: "\n").contains("bramble.conf"), "\(read("after-undo"))")

        let failed = read("failed.out")
        #expect(failed.hasSuffix("exit 1\n"), "\(failed)")
        #expect(failed.contains("bramble failed to start; restoring dnsmasq") || failed.contains("bramble did not report ready"), "\(failed)")
        #expect(failed.contains("bramble serve: eth0 has 10.42.0.250, not 10.42.0.77"), "bramble's own reason, from its journal: \(failed)")
        #expect(failed.contains("dnsmasq is enabled and running again"), "\(failed)")
        let calls = read("calls").split(separator: "\n").map(String.init)
        #expect(calls.filter { !$0.hasPrefix("is-active") && !$0.hasPrefix("show") } == [
            "start dnsmasq",
            "stop dnsmasq", "disable dnsmasq", "enable --now bramble",
            "disable --now bramble", "enable dnsmasq", "start dnsmasq",
            "stop dnsmasq", "disable dnsmasq", "enable --now bramble", "disable --now bramble", "enable dnsmasq", "start dnsmasq",
            "stop dnsmasq", "disable --now bramble",
        ], "\(calls)")
    }
}
