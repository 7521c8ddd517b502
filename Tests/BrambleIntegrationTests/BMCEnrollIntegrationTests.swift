import BrambleBoot
import BrambleControl
import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// `bramble enroll --power bmc` against `bramble serve` in namespaces, the BMC simulated on a
/// pseudo-terminal (scripts/lib/fake-bmc.py): each power-on through the BMC starts that bay's
/// simulated Pi 4 (scripts/lib/fakepi.py) in its own namespace, so the node map fills in bay
/// order from what the BMC switched on, and the bays then boot to `up`.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct BMCEnrollIntegrationTests {
    static let bays = 1...8
    static func mac(_ id: Int) -> String { "dc:a6:32:00:40:" + String(format: "%02x", id) }

    /// A Pi 4 boot set, small files: enough for the simulated bootloader's reads.
    static let files: [String: Int] = [
        "start4.elf": 60 * 1024, "fixup4.dat": 5 * 1024, "bcm2711-rpi-4-b.dtb": 25 * 1024, "kernel7l.img": 120 * 1024,
    ]

    /// The simulated BMC, started on a pty in `directory`; killed (it may run with signals
    /// blocked by its parent) when the test ends.
    final class SimulatedBMC {
        let link: String
        let log: URL
        private let process = Process()

        init(directory: URL, onPowerOn: String) throws {
            link = directory.appendingPathComponent("serial0").path
            log = directory.appendingPathComponent("bmc-commands.log")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                ServerUnderTest.repository.appendingPathComponent("scripts/lib/fake-bmc.py").path, "--link", link, "--nodes", "0-8",
                "--log", log.path, "--on-power-on", onPowerOn,
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            _ = output.fileHandleForReading.availableData
        }

        var commands: [String] { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Eight bays in namespaces, `bramble serve` on the hub with a Pi 4 boot tree, and the
    /// simulated BMC whose power-on of bay N boots bay N's simulated Pi 4.
    struct Rack {
        let lab: NetworkLab
        let server: ServerUnderTest
        let bmc: SimulatedBMC
        let link: String

        init(nodes: String) throws {
            lab = try NetworkLab()
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            for id in BMCEnrollIntegrationTests.bays { try lab.addHost("b\(id)", mac: BMCEnrollIntegrationTests.mac(id)) }
            let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bramble-it-\(lab.prefix)")
            link = directory.appendingPathComponent("serial0").path
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: nodes, config: "bmc-device = \(link)\n")
            let boot = server.file("pxe/boot")
            try TestBootTree.write(BMCEnrollIntegrationTests.files, into: boot, fill: .repeating(0x5a))
            try TestBootTree.write(texts: [
                "config.txt": "enable_uart=1\n", "cmdline.txt": "root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n",
            ], into: boot)
            try server.start()

            // What powering bay N on does: its Pi 4 boots in its own namespace.
            let power = server.file("bay-powered.sh")
            try """
                #!/bin/sh
                exec ip netns exec \(lab.prefix)-b$1 python3 \(ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path) \\
                  --model 4 --serial 400000$(printf %02x "$1") --tree \(boot.path) --time-limit 60 > \(server.directory.path)/bay$1.jsonl 2>&1

                """.write(to: power, atomically: false, encoding: .utf8)
            chmod(power.path, 0o755)
            bmc = try SimulatedBMC(directory: server.directory, onPowerOn: "\(power.path) {id}")
        }

        /// Waits until every bay is `up`; returns the stages last seen.
        func stagesOnceUp(within seconds: Double) throws -> [Int: String] {
            var stages: [Int: String] = [:]
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let status = try server.bramble(["status", "--json", "--config", server.configPath])
                let report = try ControlLine.decode(StatusReport.self, from: Array(status.output.utf8).prefix { $0 != UInt8(ascii: "\n") })
                stages = Dictionary(uniqueKeysWithValues: report.nodes.map { ($0.id, $0.stage.description) })
                if BMCEnrollIntegrationTests.bays.allSatisfy({ stages[$0] == "up" }) { break }
                usleep(250_000)
            }
            return stages
        }
    }

    @Test func eightBaysPoweredThroughTheBMCFillTheNodeMapAndBoot() throws {
        let sheet = "# Edge Rack blade: MACs unknown until enrolled; BMC IDs are the bays'\n"
            + Self.bays.map { "\($0) dc:a6:32:XX:XX:XX" }.joined(separator: "\n") + "\n"
        let rack = try Rack(nodes: sheet)
        let (server, bmc, link) = (rack.server, rack.bmc, rack.link)

        let result = try NetworkLab.execute([
            ServerUnderTest.executable.path, "enroll", "--config", server.configPath, "--ids", "1-8", "--power", "bmc",
            "--timeout", "10", "--settle", "0.3",
        ], timeout: 150)
        #expect(result.status == 0, "\(result.output)\n\(server.log.suffix(3000))")
        #expect(result.output.contains("node 1 (node01): powering on: bmc [01]| / on \(link)"), "\(result.output)")
        #expect(result.output.contains("node 8 (node08): \(Self.mac(8)) after "), "\(result.output)")
        #expect(result.output.contains("enrolled 8 nodes into \(server.file("nodes").path)"))
        #expect(bmc.commands.filter { $0.hasPrefix("on ") } == Self.bays.map { String(format: "on %02x", $0) }, "one bay at a time, in order: \(bmc.commands)")
        #expect(bmc.commands.last == "master")

        let written = try String(contentsOf: server.file("nodes"), encoding: .utf8)
        for id in Self.bays {
            #expect(written.contains("\n\(id) \(Self.mac(id))"), "node \(id) in:\n\(written)")
        }

        // The enrolled bays boot on (their bootloaders retry their DHCP) to `up`.
        let stages = try rack.stagesOnceUp(within: 60)
        #expect(Self.bays.allSatisfy { stages[$0] == "up" }, "stages: \(stages)\n\(server.log.suffix(3000))")

        // The BMC reports each bay on, with its own readings.
        let readings = try server.bramble(["bmc", "status", "--json", "--config", server.configPath, "1-8"])
        #expect(readings.status == 0, "\(readings.output)")
        let object = try JSONSerialization.jsonObject(with: Data(readings.output.utf8)) as? [String: Any]
        let nodes = try #require(object?["nodes"] as? [[String: Any]], "\(readings.output)")
        for (index, id) in Self.bays.enumerated() {
            let status = nodes[index]["status"] as? [String: Any]
            #expect(status?["power"] as? String == "on")
            #expect(status?["currentRaw"] as? Int == 0x18 + id % 8)
            #expect(status?["fanRaw"] as? Int == 0x60 + id)
        }
    }

    /// The issue's "must show": after `enroll --power bmc`, `bramble web` polling the BMC shows
    /// every bay up with the BMC's current and fan for it, on the dashboard and in /metrics.
    @Test func theDashboardShowsEachEnrolledBaysCurrentAndFan() throws {
        let sheet = Self.bays.map { "\($0) dc:a6:32:XX:XX:XX" }.joined(separator: "\n") + "\n"
        let rack = try Rack(nodes: sheet)
        let server = rack.server
        let enrolled = try NetworkLab.execute([
            ServerUnderTest.executable.path, "enroll", "--config", server.configPath, "--ids", "1-8", "--power", "bmc", "--timeout", "10", "--settle", "0.3",
        ], timeout: 150)
        try #require(enrolled.status == 0, "\(enrolled.output)")
        let web = ServerUnderTest.executable.deletingLastPathComponent().appendingPathComponent("bramble-web").path
        let hub = "\(rack.lab.prefix)-hub"
        _ = try rack.lab.start(in: hub, [web, "serve", "--config", server.configPath, "--listen", "hub:9420", "--bmc-poll", "1"], output: server.file("web.log").path)

        var bays: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let answer = try? rack.lab.run(in: hub, ["curl", "-s", "--max-time", "2", "http://10.42.0.250:9420/api/dashboard"], timeout: 5)
            let model = answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.output.utf8)) as? [String: Any] }
            bays = model?["bays"] as? [[String: Any]] ?? []
            let done = bays.count == 8 && bays.allSatisfy { bay in
                bay["stage"] as? String == "up" && (bay["readings"] as? [[String: Any]])?.count == 2
            }
            if done { break }
            usleep(500_000)
        }
        let webLog = (try? String(contentsOf: server.file("web.log"), encoding: .utf8)) ?? ""
        #expect(bays.count == 8, "\(bays)\n\(webLog)")
        for bay in bays {
            let id = bay["id"] as? Int ?? 0
            #expect(bay["stage"] as? String == "up", "\(bay)")
            let readings = (bay["readings"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "") \($0["value"] ?? "") \($0["unit"] ?? "")" }
            #expect(readings == ["current \(0x18 + id % 8) raw", "fan \(0x60 + id) raw"], "bay \(id): \(bay)")
        }
        #expect(webLog.contains("the BMC on \(rack.link) every 1 s"), "\(webLog)")

        // The same readings in what Prometheus scrapes.
        let metrics = try rack.lab.run(in: hub, ["curl", "-s", "--max-time", "5", "http://10.42.0.250:9420/metrics"], timeout: 10).output
        for id in Self.bays {
            let labels = "{id=\"\(id)\",node=\"node0\(id)\",bmc=\"0\(id)\"}"
            #expect(metrics.contains("bramble_bmc_current_raw\(labels) \(0x18 + id % 8)\n"), "\(metrics)")
            #expect(metrics.contains("bramble_bmc_fan_raw\(labels) \(0x60 + id)\n"))
        }
    }

    @Test func powerOnThroughTheBMCKeepsAtMostFourBooting() throws {
        let rack = try Rack(nodes: Self.bays.map { "\($0) \(Self.mac($0))" }.joined(separator: "\n") + "\n")
        let result = try NetworkLab.execute([
            ServerUnderTest.executable.path, "power-on", "--config", rack.server.configPath, "--ids", "1-8", "--power", "bmc",
            "--max-booting", "4", "--timeout", "60",
        ], timeout: 120)
        #expect(result.status == 0, "\(result.output)\n\(rack.server.log.suffix(3000))")
        #expect(result.output.contains("[1/8 powered, 0 up] node 1: powered on\n"), "\(result.output)")
        #expect(result.output.contains("8 nodes: 8 up"), "\(result.output)")
        let peak = result.output.split(separator: "\n").first { $0.hasPrefix("at most ") && $0.hasSuffix("booting at once (limit 4)") }
            .flatMap { Int($0.split(separator: " ")[2]) }
        #expect(peak.map { (1...4).contains($0) } == true, "\(result.output)")
        #expect(rack.bmc.commands.filter { $0.hasPrefix("on ") } == Self.bays.map { String(format: "on %02x", $0) })
    }
}
