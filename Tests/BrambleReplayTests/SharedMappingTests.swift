import BrambleCapture
import BrambleDHCP
import BrambleDNS
import BrambleWire
import Testing

@testable import BrambleReplay

/// The mappings the daemon and replay share, each written once: leases to DNS names, and
/// the stand-in MAC a capture gives a host it knows only by address.
struct SharedMappingTests {
    @Test func leasesWithAHostNameBecomeDNSHostsInOrder() {
        let leases = [
            Lease(mac: MACAddress("02:00:00:00:00:01")!, address: IPv4Address(10, 42, 0, 101), expires: 100, hostname: "laptop"),
            Lease(mac: MACAddress("02:00:00:00:00:02")!, address: IPv4Address(10, 42, 0, 102), expires: 100, hostname: nil),
            Lease(mac: MACAddress("02:00:00:00:00:03")!, address: IPv4Address(10, 42, 0, 103), expires: 100, hostname: "printer"),
        ]
        #expect(Lease.dnsHosts(leases) == [
            DynamicHost(hostname: Array("laptop".utf8), address: IPv4Address(10, 42, 0, 101)),
            DynamicHost(hostname: Array("printer".utf8), address: IPv4Address(10, 42, 0, 103)),
        ])
        #expect(Lease.dnsHosts([]).isEmpty)
    }

    @Test func theStandInMACIsLocallyAdministeredAndCarriesTheAddress() {
        let mac = MACAddress.captureStandIn(for: IPv4Address(10, 42, 0, 5))
        #expect(mac == MACAddress("02:00:0a:2a:00:05")!)
        #expect(mac.isAssignable, "a unicast MAC no vendor's card has")
    }

    @Test func replayUpdateFramesAnswersWithTheStandInMAC() throws {
        let hub = IPv4Address(10, 42, 0, 250)
        let client = IPv4Address(10, 42, 0, 5)
        let query = EthernetUDPFrame(
            sourceMAC: MACAddress("b8:27:eb:00:00:05")!, destinationMAC: MACAddress("02:00:00:00:00:fa")!, sourceAddress: client,
            destinationAddress: hub, sourcePort: 40000, destinationPort: 53, payload: [0x12, 0x34][...])
        let original = [CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0), bytes: query.encoded())]
        var report = ReplayReport()
        report.produced.append(ReplayedPacket(
            cause: 1, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0), source: hub, sourcePort: 53, destination: client,
            destinationPort: 40000, payload: [0x12, 0x34]))
        let frames = ReplayCapture.frames(original: original, report: report, hub: hub)
        let answer = try EthernetUDPFrame(decoding: try #require(frames.last).bytes)
        #expect(answer.sourceMAC == .captureStandIn(for: hub) && answer.destinationMAC == .captureStandIn(for: client))
    }
}
