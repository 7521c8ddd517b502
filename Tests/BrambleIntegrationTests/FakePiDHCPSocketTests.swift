import BrambleLab
import Foundation
import Testing

/// The simulated Pi's DHCP socket (scripts/lib/bramblelab: `frames.raw_socket` with
/// `dhcp_replies_only`, which `netns.NamespaceNet` and fakepi.py's own interface open)
/// queues only DHCP replies. The simulators hold it for the whole boot and read it only
/// during DHCP, so without the filter a boot's TFTP frames fill it and the next exchange's
/// reply is dropped: in the shaped storm (scripts/bench-storm) that cost a Pi the kernel
/// DHCP's 2 s retry, the tail the storm showed now and then.
///
/// The hub floods the Pi's link with broadcasts to another port, then sends one datagram to
/// port 68. An unfiltered socket beside the filtered one shows the flood overflowing it and
/// losing the reply: the setup reproduces the loss, and only the filter avoids it.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct FakePiDHCPSocketTests {
    @Test("a simulated Pi's DHCP socket keeps the DHCP reply that a flood of other frames would crowd out")
    func dhcpSocketIgnoresOtherTraffic() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let pi = try lab.addHost("pi", mac: "b8:27:eb:10:00:01")
        let lib = ServerUnderTest.repository.appendingPathComponent("scripts/lib").path
        let script = """
            import os, socket, sys, time
            sys.path.insert(0, sys.argv[1])
            from bramblelab import frames
            from bramblelab.netns import NamespaceNet, entered
            pi = NamespaceNet(sys.argv[3])
            with entered(pi.fd):
                plain = frames.raw_socket("eth0")
            hub = os.open("/run/netns/" + sys.argv[2], os.O_RDONLY)
            with entered(hub):
                sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sender.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            sender.bind(("10.42.0.250", 67))
            for _ in range(3000):
                sender.sendto(b"t" * 512, ("10.42.0.255", 9))
            time.sleep(0.3)
            sender.sendto(b"the reply", ("10.42.0.255", 68))
            time.sleep(0.3)
            def replies(sock):
                sock.setblocking(False)
                found, other = 0, 0
                while True:
                    try:
                        frame = sock.recv(65536)
                    except BlockingIOError:
                        return found, other
                    udp = frames.parse_udp(frame)
                    if udp and udp.destination_port == 68 and udp.payload.startswith(b"the reply"):
                        found += 1
                    else:
                        other += 1
            print("plain", frames.dropped(plain), *replies(plain))
            print("filtered", frames.dropped(pi.raw_socket()), *replies(pi.raw_socket()))
            """
        let result = try NetworkLab.execute(["python3", "-c", script, lib, hub, pi], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        let lines = Dictionary(uniqueKeysWithValues: result.output.split(separator: "\n").compactMap { line -> (String, [Int])? in
            let fields = line.split(separator: " ")
            guard fields.count == 4 else { return nil }
            return (String(fields[0]), fields.dropFirst().compactMap { Int($0) })
        })
        let plain = try #require(lines["plain"], "\(result.output)")
        let filtered = try #require(lines["filtered"], "\(result.output)")
        // [dropped, replies found, other frames queued]
        #expect(plain[0] > 0 && plain[1] == 0, "the flood should overflow an unfiltered socket and cost it the reply: \(result.output)")
        #expect(filtered == [0, 1, 0], "the DHCP socket should hold the reply and nothing else: \(result.output)")
    }
}
