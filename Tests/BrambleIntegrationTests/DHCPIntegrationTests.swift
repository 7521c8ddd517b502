import BrambleDHCP
import BrambleLab
import BrambleTestSupport
import BrambleWire
import Foundation
import Testing

/// `bramble serve` against real DHCP clients, in namespaces the tests create and remove.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct DHCPIntegrationTests {
    static let nodes = """
        # test cluster
        5   b8:27:eb:00:00:05  web05
        6   b8:27:eb:00:00:06
        7   b8:27:eb:00:00:07  disabled
        37  b8:27:eb:9d:c1:5a
        """ + "\n"

    /// busybox udhcpc: the lease's variables as `key=value` lines, or the failure output.
    func udhcpc(_ lab: NetworkLab, in host: String, server: ServerUnderTest, extra: [String] = []) throws -> [String: String] {
        let run = try lab.udhcpc(in: host, directory: server.directory, extra: extra)
        return run.bound ? run.lease : ["failed": run.output]
    }

    @Test func udhcpcAndDhclientGetTheirNodeAddressNameRouterAndDNS() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let busybox = try lab.addHost("c1", mac: "b8:27:eb:00:00:05")
        let isc = try lab.addHost("c2", mac: "b8:27:eb:00:00:06")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try server.start()

        let lease = try udhcpc(lab, in: busybox, server: server)
        #expect(lease["ip"] == "10.42.0.5", "\(lease)")
        #expect(lease["hostname"] == "web05" && lease["domain"] == "cluster")
        #expect(lease["router"] == "10.42.0.250" && lease["dns"] == "10.42.0.250" && lease["serverid"] == "10.42.0.250")
        #expect(lease["subnet"] == "255.255.255.0" && lease["lease"] == "43200")

        let script = server.file("dhclient.sh")
        // Written aside and renamed: the test polls for the file, and must never read it half-written.
        try "#!/bin/sh\n[ \"$reason\" = BOUND ] && env > \(script.path).tmp && mv \(script.path).tmp \(script.path).env\nexit 0\n".write(to: script, atomically: false, encoding: .utf8)
        chmod(script.path, 0o755)
        // In the foreground (-d): a dhclient that forks keeps the socket Foundation watches to
        // see a child exit, so it is run under the lab and stopped once bound.
        let dhclient = try lab.start(in: isc, [
            "dhclient", "-d", "-1", "-sf", script.path, "-lf", server.file("dhclient.leases").path, "-pf", server.file("dhclient.pid").path, "eth0",
        ], output: server.file("dhclient.log").path)
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: script.path + ".env") && Date() < deadline { usleep(50_000) }
        dhclient.terminate()
        let env = (try? String(contentsOfFile: script.path + ".env", encoding: .utf8)) ?? ""
        for expected in ["new_ip_address=10.42.0.6", "new_host_name=node06", "new_routers=10.42.0.250", "new_domain_name_servers=10.42.0.250", "new_domain_name=cluster"] {
            #expect(env.contains(expected), "dhclient lacks \(expected): \(env)\ndhclient's log: \((try? String(contentsOfFile: server.file("dhclient.log").path, encoding: .utf8)) ?? "none")")
        }
        #expect(server.log.contains("DHCPREQUEST from b8:27:eb:00:00:06 node06 (DHCP client) -> DHCPACK 10.42.0.6"))
    }

    @Test func theNodeMapChangesLiveAndAnInvalidEditKeepsTheOldMap() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let client = try lab.addHost("c1", mac: "b8:27:eb:00:00:11")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try server.start()

        #expect(try udhcpc(lab, in: client, server: server)["failed"] != nil, "not in the map yet")
        #expect(server.log.contains("DHCPDISCOVER from b8:27:eb:00:00:11 (DHCP client) ignored: unknown MAC; to serve it, add it to the node map: bramble nodes add ID b8:27:eb:00:00:11"))

        var mark = server.log.count
        let added = try server.bramble(["nodes", "add", "--config", server.configPath, "11", "b8:27:eb:00:00:11", "late11"])
        #expect(added.status == 0, "\(added.output)")
        try server.waitForLog("reloaded", after: mark)
        #expect(try udhcpc(lab, in: client, server: server)["ip"] == "10.42.0.11")

        mark = server.log.count
        let handle = try FileHandle(forWritingTo: server.file("nodes"))
        handle.seekToEndOfFile()
        handle.write(Data("12 not-a-mac\n".utf8))
        try handle.close()
        try server.waitForLog("reload refused", after: mark)
        #expect(server.log.contains("nodes:7: 'not-a-mac' is not a MAC address"), "the error names file and line")
        #expect(try udhcpc(lab, in: client, server: server)["hostname"] == "late11", "the previous map still serves")
    }

    @Test func aPi3BROMGetsADelayedOfferWithTheBootMenuAndASeededARPEntry() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let pi = try lab.addHost("pi", mac: "b8:27:eb:9d:c1:5a")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try server.start()

        let frame = ServerUnderTest.repository.appendingPathComponent("Fixtures/frames/pi3b-rom-discover.hex").path
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/rawframe.py").path
        let result = try lab.run(in: pi, ["python3", script, "eth0", frame, "5"], timeout: 10)
        try #require(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        let bytes = try #require(hexBytes(String(lines[0])))
        let reply = try EthernetUDPFrame(decoding: bytes)
        let offer = try DHCPMessage(decoding: reply.payload)
        #expect(reply.destinationMAC == MACAddress("b8:27:eb:9d:c1:5a"), "unicast to the ROM's MAC")
        #expect(reply.sourceAddress == IPv4Address(10, 42, 0, 250), "the Pi 3 takes the TFTP server from the source address")
        #expect(offer.options.messageType == .offer && offer.yourAddress == IPv4Address(10, 42, 0, 37))
        #expect(offer.options[.vendorSpecificInformation] == RaspberryPiBootMenu.padded.vendorSpecificInformation)
        let milliseconds = Int(lines[1].split(separator: " ")[0]) ?? 0
        #expect(milliseconds >= 900, "the Pi 3B ROM's offer is delayed (firmware#934): \(milliseconds) ms")
        let neighbours = try lab.run(in: hub, ["ip", "neigh", "show", "10.42.0.37"])
        #expect(neighbours.output.contains("b8:27:eb:9d:c1:5a"), "ARP seeded: \(neighbours.output)")
    }

    /// A relay on the same host (a veth with checksum offload, like perfdhcp here) sends
    /// through a UDP socket and leaves its checksum for hardware that never runs: the raw
    /// socket must trust the kernel's word for it, not drop the request as corrupt.
    @Test func aRelayOnALocalVethIsAnsweredAtItsAddress() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let relay = try lab.addHost("relay", address: "10.42.0.200/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try server.start()
        let relayScript = """
            import socket, struct
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("10.42.0.200", 67))
            s.settimeout(3)
            chaddr = bytes.fromhex("b827eb000005") + bytes(10)
            message = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 1, 0x1234, 0, 0, bytes(4), bytes(4), bytes(4), socket.inet_aton("10.42.0.200"))
            message += chaddr + bytes(192) + bytes.fromhex("63825363") + bytes([53, 1, 1, 255])
            s.sendto(message, ("10.42.0.250", 67))
            reply, source = s.recvfrom(2048)
            print(socket.inet_ntoa(reply[16:20]), reply[240 + 2] if len(reply) > 242 else -1, source[0])
            """
        let result = try lab.run(in: relay, ["python3", "-c", relayScript], timeout: 10)
        #expect(result.status == 0, "\(result.output)\n\(server.log)")
        #expect(result.output.hasPrefix("10.42.0.5 2 10.42.0.250"), "an OFFER of node 5's address, from the hub: \(result.output)")
        #expect(server.log.contains("DHCPDISCOVER from b8:27:eb:00:00:05 web05 (DHCP client, via 10.42.0.200) -> DHCPOFFER 10.42.0.5"))
    }

    @Test func disabledNodesAreNotAnswered() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let client = try lab.addHost("c1", mac: "b8:27:eb:00:00:07")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try server.start()
        #expect(try udhcpc(lab, in: client, server: server)["failed"] != nil)
        #expect(server.log.contains("ignored: node 7 is disabled in the node map"))
    }

    @Test func aPoolLeaseSurvivesKill9() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let laptop = try lab.addHost("c1", mac: "02:00:00:00:00:01")
        let other = try lab.addHost("c2", mac: "02:00:00:00:00:02")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes, config: "pool = 10.42.0.100-10.42.0.110\n")
        try server.start()
        let first = try udhcpc(lab, in: laptop, server: server)
        #expect(first["ip"] == "10.42.0.100", "\(first)")

        server.stop(signal: SIGKILL)
        try server.start()
        let second = try udhcpc(lab, in: other, server: server)
        #expect(second["ip"] == "10.42.0.101", "the first lease is still taken after kill -9: \(second)")
        let again = try udhcpc(lab, in: laptop, server: server)
        #expect(again["ip"] == "10.42.0.100", "the laptop keeps its address: \(again)")
        let journal = try String(contentsOf: server.file("state/leases"), encoding: .utf8)
        #expect(journal.hasPrefix("grant 02:00:00:00:00:01 10.42.0.100 "))
    }

    /// A client asking again and again for the lease it holds costs no journal write (and
    /// no fdatasync) per request: the line on disk already covers it.
    @Test func repeatedRequestsForAHeldLeaseAreJournalledOnce() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let laptop = try lab.addHost("c1", mac: "02:00:00:00:00:01")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes, config: "pool = 10.42.0.100-10.42.0.110\n")
        try server.start()
        for _ in 0..<5 {
            let lease = try udhcpc(lab, in: laptop, server: server)
            #expect(lease["ip"] == "10.42.0.100", "\(lease)")
        }
        let journal = try String(contentsOf: server.file("state/leases"), encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 1, "\(journal)")
        #expect(server.log.components(separatedBy: "-> DHCPACK 10.42.0.100").count - 1 == 5)
    }

    /// The state directory on a full disk: the grant cannot be journalled, so it is not
    /// ACKed (nor kept); once there is room the client gets an address, and after kill -9
    /// nobody else gets it.
    @Test func aFullDiskDelaysALeaseButLosesNoneThatWasAcked() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let laptop = try lab.addHost("c1", mac: "02:00:00:00:00:01")
        let other = try lab.addHost("c2", mac: "02:00:00:00:00:02")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes, config: "pool = 10.42.0.100-10.42.0.110\n")
        let state = server.file("state").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        let mounted = try NetworkLab.execute(["mount", "-t", "tmpfs", "-o", "size=256k", "bramble-full", state], timeout: 10)
        try #require(mounted.status == 0, "\(mounted.output)")
        defer {
            // Stopped before the unmount, and the directory removed (by the server's
            // deinit) only after it.
            server.stop()
            _ = try? NetworkLab.execute(["umount", "-l", state], timeout: 10)
        }
        try server.start()

        let filler = open(state + "/filler", O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)
        let refused = try udhcpc(lab, in: laptop, server: server)
        #expect(refused["failed"] != nil, "no ACK for a lease that is not on disk: \(refused)")
        #expect(server.log.contains("not answering 02:00:00:00:00:01"), "\(server.log)")

        unlink(state + "/filler")
        let granted = try udhcpc(lab, in: laptop, server: server)
        let address = try #require(granted["ip"], "\(granted)\n\(server.log)")
        server.stop(signal: SIGKILL)
        try server.start()
        let second = try udhcpc(lab, in: other, server: server)
        #expect(second["ip"] != nil && second["ip"] != address, "the ACKed lease is still taken after kill -9: \(second)")
        #expect(try udhcpc(lab, in: laptop, server: server)["ip"] == address)
    }

    @Test func theDaemonRunsAsNobodyWithOnlyCapNetAdmin() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try server.start()
        let pid = try #require(server.process?.processIdentifier)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let fields = Dictionary(status.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { first, _ in first })
        #expect(fields["Uid"]?.hasPrefix("65534") == true, "\(fields["Uid"] ?? "")")
        #expect(fields["CapEff"] == "0000000000001000", "CAP_NET_ADMIN (bit 12) only")
        #expect(fields["CapPrm"] == "0000000000001000")
        #expect(fields["CapBnd"] == "0000000000001000", "the bounding set holds CAP_NET_ADMIN only: \(fields["CapBnd"] ?? "")")
        #expect(fields["CapInh"] == "0000000000000000" && fields["CapAmb"] == "0000000000000000")
        #expect(fields["NoNewPrivs"] == "1")
    }

    /// The account the daemon drops to owns the state directory: a link it plants there
    /// must stop the next start (as root) with the path named, not be followed.
    @Test func aLinkPlantedInTheStateDirectoryStopsTheStartAndItsTargetIsUntouched() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        let target = server.file("root-owned")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(at: server.file("state"), withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
        symlink(target.path, server.file("state/logs").path)
        #expect(throws: (any Error).self) { try server.start() }
        #expect(server.log.contains("state/logs is a symbolic link; the state directory must hold only bramble's own files: remove it"), "\(server.log)")
        var status = stat()
        #expect(stat(target.path, &status) == 0 && status.st_uid == 0 && status.st_mode & 0o7777 == 0o700, "the link's target keeps its owner and mode")
    }
}
