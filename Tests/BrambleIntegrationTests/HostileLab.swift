import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// The lab the hostile-client tests attack: `bramble serve` on the hub (10.42.0.250), a
/// simulated Pi 4 (node 33, scripts/lib/fakepi.py) that boots while the attacks run, an
/// attacker on the cluster bridge (10.42.0.66, itself node 66, so its probes get answers)
/// and an outsider (192.0.2.66, TEST-NET-1, which exists only inside the lab) routed in
/// through a router namespace (10.42.0.254 on the bridge, 192.0.2.1 on the outside link).
struct HostileLab {
    static let hub = "10.42.0.250"
    static let nodes = "33  dc:a6:32:30:00:21\n66  02:00:00:00:00:66\n"
    static let attackerMAC = "02:00:00:00:00:66"
    /// A Pi 4 boot with the sizes below takes 0.1 to 2 s here; the bound leaves room for
    /// one lost DHCP exchange (the bootloader retries after 4 s) on a loaded machine.
    static let normalBootSeconds = 12.0
    static let bootFiles: [String: Int] = [
        "start4.elf": 96 * 1024, "fixup4.dat": 5 * 1024, "bcm2711-rpi-4-b.dtb": 25 * 1024, "kernel7l.img": 160 * 1024,
        "probe.bin": 3000,
    ]

    let lab: NetworkLab
    let server: ServerUnderTest
    let boot: URL
    let hubNamespace: String
    let pi: String
    let attacker: String
    let outsider: String

    /// Builds the lab and the boot tree; `prepare` runs before the daemon starts (plant
    /// files in its state directory, mount a file system there), and `start: false`
    /// leaves starting it to the test.
    init(config: String = "", start: Bool = true, prepare: (ServerUnderTest) throws -> Void = { _ in }) throws {
        lab = try NetworkLab()
        hubNamespace = try lab.addHost("hub", address: "\(Self.hub)/24")
        pi = try lab.addHost("pi", mac: "dc:a6:32:30:00:21")
        attacker = try lab.addHost("att", address: "10.42.0.66/24", mac: Self.attackerMAC)
        let router = try lab.addHost("rt", address: "10.42.0.254/24")
        outsider = try lab.addHost("out", address: "192.0.2.66/24", behind: router, link: "eth1", gateway: "192.0.2.1")
        let route = try lab.run(in: hubNamespace, ["ip", "route", "add", "192.0.2.0/24", "via", "10.42.0.254"])
        guard route.status == 0 else { throw NetworkLab.Unavailable(description: "hub route: \(route.output)") }
        server = try ServerUnderTest(lab: lab, hub: hubNamespace, nodes: Self.nodes, config: config)
        boot = server.file("pxe/boot")
        try TestBootTree.write(Self.bootFiles, into: boot, fill: .seeded(7))
        try TestBootTree.write(texts: ["config.txt": "enable_uart=1\n", "cmdline.txt": "console=serial0,115200 root=/dev/nfs ip=dhcp rootwait\n"], into: boot)
        try prepare(server)
        if start { try server.start() }
    }

    static var script: String { ServerUnderTest.repository.appendingPathComponent("scripts/lib/hostile.py").path }

    /// Runs a scripts/lib/hostile.py command in `host` and decodes the JSON object it prints last.
    func hostile(_ arguments: [String], from host: String, timeout: Double = 30) throws -> [String: Any] {
        let result = try lab.run(in: host, ["python3", Self.script] + arguments, timeout: timeout)
        let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try #require(object, "hostile.py \(arguments.joined(separator: " ")) printed (exit \(result.status)): \(result.output.suffix(2000))")
    }

    /// Starts a hostile.py command in the background; its JSON lines go to `output`.
    func startHostile(_ arguments: [String], from host: String, output name: String) throws -> Background {
        let output = server.file(name)
        let process = try lab.start(in: host, ["python3", Self.script] + arguments, output: output.path)
        return Background(process: process, output: output)
    }

