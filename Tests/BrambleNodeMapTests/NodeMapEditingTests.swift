import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct NodeMapEditingTests {
    let original = """
        # Cluster A   (keep this comment)
        ID NMEBW9HT 01

        1   b8:27:eb:10:00:01                  # top-left bay
        2   b8:27:eb:10:00:02  web02           # note
        5   b8:27:eb:10:00:05
        \t# indented comment
        250 b8:27:eb:fa:00:fa  hub
        """ + "\n"

    func node(_ id: Int, _ mac: String, _ name: String? = nil, _ settings: NodeSettings = NodeSettings()) -> NodeEntry {
        NodeEntry(id: id, hardwareAddress: .mac(MACAddress(mac)!), explicitName: name, settings: settings, line: 0)
    }

    func changedLines(_ before: String, _ after: String) -> (removed: [Substring], added: [Substring]) {
        let a = before.split(separator: "\n", omittingEmptySubsequences: false)
        let b = after.split(separator: "\n", omittingEmptySubsequences: false)
        return (a.filter { !b.contains($0) }, b.filter { !a.contains($0) })
    }

    @Test func addInsertsInIDOrderAlignedWithItsNeighbour() throws {
        let document = NodeMapDocument(parsing: original, fileName: "nodes")
        let text = document.adding(node(3, "b8:27:eb:10:00:03", "db03"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[5] == "3   b8:27:eb:10:00:03  db03")
        let change = changedLines(original, text)
        #expect(change.removed.isEmpty && change.added == ["3   b8:27:eb:10:00:03  db03"])
        #expect(try validMap(text).node(id: 3)?.name == "db03")
    }

    @Test func addBeforeEveryNodeAndIntoAnEmptyFile() {
        let text = NodeMapDocument(parsing: "# only\n7 b8:27:eb:00:00:07\n", fileName: "n").adding(node(1, "b8:27:eb:00:00:01"))
        #expect(text == "# only\n1 b8:27:eb:00:00:01\n7 b8:27:eb:00:00:07\n")
        #expect(NodeMapDocument(parsing: "", fileName: "n").adding(node(1, "b8:27:eb:00:00:01")) == "1 b8:27:eb:00:00:01\n")
        #expect(NodeMapDocument(parsing: "# c", fileName: "n").adding(node(1, "b8:27:eb:00:00:01")) == "# c\n1 b8:27:eb:00:00:01")
    }

    @Test func replaceKeepsColumnsAndComment() throws {
        let document = NodeMapDocument(parsing: original, fileName: "nodes")
        let edited = try #require(document.replacing(nodeID: 2, with: node(2, "dc:a6:32:00:00:02", "web2", NodeSettings(disabled: true))))
        let change = changedLines(original, edited)
        #expect(change.removed == ["2   b8:27:eb:10:00:02  web02           # note"])
        #expect(change.added == ["2   dc:a6:32:00:00:02  web2 disabled   # note"])
    }

    @Test func replaceFillsAPlaceholderInPlace() throws {
        let text = "ID NMEBW9HT 01\n1 b8:27:eb:XX:XX:XX\n2 b8:27:eb:XX:XX:XX\n"
        let edited = try #require(NodeMapDocument(parsing: text, fileName: "n").replacing(nodeID: 2, with: node(2, "b8:27:eb:12:34:56")))
        #expect(edited == "ID NMEBW9HT 01\n1 b8:27:eb:XX:XX:XX\n2 b8:27:eb:12:34:56\n")
    }

    @Test func removeDeletesOneLineOnly() throws {
        let document = NodeMapDocument(parsing: original, fileName: "nodes")
        let edited = try #require(document.removing(nodeID: 5))
        #expect(changedLines(original, edited).removed == ["5   b8:27:eb:10:00:05"])
        #expect(edited.split(separator: "\n", omittingEmptySubsequences: false).count
            == original.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
        #expect(document.removing(nodeID: 99) == nil)
    }

    /// Found by the `nodemap` fuzzer: the last line goes with the newline before it, so a
    /// blank first line and one node without a final newline leave the empty file.
    @Test func removingTheLastLineOfAFileWithoutAFinalNewline() throws {
        #expect(NodeMapDocument(parsing: "\n7 b8:27:eb:00:00:07", fileName: "n").removing(nodeID: 7) == "")
        #expect(NodeMapDocument(parsing: "# a\n7 b8:27:eb:00:00:07", fileName: "n").removing(nodeID: 7) == "# a")
        #expect(NodeMapDocument(parsing: "\n7 b8:27:eb:00:00:07\n", fileName: "n").removing(nodeID: 7) == "\n")
    }

    @Test func crlfFilesStayCRLF() throws {
        let text = "1 b8:27:eb:00:00:01 # a\r\n2 b8:27:eb:00:00:02\r\n"
        let document = NodeMapDocument(parsing: text, fileName: "n")
        let edited = try #require(document.replacing(nodeID: 1, with: node(1, "b8:27:eb:00:00:09")))
        #expect(edited == "1 b8:27:eb:00:00:09 # a\r\n2 b8:27:eb:00:00:02\r\n")
    }

    @Test func tabSeparatedLinesKeepTheirTabs() throws {
        let text = "1\tb8:27:eb:00:00:01\tone\n"
        let edited = try #require(NodeMapDocument(parsing: text, fileName: "n").replacing(nodeID: 1, with: node(1, "b8:27:eb:00:00:01", "uno")))
        #expect(edited == "1\tb8:27:eb:00:00:01\tuno\n")
    }
}
