import BrambleBoot
import BrambleControl
import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// The boot log end to end: Pi-like clients in namespaces go through the ROM's DHCP, the
/// firmware's TFTP reads, the kernel's DHCP and a DNS query, and `bramble status --json` and
/// `bramble logs` (the CLI, over the control socket) follow each step.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct BootLogIntegrationTests {
    static let nodes = """
        12  2c:cf:67:7c:d4:67
        37  b8:27:eb:9d:c1:5a
        40  b8:27:eb:00:00:40
        """ + "\n"

    struct Setup {
        let lab: NetworkLab
        let server: ServerUnderTest

        init() throws {
            lab = try NetworkLab()
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: BootLogIntegrationTests.nodes)
            let boot = server.file("pxe/boot")
            try TestBootTree.write(["bootcode.bin": 52_480, "start.elf": 300_000, "fixup.dat": 7_000, "config.txt": 40, "kernel7.img": 600_000],
                                   into: boot, fill: .repeating(0x5a))
            // A log an earlier run as root left: the daemon, dropping to nobody, goes on with it.
            try FileManager.default.createDirectory(at: server.file("state/logs"), withIntermediateDirectories: true)
            try "an earlier run's line\n".write(to: server.file("state/logs/node37.log"), atomically: false, encoding: .utf8)
            // As bramble serve would be started for real: it drops to nobody after binding.
            try server.start()
        }

        func status() throws -> StatusReport {
            let result = try server.bramble(["status", "--json", "--config", server.configPath])
            try #require(result.status == 0, "\(result.output)")
            return try ControlLine.decode(StatusReport.self, from: Array(result.output.utf8).prefix { $0 != UInt8(ascii: "\n") })
        }

        /// The node's row once it reaches `stage` (events are recorded as the server answers,
        /// so this is immediate; the wait only covers a slow machine).
        func node(_ id: Int, reaching stage: String, timeout: Double = 5) throws -> NodeStatus {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let row = try #require(try status().nodes.first { $0.id == id })
                if row.stage.description == stage || Date() > deadline { return row }
                usleep(50_000)
            }
        }

        func sendFrame(_ name: String, from host: String) throws {
            let frame = ServerUnderTest.repository.appendingPathComponent("Fixtures/frames/\(name).hex").path
            let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/rawframe.py").path
            let result = try lab.run(in: host, ["python3", script, "eth0", frame, "5"], timeout: 10)
            try #require(result.status == 0, "\(result.output)")
        }

        func fetch(_ name: String, from host: String) throws -> NetworkLab.CommandResult {
            try lab.run(in: host, ["timeout", "-s", "KILL", "20", "atftp", "--option", "tsize 0", "--get", "-r", name, "-l", "/dev/null", "10.42.0.250"], timeout: 25)
        }
    }

    @Test func aPi3BootIsFollowedStageByStageInStatusAndLogs() throws {
        let setup = try Setup()
        let pi = try setup.lab.addHost("pi", mac: "b8:27:eb:9d:c1:5a")
        #expect(try setup.node(37, reaching: "waiting").stageSince == nil)

        try setup.sendFrame("pi3b-rom-discover", from: pi)
        let addressed = try setup.node(37, reaching: "addressed")
        #expect(addressed.stage == .addressed && addressed.bootStarted != nil && addressed.lastError == nil)
        #expect(addressed.ip == "10.42.0.37" && addressed.mac == "b8:27:eb:9d:c1:5a" && addressed.name == "node37")

        // The ROM has no IP stack of its own to configure: the address it was offered.
        try setup.lab.run(in: pi, ["ip", "addr", "add", "10.42.0.37/24", "dev", "eth0"])
        let follower = Process()
        follower.executableURL = ServerUnderTest.executable
        follower.arguments = ["logs", "--follow", "37", "--config", setup.server.configPath]
        let followed = Pipe()
        follower.standardOutput = followed
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }

        #expect(try setup.fetch("bootcode.bin", from: pi).status == 0)
        #expect(try setup.node(37, reaching: "firmware").stage == .firmware)
        let missing = try setup.lab.run(in: pi, ["timeout", "10", "atftp", "--get", "-r", "bootsig.bin", "-l", "/dev/null", "10.42.0.250"], timeout: 15)
        #expect(missing.status != 0, "bootsig.bin is missing, as on a real hub")
        for file in ["start.elf", "fixup.dat", "config.txt"] { #expect(try setup.fetch(file, from: pi).status == 0) }
        #expect(try setup.node(37, reaching: "loader").stage == .loader)
        #expect(try setup.fetch("kernel7.img", from: pi).status == 0)
        #expect(try setup.node(37, reaching: "kernel").stage == .kernel)

        let kernelDHCP = try setup.lab.udhcpc(in: pi, directory: setup.server.directory)
        #expect(kernelDHCP.status == 0, "\(kernelDHCP.output)")
        #expect(try setup.node(37, reaching: "kernel-dhcp").stage == .kernelDHCP)

        let dig = try setup.lab.run(in: pi, ["dig", "@10.42.0.250", "node12.cluster", "+tries=1", "+time=4", "+short"], timeout: 10)
        #expect(dig.output.contains("10.42.0.12"), "\(dig.output)")
        let up = try setup.node(37, reaching: "up")
        #expect(up.stage == .up && up.lastError == nil && up.reboots == 0)
        let bootMilliseconds = try #require(up.bootMilliseconds)
        #expect(bootMilliseconds > 0 && bootMilliseconds == up.stageSince! - up.bootStarted!)

        let status = try setup.status()
        #expect(status.summary == ["waiting": 2, "rom-dhcp": 0, "addressed": 0, "firmware": 0, "loader": 0, "kernel": 0, "kernel-dhcp": 0, "up": 1])

        let logs = try setup.server.bramble(["logs", "node37", "--config", setup.server.configPath])
        #expect(logs.status == 0, "\(logs.output)")
        let lines = logs.output.split(separator: "\n").map(String.init)
        for expected in [
            " node37 addressed   DHCPDISCOVER (Pi 3B ROM) -> OFFER 10.42.0.37", " node37 firmware    TFTP bootcode.bin sent: 52480 bytes",
            " node37 firmware    TFTP bootsig.bin not found (tried nodes/node37/bootsig.bin, bootsig.bin), as expected",
            " node37 loader      TFTP start.elf sent: 300000 bytes", " node37 kernel      TFTP kernel7.img sent: 600000 bytes",
            " node37 kernel-dhcp DHCPDISCOVER (DHCP client) -> OFFER 10.42.0.37", " node37 up          first DNS query: the OS is up",
        ] {
            #expect(lines.contains { $0.contains(expected) }, "no line with '\(expected)' in:\n\(logs.output)")
        }
        #expect(lines.first?.contains(" +0.000s node37 ") == true, "times count from the ROM's DISCOVER: \(lines.first ?? "")")
        let file = try String(contentsOf: setup.server.file("state/logs/node37.log"), encoding: .utf8)
        #expect(file == "an earlier run's line\n" + logs.output, "the log file holds the same lines, after the earlier run's")
        var owner = stat()
        #expect(stat(setup.server.file("state/logs/node37.log").path, &owner) == 0 && owner.st_uid != 0, "written after the privilege drop")
        var socket = stat()
        #expect(stat(setup.server.file("state/control.sock").path, &socket) == 0 && socket.st_mode & 0o777 == 0o660)

        kill(follower.processIdentifier, SIGINT)
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0, "Ctrl-C ends --follow cleanly")
        let streamed = String(decoding: followed.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(streamed.contains("DHCPDISCOVER (Pi 3B ROM)"), "the history first:\n\(streamed)")
        #expect(streamed.contains("first DNS query: the OS is up"), "then the events as they happened:\n\(streamed)")
        #expect(streamed.components(separatedBy: "TFTP kernel7.img sent").count == 2, "each event once:\n\(streamed)")
    }

    @Test func aNodeStuckAfterDHCPShowsAddressedWithTheReasonAndUnknownNodesAreNamed() throws {
        let setup = try Setup()
        let pi4 = try setup.lab.addHost("pi4", mac: "2c:cf:67:7c:d4:67")
        for _ in 0..<4 { try setup.sendFrame("pi4-bootloader-discover", from: pi4) }
        let stuck = try setup.node(12, reaching: "addressed")
        #expect(stuck.stage == .addressed)
        #expect(stuck.lastError == "the firmware keeps asking: 3 offers not taken (no TFTP read followed)", "\(stuck)")
        #expect(try setup.status().nodes.first { $0.id == 40 }?.stage == .waiting)

        let watcher = Process()
        watcher.executableURL = ServerUnderTest.executable
        watcher.arguments = ["status", "--watch", "--interval", "0.2", "--config", setup.server.configPath]
        let screen = Pipe()
        watcher.standardOutput = screen
        try watcher.run()
        usleep(1_000_000)
        kill(watcher.processIdentifier, SIGINT)
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0, "Ctrl-C ends --watch cleanly")
        let drawn = String(decoding: screen.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let frames = drawn.components(separatedBy: "\u{1B}[H\u{1B}[J").dropFirst()
        #expect((3...6).contains(frames.count), "redrawn in place about every 0.2 s: \(frames.count) frames")
        #expect(frames.allSatisfy { $0.contains("12  node12  10.42.0.12  Pi 4B 4GB rev 1.5  addressed") && $0.contains("3 nodes: 1 addressed, 2 waiting; 1 with an error") }, "\(drawn)")
        #expect(drawn.hasPrefix("\u{1B}[?25l") && drawn.hasSuffix("\u{1B}[?25h"), "the cursor is hidden while drawing and shown again")

        // Any client speaks the protocol: one JSON line each way.
        let reload = try NetworkLab.execute([
            "python3", "-c",
            "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{\"command\":\"reload\"}\\n'); print(s.makefile().readline().strip())",
            setup.server.file("state/control.sock").path,
        ], timeout: 10)
        #expect(reload.output.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"message":"reloaded: 3 of 3 nodes enrolled"}"#, "\(reload.output)")

        let unknown = try setup.server.bramble(["logs", "61", "--config", setup.server.configPath])
        #expect(unknown.status == 1 && unknown.output.contains("no node 61 in "), "\(unknown.output)")
        let log = try setup.server.bramble(["logs", "2c:cf:67:7c:d4:67", "--config", setup.server.configPath])
        #expect(log.output.contains("FAILED DHCPDISCOVER (Pi 4 bootloader") || log.output.contains(" FAILED "), "\(log.output)")
    }

    @Test func statusWithoutADaemonNamesTheSocketAndFails() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bramble-nodaemon-\(getpid())")
        let result = try NetworkLab.execute([ServerUnderTest.executable.path, "status", "--state-dir", directory.path], timeout: 10)
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("no bramble daemon answers on \(directory.path)/control.sock: "), "\(result.output)")
        #expect(result.output.split(separator: "\n").count == 1)
    }
}
