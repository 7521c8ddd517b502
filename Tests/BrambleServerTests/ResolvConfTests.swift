@testable import BrambleServer
import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct ResolvConfTests {
    @Test func nameserversInOrderWithoutTheHubLoopbackIPv6OrRepeats() {
        let text = """
            # written by a dhcp client
            search lan
            nameserver 127.0.0.1
            nameserver 10.42.0.250
            nameserver 192.168.1.1
            nameserver\t9.9.9.9   # trailing words ignored
            nameserver ::1
            nameserver 192.168.1.1
            options edns0
            """
        let upstreams = ResolvConf.upstreams(in: text, excluding: IPv4Address(10, 42, 0, 250))
        #expect(upstreams == [UpstreamServer(address: IPv4Address(192, 168, 1, 1)), UpstreamServer(address: IPv4Address(9, 9, 9, 9))])
    }

    @Test func aMissingFileMeansNoUpstreams() {
        #expect(ResolvConf.upstreams(atPath: "/nonexistent/resolv.conf", excluding: .any).isEmpty)
    }
}
