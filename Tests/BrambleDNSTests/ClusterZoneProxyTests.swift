import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

/// The zone in proxy mode: names for the addresses nodes were seen using, no guesses.
@Suite struct ClusterZoneProxyTests {
    func zone(_ assigned: AssignedAddresses) throws -> ClusterZone {
        let map = try nodeMap(["1 b8:27:eb:00:00:01", "7 b8:27:eb:00:00:07", "12 b8:27:eb:00:00:0c web12"]).addressed(by: assigned)
        return ClusterZone(nodeMap: map, hub: hubInterface, domain: clusterDomain)
    }

    func answer(_ query: DNSMessage, zone: ClusterZone) -> DNSMessage? {
        guard case .answer(let response) = zone.respond(to: query, from: IPv4Address(10, 42, 0, 150)) else { return nil }
        return response
    }

    @Test func aSeenNodeResolvesToItsRouterAddressBothWays() throws {
        var assigned = AssignedAddresses()
        assigned.assign(IPv4Address(10, 42, 0, 150), toNode: 7)
        let zone = try zone(assigned)
        #expect(answer(query("node07.cluster", .a), zone: zone)?.answers.first?.data == .a(IPv4Address(10, 42, 0, 150)))
        #expect(answer(query("150.0.42.10.in-addr.arpa", .ptr), zone: zone)?.answers.first?.data == .ptr(name("node07.cluster")))
        #expect(answer(query("7.0.42.10.in-addr.arpa", .ptr), zone: zone)?.responseCode == .nameError, "the ID rule is gone")
    }

    @Test func anUnseenNodeAndTheSwitchHaveNoName() throws {
        let zone = try zone(AssignedAddresses())
        #expect(answer(query("web12.cluster", .a), zone: zone)?.responseCode == .nameError, "no guessed address")
        #expect(answer(query("switch.cluster", .a), zone: zone)?.responseCode == .nameError, "host 201 is the router's to give")
        #expect(answer(query("hub.cluster", .a), zone: zone)?.answers.first?.data == .a(hubInterface.address))
    }
}
