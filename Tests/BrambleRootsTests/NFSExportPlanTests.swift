import BrambleNodeMap
import BrambleRoots
import BrambleWire
import Testing

@Suite struct NFSExportPlanTests {
    static let hub = IPv4Address(10, 42, 0, 250)
    static let subnet = IPv4Subnet(containing: hub, prefixLength: 24)
    static let layout = NodeRootLayout(pxe: "/pxe")

    static func map(_ text: String) throws -> NodeMap {
        try NodeMap(parsing: text, fileName: "nodes", subnet: subnet)
    }

    @Test func eachNodeRootGoesToItsOwnAddressAndTheBaseReadOnlyToTheRest() throws {
        let map = try Self.map("""
            6 b8:27:eb:00:00:06 root=10.42.0.250:/pxe/roots/node06
            5 b8:27:eb:00:00:05 root=10.42.0.250:/pxe/roots/node05
            7 b8:27:eb:00:00:07
            9 b8:27:eb:00:00:09 db09 root=/pxe/roots/db09
            8 b8:27:eb:00:00:08 disabled
            """)
        let plan = NFSExportPlan(nodeMap: map, layout: Self.layout, hub: Self.hub)
        #expect(plan.exports.map(\.line) == [
            "/pxe/root 10.42.0.7(ro,no_subtree_check,no_root_squash) 10.42.0.8(ro,no_subtree_check,no_root_squash)",
            "/pxe/roots/node05 10.42.0.5(rw,sync,no_subtree_check,no_root_squash)",
            "/pxe/roots/node06 10.42.0.6(rw,sync,no_subtree_check,no_root_squash)",
            "/pxe/roots/db09 10.42.0.9(rw,sync,no_subtree_check,no_root_squash)",
        ])
        #expect(plan.notes.isEmpty)
    }

    @Test func theFileIsMarkedAsBramblesAndReadsBackAsThePlan() throws {
        let map = try Self.map("5 b8:27:eb:00:00:05 root=10.42.0.250:/pxe/roots/node05\n7 b8:27:eb:00:00:07\n")
        let plan = NFSExportPlan(nodeMap: map, layout: Self.layout, hub: Self.hub)
        let file = ExportsFile(parsing: plan.fileText, fileName: "bramble.exports")
        #expect(file.isGeneratedByBramble)
        #expect(file.diagnostics.isEmpty)
        #expect(file.exports == plan.exports)
        #expect(file.entries.map(\.line) == [5, 6])
    }

    @Test func rootsOnAnotherServerAndSharedWritableRootsAreNoted() throws {
        let map = try Self.map("""
            5 b8:27:eb:00:00:05 root=10.42.0.9:/export/node05
            6 b8:27:eb:00:00:06 root=/pxe/shared
            7 b8:27:eb:00:00:07 root=10.42.0.250:/pxe/shared
            """)
        let plan = NFSExportPlan(nodeMap: map, layout: Self.layout, hub: Self.hub)
        #expect(plan.exports.map(\.line) == [
            "/pxe/shared 10.42.0.6(rw,sync,no_subtree_check,no_root_squash) 10.42.0.7(rw,sync,no_subtree_check,no_root_squash)"
        ])
        #expect(plan.notes == [
            .servedElsewhere(node: "node05", root: "10.42.0.9:/export/node05"),
            .sharedWritableRoot(path: "/pxe/shared", nodes: ["node06", "node07"]),
        ])
        #expect(plan.notes[0].description.contains("another server"))
    }

    @Test func anEmptyMapExportsNothingButTheHeader() throws {
        let plan = NFSExportPlan(nodeMap: try Self.map(""), layout: Self.layout, hub: Self.hub)
        #expect(plan.exports.isEmpty)
        #expect(plan.fileText.hasPrefix(ExportsFile.generatedHeader))
        #expect(ExportsFile(parsing: plan.fileText, fileName: "f").exports.isEmpty)
    }

    @Test func aPathWithBlanksIsEscapedSoExportfsReadsOnePath() throws {
        let layout = NodeRootLayout(pxe: "/srv/pi boot#1")
        let map = try Self.map("5 b8:27:eb:00:00:05\n")
        let plan = NFSExportPlan(nodeMap: map, layout: layout, hub: Self.hub)
        #expect(plan.exports.map(\.line) == [#"/srv/pi\040boot\0431/root 10.42.0.5(ro,no_subtree_check,no_root_squash)"#])
        #expect(ExportsFile(parsing: plan.fileText, fileName: "f").exports == plan.exports)
    }
}

extension NFSExportPlanTests {
    /// Found by the exports fuzzer: a NUL in the pxe path was written as \000, a line
    /// exportfs (and bramble) refuse.
    @Test func aPathWithANulByteIsNotedNotWritten() throws {
        let plan = NFSExportPlan(nodeMap: try Self.map("5 b8:27:eb:00:00:05\n"), layout: NodeRootLayout(pxe: "/#\u{0}x"), hub: Self.hub)
        #expect(plan.exports.isEmpty)
        #expect(plan.notes == [.unexportablePath(node: "node05", path: "/#\u{0}x/root")])
    }
}

extension NFSExportPlanTests {
    /// Proxy mode: only the addresses the daemon saw are known; the rest wait.
    @Test func inProxyModeANodeWithoutAKnownAddressIsNotedNotExportedToAGuess() throws {
        var assigned = AssignedAddresses()
        _ = assigned.assign(IPv4Address(10, 42, 0, 123), toNode: 5)
        let map = try Self.map("5 b8:27:eb:00:00:05 root=/pxe/roots/node05\n6 b8:27:eb:00:00:06\n").addressed(by: assigned)
        let plan = NFSExportPlan(nodeMap: map, layout: Self.layout, hub: Self.hub)
        #expect(plan.exports.map(\.line) == ["/pxe/roots/node05 10.42.0.123(rw,sync,no_subtree_check,no_root_squash)"])
        #expect(plan.notes == [.addressUnknown(node: "node06")])
    }
}
