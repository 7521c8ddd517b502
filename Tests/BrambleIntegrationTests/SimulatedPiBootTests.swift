import Foundation
import Testing

/// Simulated Raspberry Pis (scripts/lib/fakepi.py: the ROM's and bootloader's DHCP frames,
/// TFTP in the firmware's order, the kernel's ip=dhcp, a DNS query) boot from `bramble serve`
/// in namespaces the tests create and remove.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct SimulatedPiBootTests {
    static let nodes = """
        1   b8:27:eb:10:00:01
        17  b8:27:eb:20:00:11
        33  dc:a6:32:30:00:21
        """ + "\n"

    /// A Pi 3 and a Pi 4 boot set, smaller than the real files (the demo uses real sizes)
    /// but several hundred blocks each, so transfers overlap.
    static let sizes: [String: Int] = [
        "bootcode.bin": 52 * 1024, "start.elf": 300 * 1024, "fixup.dat": 7 * 1024, "start4.elf": 250 * 1024,
        "fixup4.dat": 5 * 1024, "kernel7.img": 600 * 1024, "kernel7l.img": 600 * 1024,
        "bcm2710-rpi-3-b.dtb": 25 * 1024, "bcm2710-rpi-3-b-plus.dtb": 25 * 1024, "bcm2711-rpi-4-b.dtb": 25 * 1024,
    ]

    struct Pi {
        let name: String
        let model: String
        let mac: String
        let serial: String
    }

    static let pis = [
        Pi(name: "pi3b", model: "3b", mac: "b8:27:eb:10:00:01", serial: "10000001"),
        Pi(name: "pi3bplus", model: "3b+", mac: "b8:27:eb:20:00:11", serial: "20000011"),
        Pi(name: "pi4", model: "4", mac: "dc:a6:32:30:00:21", serial: "30000021"),
    ]

    struct Cluster {
        let lab: NetworkLab
        let server: ServerUnderTest
        let boot: URL

        init(omitting missing: Set<String> = [], nodes: String = SimulatedPiBootTests.nodes) throws {
            lab = try NetworkLab()
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            for pi in SimulatedPiBootTests.pis { try lab.addHost(pi.name, mac: pi.mac) }
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: nodes)
            boot = server.file("pxe/boot")
            try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
            var generator = SystemRandomNumberGenerator()
            for (name, size) in SimulatedPiBootTests.sizes where !missing.contains(name) {
                let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
                try bytes.write(to: boot.appendingPathComponent(name))
            }
            try Data("enable_uart=1\n".utf8).write(to: boot.appendingPathComponent("config.txt"))
            try Data("console=serial0,115200 root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n".utf8)
                .write(to: boot.appendingPathComponent("cmdline.txt"))
            try server.start()
        }

        /// `bramble status --json` of the running server, its nodes by ID.
        func status() throws -> [Int: [String: Any]] {
            let result = try server.bramble(["status", "--json", "--config", server.configPath])
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let nodes = try #require(object?["nodes"] as? [[String: Any]], "\(result.output)")
            return Dictionary(uniqueKeysWithValues: nodes.compactMap { node in (node["id"] as? Int).map { ($0, node) } })
        }

        /// Boots the given Pis at once; returns each one's exit status and JSON lines.
        func boot(_ pis: [Pi], extra: [String] = []) throws -> [String: (status: Int32, lines: [[String: Any]])] {
            let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
            let running = try pis.map { pi in
                let command = ["python3", script, "--model", pi.model, "--serial", pi.serial, "--tree", boot.path, "--time-limit", "60"] + extra
                return (pi, try lab.start(in: "\(lab.prefix)-\(pi.name)", command, output: server.file("\(pi.name).jsonl").path))
            }
            let deadline = Date().addingTimeInterval(70)
            while running.contains(where: { $0.1.isRunning }) && Date() < deadline { usleep(50_000) }
            var results: [String: (status: Int32, lines: [[String: Any]])] = [:]
            for (pi, process) in running {
                let status = process.isRunning ? -1 : process.terminationStatus
                let output = (try? String(contentsOf: server.file("\(pi.name).jsonl"), encoding: .utf8)) ?? ""
                let lines = output.split(separator: "\n").compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                }
                results[pi.name] = (status, lines)
            }
            return results
        }
    }

    @Test("a Pi 3B, a Pi 3B+ and a Pi 4 boot at once to their DNS query, every file byte-identical")
    func everyModelBoots() throws {
        let cluster = try Cluster()
        let results = try cluster.boot(Self.pis)
        for pi in Self.pis {
            let (status, lines) = try #require(results[pi.name])
            let result = try #require(lines.last, "\(pi.name) printed nothing")
            #expect(status == 0 && result["ok"] as? Bool == true, "\(pi.name): \(lines)")
            #expect(result["stage"] as? String == "up")
            let steps = lines.compactMap { $0["step"] as? String }
            #expect(steps.first == "power-on" && steps.contains("rom-dhcp") && steps.contains("kernel-dhcp") && steps.contains("dns"))
            let files = lines.filter { $0["step"] as? String == "tftp" && $0["result"] as? String == "ok" }.compactMap { $0["file"] as? String }
            let probe = lines.first { ($0["file"] as? String) == "\(pi.serial)/start.elf" }
            #expect(probe?["result"] as? String == "not-found", "the serial-prefix probe must miss: \(pi.name)")
            if pi.model == "4" {
                #expect(files == ["config.txt", "start4.elf", "fixup4.dat", "config.txt", "bcm2711-rpi-4-b.dtb", "cmdline.txt", "kernel7l.img"])
                let blocks = Set(lines.compactMap { $0["blksize"] as? Int })
                #expect(blocks == [1024], "the Pi 4 reads with blksize 1024")
            } else {
                let dtb = pi.model == "3b" ? "bcm2710-rpi-3-b.dtb" : "bcm2710-rpi-3-b-plus.dtb"
                #expect(files == ["bootcode.bin", "start.elf", "fixup.dat", "config.txt", "cmdline.txt", "kernel7.img", dtb])
                #expect(steps.contains("bootcode-dhcp"))
            }
            let dns = try #require(lines.first { $0["step"] as? String == "dns" })
            #expect(dns["answer"] as? [String] == [result["ip"] as? String ?? "?"])
        }
        let log = cluster.server.log
        #expect(log.contains("DHCPDISCOVER from b8:27:eb:10:00:01 node01 (Pi 3B ROM) -> DHCPOFFER 10.42.0.1"), "\(log)")
        #expect(log.contains("DHCPDISCOVER from b8:27:eb:20:00:11 node17 (Pi ROM/bootcode, serial 20000011) -> DHCPOFFER 10.42.0.17"))
        #expect(log.contains("DHCPREQUEST from dc:a6:32:30:00:21 node33 (Pi 4 bootloader, Pi 4B 4GB rev 1.5, serial 30000021) -> DHCPACK 10.42.0.33"))
        #expect(log.contains("TFTP sent kernel7l.img to 10.42.0.33 node33: 614400 bytes in 601 blocks of 1024"))
        #expect(log.contains("TFTP sent kernel7.img to 10.42.0.1 node01: 614400 bytes in 1201 blocks of 512"))
        for (name, address) in [("node01", "10.42.0.1"), ("node17", "10.42.0.17"), ("node33", "10.42.0.33")] {
            #expect(log.contains("\(name) (\(address)) OS up: first DNS query"))
        }
        #expect(!log.contains("failed"), "\(log)")
        let status = try cluster.status()
        for id in [1, 17, 33] {
            #expect(status[id]?["stage"] as? String == "up", "bramble status: \(status)")
            #expect(status[id]?["lastError"] is NSNull)
        }
        let models = [1: "Pi 3B", 17: "Pi 3B+ or bootcode.bin", 33: "Pi 4B 4GB rev 1.5"]
        for (id, model) in models { #expect(status[id]?["model"] as? String == model, "the model its firmware reported: \(status)") }
        let listing = try cluster.server.bramble(["nodes", "list", "--config", cluster.server.configPath]).output
        #expect(listing.contains("node33  Raspberry Pi (4)    Pi 4B 4GB rev 1.5"), "nodes list asks the daemon: \(listing)")
    }

    @Test("a Pi whose kernel is missing stops at the kernel step and says which file")
    func missingKernelFails() throws {
        let cluster = try Cluster(omitting: ["kernel7.img"])
        let pi = Self.pis[1]
        let results = try cluster.boot([pi])
        let (status, lines) = try #require(results[pi.name])
        #expect(status == 1)
        let result = try #require(lines.last)
        #expect(result["step"] as? String == "result" && result["ok"] as? Bool == false)
        #expect(result["failed"] as? String == "kernel", "\(lines)")
        #expect(result["reason"] as? String == "kernel7.img: not found on the TFTP server (TFTP error 1 'file not found: kernel7.img')", "\(result)")
        #expect(!lines.contains { $0["step"] as? String == "kernel-dhcp" }, "no kernel, no kernel DHCP")
        #expect(cluster.server.log.contains("TFTP sent cmdline.txt to 10.42.0.17 node17"))
        #expect(!cluster.server.log.contains("OS up"))
        let node = try #require(try cluster.status()[17])
        #expect(node["stage"] as? String != "up")
        let error = try #require(node["lastError"] as? String, "bramble status names the failure: \(node)")
        #expect(error.contains("kernel7.img"), "\(error)")
    }

    @Test("a Pi the hub does not know sends its DISCOVER again 5 s later, then gives up")
    func unknownPiGivesUp() throws {
        let cluster = try Cluster(nodes: "2   b8:27:eb:10:00:02\n")
        let stranger = Self.pis[0]
        let results = try cluster.boot([stranger], extra: ["--rom-tries", "2"])
        let (status, lines) = try #require(results[stranger.name])
        #expect(status == 1)
        let result = try #require(lines.last)
        #expect(result["failed"] as? String == "rom-dhcp", "\(lines)")
        #expect(result["reason"] as? String == "no DHCPOFFER after 2 DISCOVERs 5 s apart")
        let elapsed = try #require(result["t"] as? Int)
        #expect((10_000...12_000).contains(elapsed), "two tries of 5 s each: \(elapsed) ms")
        #expect(cluster.server.log.contains("DHCPDISCOVER from b8:27:eb:10:00:01 (Pi 3B ROM) ignored: unknown MAC"), "\(cluster.server.log)")
    }
}
