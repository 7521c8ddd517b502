import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct NodeMapParsingTests {
    @Test func guideTablePastedVerbatimParses() throws {
        let map = try validMap(fixture("nodemaps/bitscope-guide-table.txt"))
        #expect(map.nodes.count == 62)
        #expect(map.nodes.allSatisfy { $0.mac == nil })  // the guide's MAC column is all placeholders
        #expect(map.node(id: 37)?.name == "node37")
        #expect(map.node(id: 201)?.name == "switch")
        #expect(map.node(id: 250)?.name == "hub")
        #expect(map.node(id: 201)?.hardwareAddress.description == "f0:9f:c2:xx:xx:xx")
    }

    @Test func filledSheetParsesWithAddresses() throws {
        let map = try validMap(fixture("nodemaps/bitscope-sheet-filled.txt"))
        #expect(map.nodes.count == 62)
        let node1 = try #require(map.node(id: 1))
        #expect(node1.mac == MACAddress("b8:27:eb:12:34:56"))
        #expect(map.address(of: node1) == IPv4Address(10, 42, 0, 1))
        #expect(map.node(mac: try MACAddress(parsing: "b8:27:eb:12:34:56"))?.id == 1)
        #expect(map.node(address: IPv4Address(10, 42, 0, 60))?.name == "node60")
    }

    @Test func sampleMapIsValid() throws {
        let map = try validMap(repositoryFile("etc/nodes"), file: "etc/nodes")
        #expect(map.nodes.count == 62)
        #expect(map.nodes.filter { $0.mac != nil }.count == 50)
        #expect(map.node(named: "SWITCH")?.id == 201)
        #expect(map.node(named: "hub")?.mac == MACAddress("b8:27:eb:fa:00:fa"))
    }

    @Test func namesSettingsAndComments() throws {
        let map = try validMap("""
            # comment line
              5 B8-27-EB-00-00-05 web05 root=10.42.0.250:/pxe/root/web05 serial=9FFEFDEF disabled # bay 5
            6\tb8:27:eb:00:00:06\t\t# tab separated, default name
            7 b8:27:eb:00:00:07 root=/pxe/root/seven\r
            """)
        let web = try #require(map.node(id: 5))
        #expect(web.name == "web05" && web.explicitName == "web05")
        #expect(web.mac?.description == "b8:27:eb:00:00:05")
        #expect(web.settings == NodeSettings(root: "10.42.0.250:/pxe/root/web05", serial: "9ffefdef", disabled: true))
        #expect(map.node(id: 6)?.name == "node06")
        #expect(map.node(id: 7)?.settings.root == "/pxe/root/seven")
        #expect(map.node(id: 7)?.line == 4)
        #expect(map.node(matching: "web05")?.id == 5)
        #expect(map.node(matching: "6")?.id == 6)
        #expect(map.node(matching: "b8:27:eb:00:00:07")?.id == 7)
    }

    @Test func aFlagIsNeverTakenForAName() throws {
        let map = try validMap("9 b8:27:eb:00:00:09 disabled\n")
        #expect(map.node(id: 9)?.name == "node09")
        #expect(map.node(id: 9)?.settings.disabled == true)
    }

    @Test func defaultNamesHaveTwoDigitsAtLeast() {
        #expect(NodeName.defaultName(forID: 1) == "node01")
        #expect(NodeName.defaultName(forID: 60) == "node60")
        #expect(NodeName.defaultName(forID: 120) == "node120")
        #expect(NodeName.defaultName(forID: 201) == "switch")
        #expect(NodeName.defaultName(forID: 250) == "hub")
    }

    @Test func documentTextIsByteForByte() {
        for text in ["", "\n", "1 b8:27:eb:00:00:01", "1 b8:27:eb:00:00:01\n\n# x\n", "a\r\nb\r\n"] {
            #expect(NodeMapDocument(parsing: text, fileName: "n").text == text)
        }
    }
}
