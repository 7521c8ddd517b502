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
}
