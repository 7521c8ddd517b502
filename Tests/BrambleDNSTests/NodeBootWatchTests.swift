import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct NodeBootWatchTests {
    @Test func onlyTheFirstQueryOfANodeCounts() throws {
        let map = try nodeMap(["7 b8:27:eb:00:00:07"])
        var watch = NodeBootWatch()
        let node = IPv4Address(10, 42, 0, 7)
        #expect(watch.firstQuery(from: node, nodeMap: map)?.id == 7)
        #expect(watch.firstQuery(from: node, nodeMap: map) == nil)
        #expect(watch.firstQuery(from: IPv4Address(10, 42, 0, 8), nodeMap: map) == nil, "not a node of the map")
        watch.nodeRebooted(at: node)
        #expect(watch.firstQuery(from: node, nodeMap: map)?.id == 7, "the next boot counts again")
    }

    /// The table of settled addresses never hides a first query: not for an address that
    /// shares a slot with another, not after a reboot, not for an address that becomes a
    /// node with a new map.
    @Test func settledAddressesNeverHideAFirstQuery() throws {
        var map = try nodeMap(["7 b8:27:eb:00:00:07"])
        var watch = NodeBootWatch()
        let node = IPv4Address(10, 42, 0, 7)
        let sameSlot = IPv4Address(192, 0, 2, 7)
        #expect(watch.isFirstQuery(from: sameSlot, nodeMap: map) == false, "no node")
        #expect(watch.isFirstQuery(from: node, nodeMap: map) == true, "checking does not count it")
        #expect(watch.firstQuery(from: node, nodeMap: map)?.id == 7)
        #expect(watch.isFirstQuery(from: node, nodeMap: map) == false)
        watch.nodeRebooted(at: node)
        #expect(watch.isFirstQuery(from: node, nodeMap: map) == true)
        #expect(watch.firstQuery(from: node, nodeMap: map)?.id == 7)

        let newcomer = IPv4Address(10, 42, 0, 8)
        #expect(watch.firstQuery(from: newcomer, nodeMap: map) == nil, "not a node yet: settled")
        map = try nodeMap(["7 b8:27:eb:00:00:07", "8 b8:27:eb:00:00:08"])
        watch.nodeMapReplaced()
        #expect(watch.firstQuery(from: newcomer, nodeMap: map)?.id == 8, "a node of the new map")
    }
}