    /// A hostile.py or fakepi.py run in the background, printing JSON lines to `output`.
    struct Background {
        let process: Process
        let output: URL

        var lines: [[String: Any]] {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        }

        /// Waits (at most `seconds`, then kills it) for the process to end; returns its last
        /// JSON line, nil when it printed none.
        func finish(within seconds: Double) -> [String: Any]? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            return lines.last
        }

        var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    }

    /// The simulated Pi 4's boot, started now.
    func startPiBoot() throws -> Background {
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
        let command = ["python3", script, "--model", "4", "--serial", "30000021", "--tree", boot.path, "--time-limit", "40"]
        return Background(process: try lab.start(in: pi, command, output: server.file("pi.jsonl").path), output: server.file("pi.jsonl"))
    }

    /// The Pi's boot completed (stage `up`) within its normal time.
    func expectBooted(_ piBoot: Background, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = piBoot.finish(within: 45)
        let seconds = Double(result?["t"] as? Int ?? Int.max) / 1000
        #expect(result?["ok"] as? Bool == true && result?["stage"] as? String == "up", "the Pi did not boot: \(piBoot.text.suffix(1500))", sourceLocation: sourceLocation)
        #expect(seconds <= Self.normalBootSeconds, "the Pi took \(seconds) s to boot, normally 2 s at most", sourceLocation: sourceLocation)
    }

    /// The daemon's last lines, up to and including how it crashed, without the backtrace.
    var logTail: String {
        var lines: [Substring] = []
        for line in server.log.split(separator: "\n") {
            lines.append(line)
            if line.hasPrefix("*** Program crashed") { break }
        }
        return lines.suffix(12).filter { !$0.hasPrefix("*** Signal") }.joined(separator: "\n")
    }

    /// The daemon still runs and answers a DHCPDISCOVER (the attacker is node 66), a TFTP
    /// read and a DNS query.
    func expectAnswering(after attack: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let running = server.process?.isRunning == true
        #expect(running, "bramble serve died after \(attack):\n\(logTail)", sourceLocation: sourceLocation)
        guard running else { return }
        let probe = try hostile(["probe", Self.hub, "--mac", Self.attackerMAC, "--file", "probe.bin", "--name", "node66.cluster"], from: attacker)
        #expect(probe["dhcp"] as? String == "10.42.0.66", "no DHCPOFFER after \(attack): \(probe)", sourceLocation: sourceLocation)
        #expect(probe["tftp"] as? Int == Self.bootFiles["probe.bin"], "no TFTP after \(attack): \(probe)", sourceLocation: sourceLocation)
        #expect(probe["dns"] as? [String] == ["10.42.0.66"], "no DNS after \(attack): \(probe)", sourceLocation: sourceLocation)
    }
}

/// A small tmpfs mounted (as root) over a directory for one test, so a disk can be filled
/// without touching the machine's own; unmounted when the test ends, failed or not (lazily,
/// so a process still holding a file there cannot keep it).
final class TmpfsMount {
    let path: String
    private var mounted = false

    init(at path: String, size: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try NetworkLab.execute(["mount", "-t", "tmpfs", "-o", "size=\(size),mode=0755", "bramble-test", path], timeout: 10)
        guard result.status == 0 else { throw NetworkLab.Unavailable(description: "mount tmpfs on \(path): \(result.output)") }
        mounted = true
    }

    /// Writes zeros until the file system refuses more (ENOSPC); returns the bytes written.
    @discardableResult
    func fill(_ name: String = "fill") throws -> Int {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw NetworkLab.Unavailable(description: "open \(path)/\(name): errno \(errno)") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            // A short write takes what the last page had left; the next one fails.
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            total += written
        }
        return total
    }

    func free(_ name: String = "fill") { unlink(path + "/" + name) }

    func unmount() {
        guard mounted else { return }
        _ = try? NetworkLab.execute(["umount", "-l", path], timeout: 10)
        mounted = false
    }

    deinit { unmount() }
}
