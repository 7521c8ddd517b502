import BrambleLab
import BrambleTestSupport
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
    /// The newer boards' bays.
    static let newerNodes = """
        37  e4:5f:01:40:00:25
        41  2c:cf:67:50:00:29
        45  d8:3a:dd:50:00:2d
        """ + "\n"

    /// A Pi 3 and a Pi 4 boot set, smaller than the real files (the demo uses real sizes)
    /// but several hundred blocks each, so transfers overlap.
    static let sizes: [String: Int] = [
        "bootcode.bin": 52 * 1024, "start.elf": 300 * 1024, "fixup.dat": 7 * 1024, "start4.elf": 250 * 1024,
        "fixup4.dat": 5 * 1024, "kernel7.img": 600 * 1024, "kernel7l.img": 600 * 1024,
        "bcm2710-rpi-3-b.dtb": 25 * 1024, "bcm2710-rpi-3-b-plus.dtb": 25 * 1024, "bcm2711-rpi-4-b.dtb": 25 * 1024,
        "bcm2711-rpi-cm4.dtb": 25 * 1024, "kernel8.img": 700 * 1024, "bcm2712-rpi-5-b.dtb": 30 * 1024,
        "bcm2712-rpi-cm5-cm5io.dtb": 30 * 1024, "initramfs8": 200 * 1024,
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

    /// The EEPROM bootloader's newer boards, on the newer OUIs (never decided by OUI).
    static let cm4 = Pi(name: "cm4", model: "cm4", mac: "e4:5f:01:40:00:25", serial: "40000025")
    static let pi5 = Pi(name: "pi5", model: "5b", mac: "2c:cf:67:50:00:29", serial: "50000029")
    static let cm5 = Pi(name: "cm5", model: "cm5", mac: "d8:3a:dd:50:00:2d", serial: "5000002d")

    struct Cluster {
        let lab: NetworkLab
        let server: ServerUnderTest
        let boot: URL

        init(omitting missing: Set<String> = [], nodes: String = SimulatedPiBootTests.nodes, pis: [Pi] = SimulatedPiBootTests.pis) throws {
            lab = try NetworkLab()
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            for pi in pis { try lab.addHost(pi.name, mac: pi.mac) }
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: nodes)
            boot = server.file("pxe/boot")
            try TestBootTree.write(SimulatedPiBootTests.sizes.filter { !missing.contains($0.key) }, into: boot, fill: .seeded(3))
            try TestBootTree.write(texts: [
                "config.txt": "enable_uart=1\n",
                "cmdline.txt": "console=serial0,115200 root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n",
            ], into: boot)
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
        let node33Row = listing.split(separator: "\n").first { $0.contains(" node33 ") }
        #expect(node33Row?.contains("Raspberry Pi (4)") == true && node33Row?.hasSuffix("Pi 4B 4GB rev 1.5") == true,
                "nodes list asks the daemon: \(listing)")
    }

    /// The Pi 5 (with a serial directory, so it keeps its prefix and asks for
    /// `<serial>//config.txt`), a CM5 (without one: it drops the prefix) and a CM4 boot to
    /// `up`. The tree has no kernel_2712.img: the Pi 5's probe for it misses and it falls
    /// back to kernel8.img, which is no failure of the node.
    @Test("a Pi 5, a CM5 and a CM4 boot at once to their DNS query, their boards named")
    func pi5FamilyAndCM4Boot() throws {
        let pis = [Self.pi5, Self.cm5, Self.cm4]
        let cluster = try Cluster(nodes: Self.newerNodes, pis: pis)
        let serialDirectory = cluster.boot.appendingPathComponent(Self.pi5.serial)
        try FileManager.default.createDirectory(at: serialDirectory, withIntermediateDirectories: true)
        try Data("enable_uart=1\ninitramfs initramfs8 followkernel\n".utf8).write(to: serialDirectory.appendingPathComponent("config.txt"))
        let results = try cluster.boot(pis)
        for pi in pis {
            let (status, lines) = try #require(results[pi.name])
            let result = try #require(lines.last, "\(pi.name) printed nothing")
            #expect(status == 0 && result["ok"] as? Bool == true, "\(pi.name): \(lines)")
            #expect(result["stage"] as? String == "up")
            let stages = lines.compactMap { $0["stage"] as? String }
            let expectedStages = pi.model == "cm4"
                ? ["rom-dhcp", "addressed", "firmware", "loader", "kernel", "kernel-dhcp", "up"]
                : ["rom-dhcp", "addressed", "firmware", "kernel", "kernel-dhcp", "up"]
            #expect(stages.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } } == expectedStages, "\(pi.name): \(stages)")
            let files = lines.filter { $0["step"] as? String == "tftp" && $0["result"] as? String == "ok" }.compactMap { $0["file"] as? String }
            let blocks = Set(lines.compactMap { $0["blksize"] as? Int })
            switch pi.model {
            case "5b":
                let serial = pi.serial
                #expect(files == ["\(serial)/config.txt", "\(serial)//config.txt", "\(serial)/bcm2712-rpi-5-b.dtb",
                                  "\(serial)/cmdline.txt", "\(serial)/kernel8.img", "\(serial)/initramfs8"], "\(files)")
                let missed = lines.filter { $0["result"] as? String == "not-found" }.compactMap { $0["file"] as? String }
                #expect(missed == ["\(serial)/pieeprom.sig", "\(serial)/overlay_map.dtb", "\(serial)/armstub8-2712.bin", "\(serial)/kernel_2712.img"])
                #expect(blocks == [1468], "the Pi 5 reads with blksize 1468")
            case "cm5":
                #expect(files == ["config.txt", "config.txt", "bcm2712-rpi-cm5-cm5io.dtb", "cmdline.txt", "kernel8.img"], "\(files)")
                let prefixProbe = lines.first { ($0["file"] as? String) == "\(pi.serial)/config.txt" }
                #expect(prefixProbe?["result"] as? String == "not-found", "no serial directory: the prefix is dropped")
                #expect(blocks == [1468])
            default:
                #expect(files == ["config.txt", "start4.elf", "fixup4.dat", "config.txt", "bcm2711-rpi-cm4.dtb", "cmdline.txt", "kernel7l.img"])
                #expect(blocks == [1024])
            }
        }
        let log = cluster.server.log
        #expect(log.contains("DHCPREQUEST from 2c:cf:67:50:00:29 node41 (Pi 5 bootloader, Pi 5B 8GB rev 1.0, serial 50000029) -> DHCPACK 10.42.0.41"), "\(log)")
        #expect(log.contains("DHCPREQUEST from d8:3a:dd:50:00:2d node45 (Pi 5 bootloader, CM5 8GB rev 1.0, serial 5000002d) -> DHCPACK 10.42.0.45"))
        #expect(log.contains("DHCPREQUEST from e4:5f:01:40:00:25 node37 (Pi 4 bootloader, CM4 4GB rev 1.0, serial 40000025) -> DHCPACK 10.42.0.37"))
        #expect(log.contains("TFTP sent 50000029//config.txt to 10.42.0.41 node41"), "\(log)")
        #expect(log.contains("TFTP sent 50000029/initramfs8 to 10.42.0.41 node41: 204800 bytes in 140 blocks of 1468"))
        #expect(!log.contains("failed"), "\(log)")
        let status = try cluster.status()
        for (id, model) in [(37, "CM4 4GB rev 1.0"), (41, "Pi 5B 8GB rev 1.0"), (45, "CM5 8GB rev 1.0")] {
            #expect(status[id]?["stage"] as? String == "up", "bramble status: \(status)")
            #expect(status[id]?["lastError"] is NSNull, "a routine probe miss is no error: \(status[id] ?? [:])")
            #expect(status[id]?["model"] as? String == model, "bramble status --json names the board: \(status[id] ?? [:])")
        }
        let listing = try cluster.server.bramble(["nodes", "list", "--config", cluster.server.configPath]).output
        for (name, model) in [("node37", "CM4 4GB rev 1.0"), ("node41", "Pi 5B 8GB rev 1.0"), ("node45", "CM5 8GB rev 1.0")] {
            #expect(listing.split(separator: "\n").contains { $0.contains(" \(name) ") && $0.contains(model) }, "\(listing)")
        }
        for (id, model) in [37: "CM4 4GB rev 1.0", 41: "Pi 5B 8GB rev 1.0", 45: "CM5 8GB rev 1.0"] {
            #expect(status[id]?["model"] as? String == model, "the board its option 97 named: \(status[id] ?? [:])")
        }
        let nodeLog = try cluster.server.bramble(["logs", "node41", "--config", cluster.server.configPath]).output
        #expect(nodeLog.contains("Pi 5B 8GB rev 1.0"), "the node's boot log names its board: \(nodeLog)")
        #expect(nodeLog.contains("up"), "\(nodeLog)")
    }

    /// An initramfs of more than 65,535 blocks of 1468 bytes (96 MB): the 16-bit block number
    /// wraps past 65535 to 0 (the Pi 5 EEPROM does since pieeprom-2025-09-23, rpi-eeprom#755:
    /// "Allow TFTP block counter to rollover to 0", the fix of #720),
    /// and every byte arrives, within the bootloader's 30 s TFTP_FILE_TIMEOUT.
    @Test("a Pi 5 reads an initramfs of more than 65,535 blocks: the block number wraps and every byte arrives")
    func pi5ReadsAFileBeyondTheBlockCounter() throws {
        let cluster = try Cluster(nodes: Self.newerNodes, pis: [Self.pi5])
        let serialDirectory = cluster.boot.appendingPathComponent(Self.pi5.serial)
        try FileManager.default.createDirectory(at: serialDirectory, withIntermediateDirectories: true)
        try Data("initramfs initramfs8 followkernel\n".utf8).write(to: serialDirectory.appendingPathComponent("config.txt"))
        let blocks = 65_600
        let initramfs = cluster.boot.appendingPathComponent("initramfs8").path
        let written = try NetworkLab.execute(["sh", "-c", "head -c \(blocks * 1468 - 100) /dev/urandom > \(initramfs)"], timeout: 60)
        #expect(written.status == 0, "\(written.output)")
        let results = try cluster.boot([Self.pi5])
        let (status, lines) = try #require(results[Self.pi5.name])
        #expect(status == 0 && lines.last?["ok"] as? Bool == true, "\(lines.suffix(3))")
        let read = try #require(lines.first { $0["file"] as? String == "\(Self.pi5.serial)/initramfs8" && $0["result"] as? String == "ok" })
        #expect(read["bytes"] as? Int == blocks * 1468 - 100, "compared byte for byte with the tree by the simulator")
        #expect(cluster.server.log.contains("TFTP sent \(Self.pi5.serial)/initramfs8 to 10.42.0.41 node41: \(blocks * 1468 - 100) bytes in \(blocks) blocks of 1468"),
                "\(cluster.server.log.suffix(2000))")
        let status41 = try cluster.status()[41]
        #expect(status41?["stage"] as? String == "up" && status41?["lastError"] is NSNull, "\(status41 ?? [:])")
    }

    /// The simulated EEPROM bootloader, like the real one, takes no OFFER without
    /// "Raspberry Pi Boot" in option 43: from a plain DHCP server (busybox udhcpd) a Pi 5
    /// gets offers it ignores until its DHCP_TIMEOUT, and says why.
    @Test("a Pi 5 ignores a plain DHCP server's offers, which carry no option 43")
    func pi5IgnoresOffersWithoutTheBootMenu() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        try lab.addHost(Self.pi5.name, mac: Self.pi5.mac)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bramble-udhcpd-\(getpid())-\(lab.prefix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("udhcpd.conf")
        try Data("""
            start 10.42.0.100
            end 10.42.0.150
            interface eth0
            lease_file \(directory.path)/leases
            pidfile \(directory.path)/udhcpd.pid
            option subnet 255.255.255.0

            """.utf8).write(to: config)
        let server = try lab.start(in: hub, ["busybox", "udhcpd", "-f", config.path], output: directory.appendingPathComponent("udhcpd.log").path)
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
        let result = try lab.run(in: "\(lab.prefix)-\(Self.pi5.name)",
                                 ["python3", script, "--model", "5b", "--serial", Self.pi5.serial, "--dhcp-timeout", "9", "--time-limit", "20"],
                                 timeout: 30)
        #expect(server.isRunning, "udhcpd kept running")
        let lines = result.output.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        let last = try #require(lines.last, "\(result.output)")
        #expect(result.status == 1 && last["ok"] as? Bool == false, "\(result.output)")
        #expect(last["failed"] as? String == "rom-dhcp")
        let reason = try #require(last["reason"] as? String)
        #expect(reason.hasPrefix("no DHCPOFFER with 'Raspberry Pi Boot' in option 43 within 9 s ("), "\(reason)")
        #expect(!reason.contains(", 0 offers without it ignored"), "udhcpd did offer: \(reason)")
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
