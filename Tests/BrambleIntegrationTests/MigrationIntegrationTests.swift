import BrambleLab
import Foundation
import Testing

/// The switch a hub makes with `bramble migrate`, end to end in namespaces: Debian's
/// dnsmasq serves the BitScope hub's configuration (Fixtures/dnsmasq/bitscope-hub.conf)
/// to simulated Pis (scripts/lib/fakepi.py), then dnsmasq stops, `bramble migrate --root`
/// turns that configuration into bramble.conf and a node map, `bramble serve` starts with
/// them, and the same Pis boot again: the same addresses, host names, boot files and DNS
/// answers. There is no systemd in a namespace, so the services are switched by the test,
/// as `--apply` would (its logic runs against a fake service manager in MigrateTests).
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct MigrationIntegrationTests {
    typealias Pi = SimulatedPiBootTests.Pi

    /// The fixture's nodes 1-4: a Pi 3B, a Pi 4, a Pi 3B+ and a Pi 4 named build04.
    static let pis = [
        Pi(name: "pi3b", model: "3b", mac: "b8:27:eb:10:00:01", serial: "10000001"),
        Pi(name: "pi4", model: "4", mac: "dc:a6:32:10:00:02", serial: "10000002"),
        Pi(name: "pi3bplus", model: "3b+", mac: "b8:27:eb:10:00:03", serial: "10000003"),
        Pi(name: "build", model: "4", mac: "dc:a6:32:10:00:04", serial: "10000004"),
    ]

    /// What one boot showed: the address each DHCP step got, the host name, the files read
    /// in full, and the DNS answer for the node's own name.
    struct Boot: Equatable, CustomStringConvertible {
        var ok: Bool
        var romAddress: String?
        var kernelAddress: String?
        var hostname: String?
        var files: [String]
        var dnsAnswer: [String]

        var description: String {
            "ok \(ok), rom \(romAddress ?? "-"), kernel \(kernelAddress ?? "-") \(hostname ?? "-"), dns \(dnsAnswer), files \(files)"
        }
    }

    /// The hub tree migrate reads (`--root`): Debian's all-comment dnsmasq.conf, the hub's
    /// settings in /etc/dnsmasq.d/cluster.conf, and /pxe/boot with a Pi 3 and Pi 4 boot set.
    static func hubTree(_ root: URL) throws {
        let manager = FileManager.default
        for directory in ["etc/dnsmasq.d", "pxe/boot", "state"] {
            try manager.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try "# Configuration file for dnsmasq.\n#domain-needed\n#conf-dir=/etc/dnsmasq.d/,*.conf\n"
            .write(to: root.appendingPathComponent("etc/dnsmasq.conf"), atomically: false, encoding: .utf8)
        let fixture = ServerUnderTest.repository.appendingPathComponent("Fixtures/dnsmasq/bitscope-hub.conf")
        try manager.copyItem(at: fixture, to: root.appendingPathComponent("etc/dnsmasq.d/cluster.conf"))
        let boot = root.appendingPathComponent("pxe/boot")
        var generator = SystemRandomNumberGenerator()
        for (name, size) in SimulatedPiBootTests.sizes {
            try Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: boot.appendingPathComponent(name))
        }
        try Data("enable_uart=1\n".utf8).write(to: boot.appendingPathComponent("config.txt"))
        try Data("console=serial0,115200 root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n".utf8)
            .write(to: boot.appendingPathComponent("cmdline.txt"))
    }

    static func boot(_ lab: NetworkLab, tree: URL, logs: URL, round: String) throws -> [String: Boot] {
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
        let running = try pis.map { pi in
            let output = logs.appendingPathComponent("\(round)-\(pi.name).jsonl").path
            let command = ["python3", script, "--model", pi.model, "--serial", pi.serial, "--tree", tree.path, "--time-limit", "60"]
            return (pi, output, try lab.start(in: "\(lab.prefix)-\(pi.name)", command, output: output))
        }
        let deadline = Date().addingTimeInterval(70)
        while running.contains(where: { $0.2.isRunning }) && Date() < deadline { usleep(50_000) }
        var boots: [String: Boot] = [:]
        for (pi, output, _) in running {
            let lines = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
            func step(_ name: String) -> [String: Any]? { lines.first { $0["step"] as? String == name } }
            boots[pi.name] = Boot(
                ok: lines.last?["ok"] as? Bool == true,
                romAddress: step("rom-dhcp")?["ip"] as? String,
                kernelAddress: step("kernel-dhcp")?["ip"] as? String,
                hostname: step("kernel-dhcp")?["hostname"] as? String,
                files: lines.filter { $0["step"] as? String == "tftp" && $0["result"] as? String == "ok" }.compactMap { $0["file"] as? String },
                dnsAnswer: step("dns")?["answer"] as? [String] ?? [])
        }
        return boots
    }

    /// dig's short answers from the hub namespace: each node's name, its reverse name, and the hub's.
    static func dnsAnswers(_ lab: NetworkLab, hub: String) throws -> [String: String] {
        var answers: [String: String] = [:]
        let questions = [("node01.cluster", "A"), ("node02.cluster", "A"), ("build04.cluster", "A"), ("1.0.42.10.in-addr.arpa", "PTR"),
                         ("4.0.42.10.in-addr.arpa", "PTR")]
        for (name, type) in questions {
            let result = try lab.run(in: hub, ["dig", "@10.42.0.250", name, type, "+short", "+tries=2", "+time=2"], timeout: 15)
            answers["\(name) \(type)"] = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return answers
    }

    @Test("the BitScope hub's dnsmasq, migrated: the same Pis get the same addresses, names, boot files and DNS answers from bramble")
    func sameAnswersAfterMigration() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        for pi in Self.pis { try lab.addHost(pi.name, mac: pi.mac) }
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bramble-migrate-\(lab.prefix)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.hubTree(root)
        let tree = root.appendingPathComponent("pxe/boot")

        // dnsmasq as the hub ran it: the fixture, with /pxe inside this test's tree.
        let fixture = try String(contentsOf: root.appendingPathComponent("etc/dnsmasq.d/cluster.conf"), encoding: .utf8)
        let running = root.appendingPathComponent("dnsmasq-running.conf")
        try fixture.replacingOccurrences(of: "=/pxe/", with: "=\(root.path)/pxe/").write(to: running, atomically: false, encoding: .utf8)
        let dnsmasq = try PortInUseTests.startDnsmasq(in: lab, hub: hub, directory: root, options: ["--conf-file=\(running.path)", "--no-hosts"])
        defer { kill(dnsmasq, SIGKILL) }
        let before = try Self.boot(lab, tree: tree, logs: root, round: "dnsmasq")
        let dnsBefore = try Self.dnsAnswers(lab, hub: hub)
        kill(dnsmasq, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while kill(dnsmasq, 0) == 0 && Date() < deadline { usleep(20_000) }

        let migrate = try NetworkLab.execute([ServerUnderTest.executable.path, "migrate", "--root", root.path], timeout: 30)
        #expect(migrate.status == 0, "\(migrate.output)")
        #expect(migrate.output.contains("/etc/dnsmasq.d/cluster.conf:26: tftp-root=/pxe/boot\n      -> mapped: bramble.conf `pxe = /pxe`"), "\(migrate.output)")
        #expect(migrate.output.contains("wrote /etc/bramble/nodes (new)"))

        // bramble serve with what migrate wrote; --root's paths are this tree's.
        let log = root.appendingPathComponent("serve.log")
        let serve = try lab.start(in: hub, [
            ServerUnderTest.executable.path, "serve", "--config", root.appendingPathComponent("etc/bramble/bramble.conf").path,
            "--nodes", root.appendingPathComponent("etc/bramble/nodes").path, "--pxe", root.appendingPathComponent("pxe").path,
            "--state-dir", root.appendingPathComponent("state").path,
        ], output: log.path)
        let ready = Date().addingTimeInterval(10)
        while serve.isRunning && Date() < ready && !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("ready:") { usleep(20_000) }
        let serveLog = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        try #require(serveLog().contains("ready:"), "bramble serve did not start: \(serveLog())")
        let after = try Self.boot(lab, tree: tree, logs: root, round: "bramble")
        let dnsAfter = try Self.dnsAnswers(lab, hub: hub)

        for (index, pi) in Self.pis.enumerated() {
            let address = "10.42.0.\(index + 1)"
            let dnsmasqBoot = try #require(before[pi.name])
            #expect(dnsmasqBoot.ok && dnsmasqBoot.romAddress == address && dnsmasqBoot.kernelAddress == address, "\(pi.name) from dnsmasq: \(dnsmasqBoot)")
            #expect(dnsmasqBoot.dnsAnswer == [address] && dnsmasqBoot.files.count == 7, "\(pi.name) from dnsmasq: \(dnsmasqBoot)")
            #expect(after[pi.name] == dnsmasqBoot, "\(pi.name): dnsmasq \(dnsmasqBoot), bramble \(String(describing: after[pi.name]))\n\(serveLog())")
        }
        #expect(before["build"]?.hostname == "build04" && before["pi3b"]?.hostname == "node01")
        #expect(dnsBefore["build04.cluster A"] == "10.42.0.4" && dnsBefore["node01.cluster A"] == "10.42.0.1" && dnsBefore["1.0.42.10.in-addr.arpa PTR"] == "node01.cluster.", "\(dnsBefore)")
        #expect(dnsAfter == dnsBefore, "dnsmasq \(dnsBefore), bramble \(dnsAfter)")
    }
}
