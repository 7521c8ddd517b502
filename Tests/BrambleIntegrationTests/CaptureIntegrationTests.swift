import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// `bramble serve --capture` during a real DHCP, TFTP and DNS exchange (busybox udhcpc,
/// curl, dig, an upstream resolver of our own), in namespaces the test creates and removes:
/// tcpdump reads the file, and `bramble replay` finds no difference.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct CaptureIntegrationTests {
    static let nodes = "5   b8:27:eb:00:00:05  web05\n"

    @Test func aCaptureOfDHCPTFTPAndDNSOpensInTcpdumpAndReplaysClean() throws {
        let lab = try NetworkLab()
        defer { lab.tearDown() }
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let client = try lab.addHost("c1", mac: "b8:27:eb:00:00:05")
        let upstream = try lab.addHost("up", address: "10.42.0.240/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes, config: "upstream = 10.42.0.240\n")
        let boot = server.file("pxe/boot")
        try FileManager.default.createDirectory(at: boot, withIntermediateDirectories: true)
        let bootcode = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bootcode.write(to: boot.appendingPathComponent("bootcode.bin"))
        try lab.startTinyDNS(in: upstream, address: "10.42.0.240", log: server.file("tiny-dns.log").path)
        let capture = server.file("capture.pcap").path
        try server.start(arguments: ["--no-drop-privileges", "--capture", capture])

        let dhcp = try lab.udhcpc(in: client, directory: server.directory)
        #expect(dhcp.status == 0, "\(dhcp.output)")
        try lab.run(in: client, ["ip", "addr", "add", "10.42.0.5/24", "dev", "eth0"])
        let fetched = server.file("fetched.bin")
        let tftp = try lab.run(in: client, ["timeout", "-s", "KILL", "20", "curl", "-sS", "--tftp-blksize", "1024", "-o", fetched.path, "tftp://10.42.0.250/bootcode.bin"], timeout: 25)
        #expect(try Data(contentsOf: fetched) == bootcode, "\(tftp.output)")
        let local = try lab.run(in: client, ["dig", "@10.42.0.250", "web05.cluster", "+tries=1", "+time=3", "+short"], timeout: 10)
        #expect(local.output.contains("10.42.0.5"), "\(local.output)")
        let forwarded = try lab.run(in: client, ["dig", "@10.42.0.250", "www.example.test", "+tries=1", "+time=3", "+short"], timeout: 10)
        #expect(forwarded.output.contains("192.0.2.7"), "\(forwarded.output)")
        server.stop()

        let dump = try NetworkLab.execute(["tcpdump", "-nr", capture], timeout: 20)
        #expect(dump.status == 0, "\(dump.output)")
        for expected in ["BOOTP/DHCP, Request from b8:27:eb:00:00:05", "BOOTP/DHCP, Reply", "RRQ \"bootcode.bin\"",
                         "A? web05.cluster.", "10.42.0.250.53 > 10.42.0.5", "> 10.42.0.240.53:", "10.42.0.240.53 > 10.42.0.250"] {
            #expect(dump.output.contains(expected), "tcpdump -r shows no \(expected):\n\(dump.output)")
        }
        let replay = try server.bramble(["replay", "--config", server.configPath, capture])
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("no differences"), "\(replay.output)")
        #expect(replay.output.contains("DHCP") && replay.output.contains("TFTP") && replay.output.contains("DNS"), "\(replay.output)")
    }
}
