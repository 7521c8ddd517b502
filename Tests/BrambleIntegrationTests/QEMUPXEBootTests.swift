import BrambleLab
import Foundation
import Testing

/// A real PXE client end to end: QEMU with Debian's iPXE ROM network-boots from `bramble
/// serve` in namespaces the test creates. iPXE gets its node-map address and the iPXE boot
/// file by DHCP, fetches that script over TFTP, and the script fetches a second, per-node
/// script (rendered from a template, several TFTP blocks long) that ends the boot.
///
/// Under tcg a boot takes about 25 s, 15 of them iPXE waiting for an IPv6 router
/// advertisement (its `ifconf` runs DHCP and IPv6 autoconfiguration together) that nobody
/// in the lab sends.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct QEMUPXEBootTests {
    static let mac = "52:54:00:42:00:07"
    /// Node 8 is a neighbour: the address iPXE gets must come from its own MAC's line.
    static let nodes = """
        7   \(mac)  qemu07
        8   52:54:00:42:00:08
        """ + "\n"

    /// The first boot file: prints what DHCP gave iPXE, then chains the second over TFTP.
    /// (The console wraps at 80 columns: each marker line stays shorter.)
    static let firstScript = """
        #!ipxe
        echo BRAMBLE-FIRST ip=${net0/ip} name=${hostname}
        echo BRAMBLE-DHCP next-server=${next-server} filename=${filename}
        chain tftp://${next-server}/second.ipxe || echo BRAMBLE-CHAIN-FAILED
        """ + "\n"

    /// The second file, a template rendered for the node asking: its marker is on the last
    /// line, after about 30 KB of comments (21 blocks of 1432), so it prints only when every
    /// block arrived.
    static let secondTemplate: String = {
        let padding = (1...400).map { "# padding line \($0): the marker below prints only if the whole file arrived\n" }.joined()
        return "#!ipxe\n" + padding + "echo BRAMBLE-SECOND name={{name}} ip={{ip}} mac={{mac}} hub={{hub}}\n"
    }()

    @Test func qemuWithIPXEBootsFromTheNodeMapAndFetchesTwoFilesOverTFTP() throws {
        let prefix: String
        do {
            let lab = try NetworkLab()
            prefix = lab.prefix
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            let tap = try lab.addTap("tap0")
            let server = try ServerUnderTest(
                lab: lab, hub: hub, nodes: Self.nodes,
                config: "ipxe-boot-file = boot.ipxe\npxe-boot-file = 0:undionly.kpxe\n")
            let boot = server.file("pxe/boot")
            try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
            try Self.firstScript.write(to: boot.appendingPathComponent("boot.ipxe"), atomically: false, encoding: .utf8)
            try Self.secondTemplate.write(to: boot.appendingPathComponent("second.ipxe.tmpl"), atomically: false, encoding: .utf8)
            try server.start()

            let machine = QEMUMachine(lab: lab, tap: tap, mac: Self.mac, accelerator: .chosen)
            let result = try machine.boot(serial: server.file("serial.log"), output: server.file("qemu.log"))
            print("QEMU iPXE boot under \(machine.accelerator.rawValue): \(String(format: "%.1f", result.seconds)) s")
            let console = result.console
            let context = "console:\n\(console)\nqemu: \(try String(contentsOf: server.file("qemu.log"), encoding: .utf8))\nbramble:\n\(server.log)"

            #expect(result.exited, "QEMU should end by itself within \(machine.accelerator.timeLimit) s; \(context)")
            #expect(console.contains("iPXE initialising devices"), "the NIC's iPXE ROM ran; \(context)")
            #expect(console.contains("net0: 10.42.0.7/255.255.255.0"), "iPXE got node 7's address; \(context)")
            #expect(console.contains("Next server: 10.42.0.250"), "\(context)")
            #expect(console.contains("Filename: boot.ipxe"), "the ipxe-boot-file, not the PXE ROM's; \(context)")
            #expect(console.contains("BRAMBLE-FIRST ip=10.42.0.7 name=qemu07\n"), "\(context)")
            #expect(console.contains("BRAMBLE-DHCP next-server=10.42.0.250 filename=boot.ipxe\n"), "\(context)")
            #expect(console.contains("BRAMBLE-SECOND name=qemu07 ip=10.42.0.7 mac=\(Self.mac) hub=10.42.0.250"), "\(context)")
            #expect(!console.contains("BRAMBLE-CHAIN-FAILED"), "\(context)")

            let log = server.log
            #expect(log.contains("DHCPDISCOVER from \(Self.mac) qemu07 (iPXE) -> DHCPOFFER 10.42.0.7"), "bramble:\n\(log)")
            #expect(log.contains("DHCPREQUEST from \(Self.mac) qemu07 (iPXE) -> DHCPACK 10.42.0.7"), "bramble:\n\(log)")
            #expect(log.contains("TFTP sent boot.ipxe to 10.42.0.7"), "bramble:\n\(log)")
            #expect(log.contains("TFTP sending second.ipxe to 10.42.0.7 qemu07 from second.ipxe.tmpl (template)"), "bramble:\n\(log)")
            #expect(log.contains("TFTP sent second.ipxe to 10.42.0.7"), "bramble:\n\(log)")

            // The node's boot log: iPXE's DHCP as a boot ROM's (each line names the stage the
            // event led to), then the firmware stage with both files it read.
            let bootLog = try server.bramble(["logs", "qemu07", "--config", server.configPath])
            #expect(bootLog.status == 0, "\(bootLog.output)")
            for expected in [
                " +0.000s qemu07 addressed   DHCPDISCOVER (iPXE) -> OFFER 10.42.0.7", " qemu07 addressed   DHCPREQUEST (iPXE) -> ACK 10.42.0.7",
                " qemu07 firmware    TFTP boot.ipxe sent", " qemu07 firmware    TFTP second.ipxe sent",
            ] {
                #expect(bootLog.output.contains(expected), "no '\(expected)' in the boot log:\n\(bootLog.output)")
            }
        }
        #expect(try NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty)
    }
}
