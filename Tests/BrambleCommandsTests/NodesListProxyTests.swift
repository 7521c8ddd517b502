@testable import BrambleCommands
import BrambleBoot
import BrambleControl
import BrambleNodeMap
import BrambleWire
import Testing

/// `bramble nodes list` in proxy mode: a node's address is what the daemon saw it use.
@Suite struct NodesListProxyTests {
    static let subnet = IPv4Interface("10.42.0.250/24")!.subnet

    @Test func theAddressesAreTheDaemonsMatchedByIDAndMAC() throws {
        let map = try NodeMap(parsing: "1 b8:27:eb:10:00:01\n2 b8:27:eb:10:00:02\n3 b8:27:eb:10:00:03\n", fileName: "nodes", subnet: Self.subnet)
        let report = StatusReport(now: 0, nodes: [
            NodeStatus(id: 1, name: "node01", ip: "10.42.0.151", mac: "b8:27:eb:10:00:01", stage: .up, stageSince: 0, bootStarted: 0,
                       bootMilliseconds: 1, reboots: 0, lastError: nil, model: nil),
            NodeStatus(id: 2, name: "node02", ip: "10.42.0.152", mac: "b8:27:eb:99:00:02", stage: .up, stageSince: 0, bootStarted: 0,
                       bootMilliseconds: 1, reboots: 0, lastError: nil, model: nil),
            NodeStatus(id: 3, name: "node03", ip: "-", mac: "b8:27:eb:10:00:03", stage: .waiting, stageSince: nil, bootStarted: nil,
                       bootMilliseconds: nil, reboots: 0, lastError: nil, model: nil),
        ])
        let proxied = map.addressed(by: ReportedModels(report).assignedAddresses(in: map))
        let listing = proxied.nodes.map { NodeListing(node: $0, in: proxied) }
        #expect(listing.map(\.ip) == ["10.42.0.151", "-", "-"], "node 2's row is another MAC's; node 3 was not seen")
        #expect(map.nodes.map { NodeListing(node: $0, in: map).ip } == ["10.42.0.1", "10.42.0.2", "10.42.0.3"], "server mode: by ID")
    }
}
