import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// `dhcp-mode = proxy` beside a router: Debian's dnsmasq, in its own namespace, is the plain
/// DHCP server of 10.42.0.0/24 (its own range, no PXE options, no DNS); bramble on the same
/// bridge sends the Pis only their boot options. Simulated Pis (scripts/lib/fakepi.py) take
/// the address from the router's offer and the boot options from bramble's, as the real
/// firmware does, and boot to `up`; a non-PXE client (busybox udhcpc) hears only the router.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct ProxyDHCPIntegrationTests {
    static let router = "10.42.0.1"
    static let nodes = """
        1   b8:27:eb:10:00:01
        33  dc:a6:32:30:00:21
        41  2c:cf:67:50:00:29
        """ + "\n"
    static let pis = [
        SimulatedPiBootTests.Pi(name: "pi3b", model: "3b", mac: "b8:27:eb:10:00:01", serial: "10000001"),
        SimulatedPiBootTests.Pi(name: "pi4", model: "4", mac: "dc:a6:32:30:00:21", serial: "30000021"),
        SimulatedPiBootTests.pi5,
    ]
    static let laptopMAC = "02:00:00:00:0a:01"

    struct Setup {
        let lab: NetworkLab
        let server: ServerUnderTest
        let routerNamespace: String
        let laptop: String
        let boot: URL

        init(config: String = "", router: Bool = true) throws {
            lab = try NetworkLab()
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            routerNamespace = try lab.addHost("router", address: "\(ProxyDHCPIntegrationTests.router)/24")
            laptop = try lab.addHost("laptop", mac: ProxyDHCPIntegrationTests.laptopMAC)
            for pi in ProxyDHCPIntegrationTests.pis { try lab.addHost(pi.name, mac: pi.mac) }
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: ProxyDHCPIntegrationTests.nodes, config: "dhcp-mode = proxy\nlog-level = debug\n" + config)
            boot = server.file("pxe/boot")
            try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
            for (name, size) in SimulatedPiBootTests.sizes where name != "initramfs8" {
                try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ name.count) }).write(to: boot.appendingPathComponent(name))
            }
            try Data("enable_uart=1\n".utf8).write(to: boot.appendingPathComponent("config.txt"))
            try Data("root=/dev/nfs ip=dhcp rootwait\n".utf8).write(to: boot.appendingPathComponent("cmdline.txt"))
            guard router else {
                try server.start()
                return
            }
            // The router: dnsmasq as a home router's DHCP server, nothing for PXE, no DNS.
            let state = server.file("router")
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            _ = try lab.start(in: routerNamespace, ProxyDHCPIntegrationTests.supervised + [
                "/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--interface=eth0", "--bind-interfaces", "--no-resolv", "--port=0",
                "--dhcp-range=10.42.0.100,10.42.0.199,255.255.255.0,1h", "--dhcp-leasefile=\(state.path)/leases",
                "--pid-file=\(state.path)/dnsmasq.pid", "--user=root", "--no-ping", "--log-dhcp", "--log-facility=-",
            ], output: server.file("router.log").path)
            try server.start()
            try waitForRouter()
        }

        var routerLog: String { (try? String(contentsOf: server.file("router.log"), encoding: .utf8)) ?? "" }

        private func waitForRouter() throws {
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                if routerLog.contains("DHCP, IP range") { return }
                usleep(20_000)
            }
            throw NetworkLab.Unavailable(description: "dnsmasq did not start in the router namespace:\n\(routerLog)")
        }

        func boot(_ pis: [SimulatedPiBootTests.Pi], extra: [String] = []) throws -> [String: (status: Int32, lines: [[String: Any]])] {
            let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
            let running = try pis.map { pi in
                (pi, try lab.start(in: "\(lab.prefix)-\(pi.name)",
                                   ["python3", script, "--model", pi.model, "--serial", pi.serial, "--tree", boot.path, "--time-limit", "60"] + extra,
                                   output: server.file("\(pi.name).jsonl").path))
            }
            let deadline = Date().addingTimeInterval(70)
            while running.contains(where: { $0.1.isRunning }) && Date() < deadline { usleep(50_000) }
            var results: [String: (status: Int32, lines: [[String: Any]])] = [:]
            for (pi, process) in running {
                let output = (try? String(contentsOf: server.file("\(pi.name).jsonl"), encoding: .utf8)) ?? ""
                let lines = output.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
                results[pi.name] = (process.isRunning ? -1 : process.terminationStatus, lines)
            }
            return results
        }

        func status() throws -> [Int: [String: Any]] {
            let result = try server.bramble(["status", "--json", "--config", server.configPath])
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let nodes = try #require(object?["nodes"] as? [[String: Any]], "\(result.output)")
            return Dictionary(uniqueKeysWithValues: nodes.compactMap { node in (node["id"] as? Int).map { ($0, node) } })
        }
    }

    /// Runs a command under a small Python parent that clears the signal mask (a child of
    /// Foundation's `Process` starts with SIGTERM and SIGINT blocked) and stops the command
    /// when it is stopped itself. dnsmasq also closes every inherited descriptor, which
    /// `Process` takes for an exit and then waits on forever: the parent keeps it open.
    static let supervised = ["python3", "-c", """
        import signal, subprocess, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        child = subprocess.Popen(sys.argv[1:])
        def stop(*_):
            child.terminate()
            child.wait()
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        sys.exit(child.wait())
        """]

    static func inRouterRange(_ address: String?) -> Bool {
        guard let address, address.hasPrefix("10.42.0."), let host = Int(address.dropFirst(8)) else { return false }
        return (100...199).contains(host)
    }

    @Test("beside a dnsmasq router, a Pi 3B ROM, a Pi 4 and a Pi 5 boot to up from bramble's proxy offers")
    func pisBootBesideARouter() throws {
        let setup = try Setup(config: "netconsole-port = 6666\n")
        let results = try setup.boot(Self.pis, extra: ["--netconsole", "6666"])
        let log = setup.server.log
        var addresses: [String: String] = [:]
        for pi in Self.pis {
            let (status, lines) = try #require(results[pi.name])
            let result = try #require(lines.last, "\(pi.name) printed nothing")
            #expect(status == 0 && result["ok"] as? Bool == true, "\(pi.name) exited \(status): \(lines)")
            let dhcp = try #require(lines.first { $0["step"] as? String == "rom-dhcp" && $0["ip"] != nil })
            #expect(Self.inRouterRange(dhcp["ip"] as? String), "the address is the router's: \(dhcp)")
            #expect(dhcp["server"] as? String == "10.42.0.250", "the TFTP server is bramble, from the proxy offer: \(dhcp)")
            #expect(result["stage"] as? String == "up")
            addresses[pi.name] = result["ip"] as? String
        }
        // bramble's proxy offers, and no address of its own anywhere.
        #expect(log.contains("DHCPDISCOVER from b8:27:eb:10:00:01 node01 (Pi 3B ROM) -> DHCPOFFER\n") || log.contains("DHCPDISCOVER from b8:27:eb:10:00:01 node01 (Pi 3B ROM) -> DHCPOFFER"), "\(log)")
        #expect(log.contains("DHCPDISCOVER from dc:a6:32:30:00:21 node33 (Pi 4 bootloader, Pi 4B 4GB rev 1.5, serial 30000021) -> DHCPOFFER"))
        #expect(log.contains("DHCPREQUEST from dc:a6:32:30:00:21 node33 (Pi 4 bootloader, Pi 4B 4GB rev 1.5, serial 30000021) ignored: client chose server 10.42.0.1"))
        #expect(log.contains("DHCPDISCOVER from 2c:cf:67:50:00:29 node41 (Pi 5 bootloader, Pi 5B 8GB rev 1.0, serial 50000029) -> DHCPOFFER"))
        #expect(!log.contains("DHCPACK"), "bramble acknowledges nothing in proxy mode: \(log)")
        #expect(!log.contains("-> DHCPOFFER 10.42"), "no proxy offer holds an address")
        // The router did the addressing and saw no PXE options of its own.
        #expect(setup.routerLog.contains("DHCPACK(eth0) \(addresses["pi4"] ?? "?") dc:a6:32:30:00:21"), "\(setup.routerLog)")
        // TFTP knew each node by the address the router gave it.
        let pi3 = addresses["pi3b"] ?? "?", pi4 = addresses["pi4"] ?? "?", pi5 = addresses["pi5"] ?? "?"
        #expect(log.contains("node01 uses \(pi3)"), "\(log)")
        #expect(log.contains("node33 uses \(pi4)"))
        #expect(log.contains("TFTP sent kernel7.img to \(pi3) node01"), "\(log)")
        #expect(log.contains("TFTP sent kernel7l.img to \(pi4) node33"))
        #expect(log.contains("node41 uses \(pi5)"))
        #expect(log.contains("TFTP sent 50000029//config.txt to \(pi5) node41") || log.contains("TFTP sent config.txt to \(pi5) node41"), "\(log)")
        #expect(log.contains("TFTP sent kernel8.img to \(pi5) node41"), "\(log)")
        #expect(!log.contains("failed"), "\(log)")
        let status = try setup.status()
        for (id, address) in [(1, pi3), (33, pi4), (41, pi5)] {
            #expect(status[id]?["stage"] as? String == "up", "bramble status: \(status)")
            #expect(status[id]?["ip"] as? String == address, "status shows the router's address: \(status)")
        }
        let listing = try setup.server.bramble(["nodes", "list", "--config", setup.server.configPath]).output
        #expect(listing.contains("dc:a6:32:30:00:21  \(pi4)"), "nodes list shows the address the daemon saw: \(listing)")
        let bootLog = try setup.server.bramble(["logs", "node33", "--config", setup.server.configPath]).output
        for stage in ["addressed", "firmware", "loader", "kernel", "kernel-dhcp", "up"] {
            #expect(bootLog.contains(stage), "boot log of node33 lacks \(stage): \(bootLog)")
        }
        // The bootloaders' netconsole lines reach their nodes' boot logs by the learned addresses.
        for (name, address) in [("node33", pi4), ("node41", pi5)] {
            let nodeLog = (try? String(contentsOf: setup.server.file("state/logs/\(name).log"), encoding: .utf8)) ?? ""
            #expect(nodeLog.contains("bootloader: 5.38 NET \(address) 255.255.255.0 gw 0.0.0.0 tftp 10.42.0.250"), "\(name): \(nodeLog)")
        }
        #expect(!log.contains("which is no node's address"), "\(log)")
        // DNS names the nodes by the addresses they were seen using.
        let dig = try setup.lab.run(in: setup.routerNamespace, ["dig", "+short", "+time=2", "+tries=2", "@10.42.0.250", "node33.cluster"]).output
        #expect(dig.trimmingCharacters(in: .whitespacesAndNewlines) == pi4, "\(dig)")
    }

    @Test("a non-PXE client (busybox udhcpc) gets its address from the router and nothing from bramble")
    func plainClientHearsOnlyTheRouter() throws {
        let setup = try Setup()
        let capture = setup.server.file("laptop.pcap").path
        let tcpdump = try setup.lab.start(in: setup.laptop, Self.supervised + ["tcpdump", "-i", "eth0", "-n", "--immediate-mode", "-U", "-w", capture, "udp port 68"], output: setup.server.file("tcpdump.log").path)
        let listening = Date().addingTimeInterval(5)
        while Date() < listening, !((try? String(contentsOf: setup.server.file("tcpdump.log"), encoding: .utf8)) ?? "").contains("listening on") {
            usleep(20_000)
        }
        let udhcpc = try setup.lab.udhcpc(in: setup.laptop, directory: setup.server.directory, tries: 4)
        usleep(300_000)
        tcpdump.terminate()
        let stopped = Date().addingTimeInterval(5)
        while tcpdump.isRunning && Date() < stopped { usleep(20_000) }
        #expect(udhcpc.lease["serverid"] == Self.router, "udhcpc: \(udhcpc.output)")
        #expect(Self.inRouterRange(udhcpc.lease["ip"]), "\(udhcpc.output)")
        let fromRouter = try setup.lab.run(in: setup.laptop, ["tcpdump", "-n", "-r", capture, "src host \(Self.router)"]).output
        let fromHub = try setup.lab.run(in: setup.laptop, ["tcpdump", "-n", "-r", capture, "src host 10.42.0.250"]).output
        let all = try setup.lab.run(in: setup.laptop, ["tcpdump", "-n", "-e", "-r", capture]).output
        let tcpdumpLog = (try? String(contentsOf: setup.server.file("tcpdump.log"), encoding: .utf8)) ?? ""
        #expect(fromRouter.contains("BOOTP/DHCP, Reply"), "the router's OFFER and ACK reached the laptop: \(all)\n\(tcpdumpLog)")
        #expect(!fromHub.contains("BOOTP/DHCP"), "bramble sent the laptop nothing: \(fromHub)")
        let log = setup.server.log
        #expect(log.contains("from \(Self.laptopMAC) (DHCP client) ignored: dhcp-mode = proxy"), "seen, at debug level, and left alone: \(log)")
        #expect(!log.contains("from \(Self.laptopMAC) (DHCP client) ->"))
    }

    /// Resident memory of the running daemon, in KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    @Test("a flood of PXE DISCOVERs from made-up MACs, malformed option 97s among them, gets no answer and leaves the boot alone")
    func forgedPXEFloodInProxyMode() throws {
        let setup = try Setup()
        let pid = try #require(setup.server.process?.processIdentifier)
        let before = try #require(Self.residentKiB(pid))
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/hostile.py").path
        let flood = try setup.lab.run(in: setup.laptop, ["python3", script, "dhcp-pxe-flood", "eth0", "4000"], timeout: 60)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(flood.output.utf8)) as? [String: Any], "\(flood.output)")
        #expect(result["sent"] as? Int == 4000)
        #expect(result["answeredCount"] as? Int == 0, "made-up MACs got proxy offers: \(result)")
        #expect((result["addressedCount"] as? Int ?? 0) > 0, "the router's address offers reached the flooder, so replies were watched: \(result)")
        let after = try #require(Self.residentKiB(pid))
        #expect(after - before < 4096, "4000 forged clients grew the daemon from \(before) KiB to \(after) KiB")
        let log = setup.server.log
        #expect(log.contains("not the 17 bytes of type 0 that RFC 4578 requires"), "malformed option 97s are ignored with their reason")
        #expect(log.contains("ignored: unknown MAC"))
        let results = try setup.boot([Self.pis[1]])
        let (status, lines) = try #require(results["pi4"])
        #expect(status == 0 && lines.last?["ok"] as? Bool == true, "the Pi 4 after the flood: \(lines)")
    }

    @Test("dns = off binds no DNS socket, and a Pi 4 still boots to up beside the router")
    func dnsOff() throws {
        let setup = try Setup(config: "dns = off\n")
        let sockets = try setup.lab.run(in: setup.server.hub, ["ss", "-lnuH"]).output + (try setup.lab.run(in: setup.server.hub, ["ss", "-lntH"]).output)
        #expect(!sockets.contains(":53 "), "a DNS socket is bound: \(sockets)")
        #expect(sockets.contains(":67 ") && sockets.contains(":69 "), "DHCP and TFTP are: \(sockets)")
        let results = try setup.boot([Self.pis[1]])
        let (status, lines) = try #require(results["pi4"])
        #expect(status == 0 && lines.last?["ok"] as? Bool == true, "\(lines)")
        #expect(try setup.status()[33]?["stage"] as? String == "up")
    }

    /// Proxy mode with no DHCP server on the LAN: bramble's offers hold no address, so the
    /// bootloader asks again and again, and the boot log and status say so.
    @Test("without a router, a Pi 4 gets boot options but no address, and status says the firmware keeps asking")
    func withoutARouterTheBootStopsAtTheAddress() throws {
        let setup = try Setup(router: false)
        let results = try setup.boot([Self.pis[1]], extra: ["--dhcp-timeout", "14"])
        let (status, lines) = try #require(results["pi4"])
        #expect(status == 1 && lines.last?["failed"] as? String == "rom-dhcp", "\(lines)")
        let node = try #require(try setup.status()[33])
        let error = try #require(node["lastError"] as? String, "\(node)")
        #expect(error.contains("the firmware keeps asking"), "\(error)")
        #expect(!setup.server.log.contains("node33 uses"), "no address was seen")
    }

    /// The zone's SOA serial, which grows by at least one with every rebuild of the zone.
    static func zoneSerial(_ setup: Setup) throws -> Int? {
        let answer = try setup.lab.run(in: setup.routerNamespace, ["dig", "+short", "+time=2", "+tries=2", "@10.42.0.250", "cluster", "SOA"]).output
        return answer.split(separator: " ").dropFirst(2).first.flatMap { Int($0) }
    }

    /// Anyone on the LAN can send REQUESTs in a node's name, each naming another address: the
    /// DNS zone is rebuilt at most ten times a second however fast they come, and the node's
    /// own boot puts its real address back.
    @Test("a flood of forged REQUESTs in a node's name rebuilds the zone a few times, not per packet, and the node's boot corrects its address")
    func forgedRequestsInANodesName() throws {
        let setup = try Setup()
        let before = try #require(try Self.zoneSerial(setup))
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/hostile.py").path
        let started = Date()
        let flood = try setup.lab.run(in: setup.laptop, [
            "python3", script, "dhcp-request-flood", "eth0", "--mac", "dc:a6:32:30:00:21", "--count", "3000", "--server", Self.router,
        ], timeout: 60)
        #expect(flood.output.contains("\"sent\": 3000"), "\(flood.output)")
        usleep(300_000)
        let seconds = Int(Date().timeIntervalSince(started).rounded(.up)) + 1
        let after = try #require(try Self.zoneSerial(setup))
        // A rebuild sets the serial to the time in seconds, or one more than the last.
        #expect(after - before <= seconds * 10 + seconds + 2, "the zone was rebuilt \(after - before) times in \(seconds) s for 3000 REQUESTs")
        #expect(setup.server.log.contains("node33 uses 10.42.0."))
        let results = try setup.boot([Self.pis[1]])
        let (status, lines) = try #require(results["pi4"])
        #expect(status == 0 && lines.last?["ok"] as? Bool == true, "\(lines)")
        let address = try #require(lines.last?["ip"] as? String)
        usleep(300_000)
        let dig = try setup.lab.run(in: setup.routerNamespace, ["dig", "+short", "+time=2", "+tries=2", "@10.42.0.250", "node33.cluster"]).output
        #expect(dig.trimmingCharacters(in: .whitespacesAndNewlines) == address, "the node's own REQUEST and TFTP put its address back: \(dig)")
    }
}
