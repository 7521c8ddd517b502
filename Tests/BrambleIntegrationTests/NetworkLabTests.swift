import Foundation
import Testing

/// The lab itself: if this fails, every integration test's result means nothing.
@Suite(.serialized) struct NetworkLabTests {
    @Test(.enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
    func hostsReachEachOtherOnlyThroughTheBridgeAndAreRemovedAfterwards() throws {
        let prefix: String
        do {
            let lab = try NetworkLab()
            prefix = lab.prefix
            let hub = try lab.addHost("hub", address: "10.42.0.250/24")
            let client = try lab.addHost("c1", address: "10.42.0.1/24", mac: "b8:27:eb:00:00:01")
            let ping = try lab.run(in: client, ["ping", "-c", "1", "-W", "2", "10.42.0.250"])
            #expect(ping.status == 0, "\(ping.output)")
            let neighbours = try lab.run(in: hub, ["ip", "neigh", "show", "10.42.0.1"])
            #expect(neighbours.output.contains("b8:27:eb:00:00:01"), "\(neighbours.output)")
            let hostRoutes = try NetworkLab.execute(["ip", "-4", "addr", "show"], timeout: 10)
            #expect(!hostRoutes.output.contains("10.42.0."), "the cluster subnet must exist only inside the lab")
        }
        #expect(try NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty)
    }
}
