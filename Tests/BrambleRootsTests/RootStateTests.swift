import BrambleNodeMap
import BrambleRoots
import Testing

@Suite struct RootStateTests {
    let entries = [
        RootsDirectoryEntry(name: "node01", kind: .directory),
        RootsDirectoryEntry(name: ".node02.partial", kind: .directory),
        RootsDirectoryEntry(name: "node03", kind: .other),
        RootsDirectoryEntry(name: ".node01.made", kind: .other),
        RootsDirectoryEntry(name: "oldweb", kind: .directory),
        RootsDirectoryEntry(name: ".removed", kind: .directory),
    ]

    @Test func aRootIsADirectoryNamedForTheNodeAndAPartialIsAnInterruptedCreate() {
        #expect(RootState.of(nodeNamed: "node01", among: entries) == .present)
        #expect(RootState.of(nodeNamed: "node02", among: entries) == .interrupted)
        #expect(RootState.of(nodeNamed: "node03", among: entries) == .notADirectory)
        #expect(RootState.of(nodeNamed: "node04", among: entries) == .missing)
    }

    @Test func strayRootsAreTheUndottedNamesOfNoNode() {
        #expect(RootState.strays(among: entries, nodeNames: ["node01", "node02", "node03"]) == ["oldweb"])
    }

    @Test func bookkeepingNamesSitBesideTheRootsAndStartWithADot() {
        let layout = NodeRootLayout(pxe: "/pxe")
        #expect(layout.partialPath(forNodeNamed: "node05") == "/pxe/roots/.node05.partial")
        #expect(layout.recordPath(forNodeNamed: "node05") == "/pxe/roots/.node05.made")
        #expect(layout.removedDirectory == "/pxe/roots/.removed")
    }
}

@Suite struct RootsCreatePlanTests {
    @Test func createMakesMissingRootsClearsPartialsAndNeverReplaces() throws {
        let nodes = try ["1 b8:27:eb:00:00:01", "2 b8:27:eb:00:00:02", "3 b8:27:eb:00:00:03", "4 b8:27:eb:00:00:04"].map { try NodeEntry.parse(line: $0).get() }
        let entries = [
            RootsDirectoryEntry(name: "node01", kind: .directory),
            RootsDirectoryEntry(name: ".node02.partial", kind: .directory),
            RootsDirectoryEntry(name: "node04", kind: .other),
        ]
        let plan = RootsCreatePlan(nodes: nodes, entries: entries)
        #expect(plan.steps.map(\.decision) == [.exists, .make(clearingPartial: true), .make(clearingPartial: false), .blocked])
        #expect(plan.nodesToMake.map(\.name) == ["node02", "node03"])
    }
}
