@testable import BrambleCommands
import BrambleNodeMap
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct NodesImportCommandTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }
    var nodes: String { directory.file("nodes") }

    @Test func aRealisticConfigImportsIntoAnEmptyMap() throws {
        try runBramble(["nodes", "import-dnsmasq", "--nodes", nodes, fixturePath("dnsmasq/cluster-dnsmasq.conf")])
        let map = try NodeMap(parsing: directory.read("nodes") ?? "", fileName: "nodes", subnet: clusterSubnet)
        #expect(map.nodes.map(\.id) == [1, 2, 3, 4, 5, 6, 7, 9, 22])
        #expect(map.node(id: 5)?.mac == MACAddress("dc:a6:32:00:00:05"))
        #expect(map.nodes.allSatisfy { $0.explicitName == nil }, "default names are not written out")
        #expect(directory.read("nodes")?.hasPrefix("1 b8:27:eb:00:00:01\n2 b8:27:eb:00:00:02\n") == true)
    }

    @Test func placeholdersAreFilledAndDisagreementsReported() throws {
        directory.write("nodes", """
            ID NMEBW9HT 01
            1 b8:27:eb:XX:XX:XX   # bay 1
            2 b8:27:eb:00:00:02
            3 b8:27:eb:99:99:99
            """ + "\n")
        directory.write("hosts", """
            dhcp-host=b8:27:eb:00:00:01,10.42.0.1,node01
            dhcp-host=b8:27:eb:00:00:02,10.42.0.2
            dhcp-host=b8:27:eb:00:00:03,10.42.0.3
            dhcp-host=b8:27:eb:00:00:02,10.42.0.8
            dhcp-host=b8:27:eb:00:00:09,10.42.0.9,web09
            """ + "\n")
        var plan = ImportPlan()
        let document = NodeMapDocument(parsing: directory.read("nodes")!, fileName: "nodes")
        let result = DnsmasqImport.convert(text: directory.read("hosts")!, fileName: "hosts", subnet: clusterSubnet, domain: "cluster")
        let text = plan.apply(result.nodes, to: document, map: nil, importFile: "hosts")
        #expect(text == """
            ID NMEBW9HT 01
            1 b8:27:eb:00:00:01   # bay 1
            2 b8:27:eb:00:00:02
            3 b8:27:eb:99:99:99
            9 b8:27:eb:00:00:09 web09
            """ + "\n")
        #expect(plan.filled.map(\.id) == [1] && plan.added.map(\.id) == [9] && plan.alreadyPresent == 1 && plan.conflicts == 1)
        #expect(plan.messages == ["hosts:3: not imported: bay 3 is already b8:27:eb:99:99:99 in nodes:4"])
        #expect(result.unconverted.map(\.line) == [4], "the converter itself refuses the second use of a MAC")
    }

    @Test func dryRunWritesNothing() throws {
        directory.write("nodes", "1 b8:27:eb:XX:XX:XX\n")
        try runBramble(["nodes", "import-dnsmasq", "--dry-run", "--nodes", nodes, fixturePath("dnsmasq/ethers")])
        #expect(directory.read("nodes") == "1 b8:27:eb:XX:XX:XX\n")
        #expect(directory.entries() == ["nodes"])
    }

    @Test func anUnreadableFileNamesItself() {
        let error = #expect(throws: FileAccessError.self) {
            try runBramble(["nodes", "import-dnsmasq", "--nodes", nodes, directory.file("missing.conf")])
        }
        #expect(error?.message == "\(directory.file("missing.conf")): cannot open: No such file or directory")
        #expect(directory.entries().isEmpty, "no node map was created")
    }
}
