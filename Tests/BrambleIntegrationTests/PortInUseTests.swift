import BrambleLab
import Foundation
import Testing

/// `bramble serve` on a hub where Debian's dnsmasq still runs: it must not start, and must
/// say which process holds the ports and how to stop it.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct PortInUseTests {
    /// Debian's dnsmasq serving DHCP, TFTP and DNS on the hub's eth0 as a hub's would, in
    /// the foreground, under a shell. The shell is there because dnsmasq closes every
    /// descriptor it inherits, and Foundation's Process takes its own descriptor's closing for
    /// the child's exit and then blocks in waitpid. dnsmasq inherits the test process's
    /// blocked signals (SIGTERM among them), so the caller stops it with SIGKILL by the
    /// returned pid (`defer { kill(pid, SIGKILL) }`).
    static func startDnsmasq(in lab: NetworkLab, hub: String, directory: URL, options: [String]) throws -> Int32 {
        let pidFile = directory.appendingPathComponent("dnsmasq.pid")
        let output = directory.appendingPathComponent("dnsmasq.out")
        let command = (["/usr/sbin/dnsmasq", "--no-daemon", "--user=root", "--group=root",
                        "--dhcp-leasefile=\(directory.appendingPathComponent("dnsmasq.leases").path)"] + options)
            .map { "'\($0)'" }.joined(separator: " ")
        let script = "\(command) & echo $! > '\(pidFile.path)'; wait"
        let shell = try lab.start(in: hub, ["sh", "-c", script], output: output.path)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && shell.isRunning {
            if let text = try? String(contentsOf: output, encoding: .utf8), text.contains("dnsmasq: started"),
               let pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                return pid
            }
            usleep(20_000)
        }
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        throw NetworkLab.Unavailable(description: "dnsmasq did not start (is dnsmasq-base installed?): \(log)")
    }

    @Test("dnsmasq holding UDP 67, 69, 53 and TCP 53: bramble serve exits non-zero naming dnsmasq, its pid and the stop command")
    func dnsmasqHoldsThePorts() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: "1 b8:27:eb:10:00:01\n")
        let pid = try Self.startDnsmasq(in: lab, hub: hub, directory: server.directory, options: [
            "--conf-file=/dev/null", "--interface=eth0", "--dhcp-range=10.42.0.0,static", "--enable-tftp",
            "--tftp-root=\(server.file("pxe/boot").path)", "--no-resolv", "--no-hosts",
        ])
        defer { kill(pid, SIGKILL) }
        let result = try lab.run(in: hub, [ServerUnderTest.executable.path, "serve", "--config", server.configPath], timeout: 20)
        #expect(result.status == 1, "\(result.output)")
        for port in ["UDP port 67 (DHCP)", "UDP port 69 (TFTP)", "UDP port 53 (DNS)", "TCP port 53 (DNS)"] {
            #expect(result.output.contains("  \(port): held by dnsmasq (pid \(pid))"), "\(result.output)")
        }
        let cgroup = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        let stop = cgroup.contains("/dnsmasq.service") ? "systemctl stop dnsmasq" : "kill \(pid)"
        #expect(result.output.contains("stop it first (`\(stop)`), then start bramble serve again."), "\(result.output)")
        #expect(!result.output.contains("ready:"))
    }

    @Test("dnsmasq with bind-interfaces on the hub's address only: still found; bramble starts once it is stopped")
    func boundDnsmasqThenStopped() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: "1 b8:27:eb:10:00:01\n")
        let pid = try Self.startDnsmasq(in: lab, hub: hub, directory: server.directory, options: [
            "--conf-file=/dev/null", "--interface=eth0", "--bind-interfaces", "--except-interface=lo", "--port=53",
            "--no-resolv", "--no-hosts",
        ])
        defer { kill(pid, SIGKILL) }
        let refused = try lab.run(in: hub, [ServerUnderTest.executable.path, "serve", "--config", server.configPath], timeout: 20)
        #expect(refused.status == 1)
        #expect(refused.output.contains("UDP port 53 (DNS): held by dnsmasq (pid \(pid))"), "\(refused.output)")
        #expect(refused.output.contains("TCP port 53 (DNS): held by dnsmasq (pid \(pid))"))
        #expect(!refused.output.contains("port 67"), "dnsmasq without dhcp-range holds no DHCP port: \(refused.output)")
        kill(pid, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
        try server.start()
        server.stop()
    }

    @Test("an address that is not on the interface and a missing interface each stop bramble serve with what to do")
    func setupMistakes() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.1/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: "")
        let wrongAddress = try lab.run(in: hub, [ServerUnderTest.executable.path, "serve", "--config", server.configPath], timeout: 20)
        #expect(wrongAddress.status == 1)
        #expect(wrongAddress.output.contains("bramble serve: eth0 has 10.42.0.1, not 10.42.0.250: add it (`ip addr add 10.42.0.250/24 dev eth0`"), "\(wrongAddress.output)")
        let noInterface = try lab.run(in: hub, [ServerUnderTest.executable.path, "serve", "--config", server.configPath, "--interface", "eth9"], timeout: 20)
        #expect(noInterface.status == 1)
        #expect(noInterface.output.contains("bramble serve: there is no interface eth9 on this machine: set `interface` in \(server.configPath) (or --interface)"), "\(noInterface.output)")
    }
}
