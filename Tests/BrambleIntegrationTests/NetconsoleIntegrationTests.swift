import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// The netconsole sink of a live `bramble serve` (`netconsole-port`): the Pi bootloader's
/// UDP log into the sending node's boot log, and what a hostile sender on the cluster
/// network, or routed in from outside it, can and cannot do with the port.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct NetconsoleIntegrationTests {
    static let port = "6666"

    struct Pi {
        let name: String
        let model: String
        let mac: String
        let serial: String
        let id: Int
        /// To 255.255.255.255, the bootloader's default destination, rather than to the hub.
        let broadcast: Bool
    }

    static let pis = [
        Pi(name: "pi4", model: "4", mac: "dc:a6:32:30:00:21", serial: "30000021", id: 33, broadcast: false),
        Pi(name: "pi5", model: "5b", mac: "2c:cf:67:50:00:29", serial: "50000029", id: 41, broadcast: true),
    ]

    static let bootFiles: [String: Int] = [
        "start4.elf": 96 * 1024, "fixup4.dat": 5 * 1024, "bcm2711-rpi-4-b.dtb": 25 * 1024, "kernel7l.img": 160 * 1024,
        "bcm2712-rpi-5-b.dtb": 30 * 1024, "kernel8.img": 200 * 1024,
    ]

    /// A simulated Pi 4 and Pi 5 (scripts/lib/fakepi.py --netconsole) boot from `bramble
    /// serve` with `netconsole-port` set, the Pi 4 sending its bootloader lines to the hub,
    /// the Pi 5 to the broadcast address (the bootloader's default destination). Every line is in its own node's boot log file and `bramble logs`,
    /// after `bootloader: `, in the order sent, and in no other node's; the boots are
    /// unaffected.
    @Test func bootloaderLinesLandInTheirNodesBootLogs() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        for pi in Self.pis { try lab.addHost(pi.name, mac: pi.mac) }
        let nodes = Self.pis.map { "\($0.id) \($0.mac)\n" }.joined()
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: nodes, config: "netconsole-port = \(Self.port)\n")
        let boot = server.file("pxe/boot")
        try TestBootTree.write(Self.bootFiles, into: boot, fill: .seeded(5))
        try TestBootTree.write(texts: ["config.txt": "enable_uart=1\n", "cmdline.txt": "console=serial0,115200 root=/dev/nfs ip=dhcp rootwait\n"], into: boot)
        try server.start()
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
        let running = try Self.pis.map { pi in
            let command = ["python3", script, "--model", pi.model, "--serial", pi.serial, "--tree", boot.path, "--time-limit", "40",
                           "--netconsole", Self.port] + (pi.broadcast ? ["--netconsole-broadcast"] : [])
            let output = server.file("\(pi.name).jsonl")
            return (pi, HostileLab.Background(process: try lab.start(in: "\(lab.prefix)-\(pi.name)", command, output: output.path), output: output))
        }
        for (pi, background) in running {
            let result = background.finish(within: 45)
            #expect(result?["ok"] as? Bool == true, "\(pi.name) did not boot: \(background.text.suffix(1500))")
            let sent = background.lines.first { $0["step"] as? String == "netconsole" }
            #expect(sent?["to"] as? String == (pi.broadcast ? "255.255.255.255" : "10.42.0.250"), "\(background.text)")
        }
        let expected = [
            "bootloader: 0.07 RPi: BOOTLOADER release VERSION:fakepi DATE: 2026/12/01 TIME: 00:00:00",
            "bootloader: 0.11 BOOTMODE: 0x06 partition 0 serial ",
            "bootloader: 2.52 Boot mode: NETWORK (02) order f21",
            "bootloader: 5.38 NET 10.42.0.",
        ]
        for pi in Self.pis {
            let name = "node\(pi.id)"
            let log = try String(contentsOf: server.file("state/logs/\(name).log"), encoding: .utf8)
            let lines = log.split(separator: "\n").filter { $0.contains(" bootloader: ") }
            #expect(lines.count == expected.count, "\(name): \(log)")
            for (line, text) in zip(lines, expected) { #expect(line.contains(" \(name) ") && line.contains(" \(text)"), "\(line)") }
            #expect(lines.last?.hasSuffix("NET 10.42.0.\(pi.id) 255.255.255.0 gw 0.0.0.0 tftp 10.42.0.250") == true)
            #expect(lines.dropFirst().first?.hasSuffix("serial \(pi.serial)") == true, "each node's own lines")
            let shown = try server.bramble(["logs", name, "--config", server.configPath]).output
            #expect(shown.contains(" bootloader: 2.52 Boot mode: NETWORK (02) order f21\n"), "\(shown)")
            #expect(shown.contains("first DNS query: the OS is up"), "\(shown)")
        }
        let status = try server.bramble(["status", "--json", "--config", server.configPath]).output
        #expect(status.contains(#""model":"Pi 4B 4GB rev 1.5""#) && status.contains(#""model":"Pi 5B 8GB rev 1.0""#), "\(status)")
        #expect(!server.log.contains("which is no node's address"), "\(server.log)")
    }

    /// While the Pi 4 boots, node 66 (the attacker's own address) sends a few good lines,
    /// then oversized datagrams, binary junk and a flood of 10,000 lines; an address of the
    /// subnet that is no node's and an outsider send lines too. The good lines are in node
    /// 66's boot log and `bramble logs 66`, marked as the bootloader's; the flood is cut to
    /// the per-source budget and the log says how much was dropped; nothing of the junk,
    /// the oversized datagrams or the unknown senders is stored anywhere, and the daemon's
    /// notices about them are rate-limited. The Pi boots in its normal time and the daemon
    /// still answers DHCP, TFTP and DNS.
    @Test func hostileSendersAreCountedNotStoredAndTheBootGoesOn() throws {
        let setup = try HostileLab(config: "netconsole-port = \(Self.port)\n")
        #expect(setup.server.log.contains("netconsole: the Pi bootloader's log on UDP port \(Self.port) of eth0, each line into its node's boot log; enable it in a Pi's EEPROM config (rpi-eeprom-config --edit) with a line like NETCONSOLE=@10.42.0.33/,@10.42.0.250/ (node 33)"), "\(setup.server.log)")
        let stranger = "10.42.0.99"
        try setup.lab.run(in: setup.attacker, ["ip", "addr", "add", "\(stranger)/24", "dev", "eth0"])
        let piBoot = try setup.startPiBoot()
        func send(_ attack: String, count: Int, source: String = "10.42.0.66", from host: String? = nil) throws -> [String: Any] {
            try setup.hostile(["netconsole", HostileLab.hub, Self.port, attack, "--source", source, "--count", String(count)], from: host ?? setup.attacker)
        }
        #expect(try send("lines", count: 5)["sent"] as? Int == 5)
        _ = try send("lines", count: 500, source: stranger)
        _ = try send("lines", count: 50, source: "192.0.2.66", from: setup.outsider)
        _ = try send("oversize", count: 20)
        _ = try send("binary", count: 20)
        let flood = try send("flood", count: 1000)
        let floodSeconds = try #require(flood["seconds"] as? Double)
        usleep(1_200_000)
        _ = try send("lines", count: 1)
        setup.expectBooted(piBoot)
        try setup.expectAnswering(after: "the netconsole attacks")

        let logs = setup.server.file("state/logs")
        let log = try String(contentsOf: logs.appendingPathComponent("node66.log"), encoding: .utf8)
        for index in 0..<5 { #expect(log.contains("bootloader: 0.0\(index) netconsole line \(index) from 10.42.0.66\n"), "\(log.prefix(2000))") }
        let flooded = log.split(separator: "\n").filter { $0.contains("bootloader: 9.99 flood ") }.count
        #expect(flooded >= 400 && Double(flooded) <= 400 + 100 * (floodSeconds + 3), "\(flooded) of 10,000 flood lines recorded in \(floodSeconds) s")
        #expect(log.contains("bootloader log: ") && log.contains("lines dropped here, sent faster than bramble records them"))
        #expect(!log.contains("oversize"), "an oversized datagram is refused whole")
        #expect(log.split(separator: "\n").allSatisfy { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f } }, "binary junk left control characters")
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path)
        #expect(!files.contains("node99.log"))
        for file in files {
            let text = try String(contentsOf: logs.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains(stranger) && !text.contains("192.0.2.66"), "an unknown sender's lines in \(file)")
        }
        let serveLog = setup.server.log
        let unknown = serveLog.split(separator: "\n").filter { $0.contains("which is no node's address") }
        #expect(unknown.contains { $0.contains("from \(stranger):6665") } && unknown.contains { $0.contains("from 192.0.2.66:6665") })
        #expect(unknown.count <= 160, "\(unknown.count) notices for 550 datagrams from unknown senders: not rate-limited")
        #expect(serveLog.contains("longer than the 1472 bytes a netconsole datagram holds"))
        #expect(serveLog.contains("not log text"))
        let shown = try setup.server.bramble(["logs", "66", "--config", setup.server.configPath])
        #expect(shown.output.contains("bootloader: 0.00 netconsole line 0 from 10.42.0.66"), "\(shown.output.suffix(3000))")
        #expect(shown.output.contains("DHCPDISCOVER"), "the node's events are still in `bramble logs` after the flood")
        // The kernel drops what the socket's buffer cannot hold during the flood, so the
        // counts are of what arrived: every line recorded is in the log file, nothing more.
        setup.server.stop()
        let summary = try #require(setup.server.log.split(separator: "\n").first { $0.contains("netconsole: ") && $0.contains(" lines recorded from ") })
        let numbers = summary.split(separator: ":").last.map { $0.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } } ?? []
        try #require(numbers.count == 5, "\(summary)")
        let recorded = log.split(separator: "\n").filter { $0.contains(" bootloader: ") }.count
        #expect(numbers[0] == recorded, "\(summary): \(recorded) lines in the log")
        // Node 66's datagrams that arrived whole: 6 of single lines, the rest of the flood's 10.
        let floodDatagrams = numbers[1] - numbers[3] - numbers[4] - 6
        #expect(numbers[2] == floodDatagrams * 10 - flooded, "\(summary): \(flooded) flood lines in the log")
        #expect((1...550).contains(numbers[3]) && (1...40).contains(numbers[4]), "\(summary)")
    }
}
