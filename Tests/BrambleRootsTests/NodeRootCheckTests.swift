import BrambleNodeMap
import BrambleRoots
import BrambleWire
import Testing

@Suite struct NodeRootCheckTests {
    static let hub = IPv4Address(10, 42, 0, 250)
    static let layout = NodeRootLayout(pxe: "/pxe")
    static let map = try! NodeMap(
        parsing: """
            5 b8:27:eb:00:00:05 root=10.42.0.250:/pxe/roots/node05
            6 b8:27:eb:00:00:06 root=10.42.0.250:/pxe/roots/node06
            7 b8:27:eb:00:00:07
            """,
        fileName: "nodes", subnet: IPv4Subnet(containing: hub, prefixLength: 24))
    static let allRoots: [String: RootDirectoryState] = ["/pxe/root": .directory, "/pxe/roots/node05": .directory, "/pxe/roots/node06": .directory]

    static func check(
        exports: String, roots: [String: RootDirectoryState] = allRoots, cmdlines: [Int: NodeCmdline] = [:]
    ) -> NodeRootCheck {
        NodeRootCheck(
            nodeMap: map, layout: layout, hub: hub, domain: "cluster",
            exportFiles: [ExportsFile(parsing: exports, fileName: "/etc/exports.d/bramble.exports")],
            rootStates: roots, cmdlines: cmdlines)
    }

    static func problems(_ check: NodeRootCheck) -> [String: [NodeRootProblem]] {
        Dictionary(uniqueKeysWithValues: check.nodes.map { ($0.node, $0.problems) })
    }

    @Test func thePlannedExportsAndTemplatedCmdlinesPass() {
        let plan = NFSExportPlan(nodeMap: Self.map, layout: Self.layout, hub: Self.hub)
        let template = "console=serial0,115200 root=/dev/nfs nfsroot={{root}},vers=3 rw ip=dhcp rootwait"
        var cmdlines: [Int: NodeCmdline] = [:]
        for node in Self.map.nodes {
            let root = node.settings.root ?? "10.42.0.250:/pxe/root"
            cmdlines[node.id] = .text(template.replacing("{{root}}", with: root), path: "cmdline.txt.tmpl")
        }
        let check = Self.check(exports: plan.fileText, cmdlines: cmdlines)
        #expect(check.problemCount == 0, "\(check.nodes)")
        #expect(check.nodes.map(\.node) == ["node05", "node06", "node07"])
    }

    @Test func aMissingRootAnUnexportedOneAndOneExportedToTheWrongAddressAreEachNamed() {
        let check = Self.check(
            exports: """
                /pxe/roots/node06 10.42.0.5(rw,sync,no_subtree_check,no_root_squash)
                /pxe/root 10.42.0.0/24(ro,no_root_squash)
                """,
            roots: ["/pxe/root": .directory, "/pxe/roots/node06": .directory])
        let problems = Self.problems(check)
        #expect(problems["node05"] == [.rootMissing(path: "/pxe/roots/node05"), .notExported(path: "/pxe/roots/node05")])
        #expect(problems["node06"] == [.exportedToOthers(path: "/pxe/roots/node06", clients: ["10.42.0.5"])])
        #expect(problems["node07"] == [])
        #expect(check.problemCount == 3)
    }

    @Test func anOwnRootReadOnlySquashedOrOpenToOthersIsReported() {
        let check = Self.check(exports: """
            /pxe/roots/node05 10.42.0.5(ro) *(rw,no_root_squash)
            /pxe/roots/node06/ NODE06.cluster(rw,no_root_squash) node0?.cluster(ro)
            /pxe/root 10.42.0.7(ro,root_squash)
            """)
        let problems = Self.problems(check)
        #expect(problems["node05"] == [
            .readOnly(path: "/pxe/roots/node05", client: "10.42.0.5(ro)"),
            .rootSquashed(path: "/pxe/roots/node05", client: "10.42.0.5(ro)"),
            .exportedBeyondNode(path: "/pxe/roots/node05", clients: ["*"]),
        ])
        // The node's own name is the node (a trailing slash is the same path); a wildcard is not.
        #expect(problems["node06"] == [.exportedBeyondNode(path: "/pxe/roots/node06", clients: ["node0?.cluster"])])
        #expect(problems["node07"] == [.rootSquashed(path: "/pxe/root", client: "10.42.0.7(ro,root_squash)")])
    }

    @Test func aCmdlinePointingAtAnotherRootIsCaught() {
        let plan = NFSExportPlan(nodeMap: Self.map, layout: Self.layout, hub: Self.hub)
        let check = Self.check(exports: plan.fileText, cmdlines: [
            5: .text("root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 ip=dhcp", path: "cmdline.txt"),
            6: .text("nfsroot=/pxe/roots/node05 nfsroot=/pxe/roots/%s ip=dhcp", path: "nodes/node06/cmdline.txt"),
            7: .text("root=/dev/nfs ip=dhcp", path: "cmdline.txt"),
        ])
        let problems = Self.problems(check)
        #expect(problems["node05"] == [
            .cmdlinePointsElsewhere(cmdlinePath: "cmdline.txt", nfsroot: "10.42.0.250:/pxe/root,vers=3", expected: "10.42.0.250:/pxe/roots/node05")
        ])
        // The last nfsroot= wins and %s is the node's address: /pxe/roots/10.42.0.6.
        #expect(problems["node06"] == [
            .cmdlinePointsElsewhere(cmdlinePath: "nodes/node06/cmdline.txt", nfsroot: "/pxe/roots/%s", expected: "10.42.0.250:/pxe/roots/node06")
        ])
        // No nfsroot=: the kernel mounts DHCP option 17, which is the node's root.
        #expect(problems["node07"] == [])
    }

    @Test func aCmdlineNamingAnotherServerIsElsewhereAndMissingOrBrokenOnesAreSaid() {
        let check = Self.check(exports: "", roots: [:], cmdlines: [
            5: .text("nfsroot=10.42.0.1:/pxe/roots/node05", path: "cmdline.txt"),
            6: .missing,
            7: .unusable(path: "cmdline.txt.tmpl", reason: "unknown key {{rot}} on line 1"),
        ])
        let problems = Self.problems(check)
        #expect(problems["node05"]?.last == .cmdlinePointsElsewhere(cmdlinePath: "cmdline.txt", nfsroot: "10.42.0.1:/pxe/roots/node05", expected: "10.42.0.250:/pxe/roots/node05"))
        #expect(problems["node06"]?.last == .cmdlineMissing)
        #expect(problems["node07"] == [.rootMissing(path: "/pxe/root"), .notExported(path: "/pxe/root"), .cmdlineUnusable(path: "cmdline.txt.tmpl", reason: "unknown key {{rot}} on line 1")])
    }

    @Test func aRootOnAnotherServerIsLeftToThatServer() throws {
        let map = try NodeMap(parsing: "5 b8:27:eb:00:00:05 root=10.42.0.9:/export/node05\n", fileName: "nodes", subnet: IPv4Subnet(containing: Self.hub, prefixLength: 24))
        let check = NodeRootCheck(nodeMap: map, layout: Self.layout, hub: Self.hub, domain: "cluster", exportFiles: [], rootStates: [:], cmdlines: [:])
        #expect(check.nodes.map(\.isServedByHub) == [false])
        #expect(check.problemCount == 0)
    }

    @Test func badExportLinesAreCountedAsProblems() {
        let check = Self.check(exports: "relative 10.42.0.5(rw)\n")
        #expect(check.exportDiagnostics.map(\.line) == [1])
        #expect(check.problemCount == check.nodes.reduce(0) { $0 + $1.problems.count } + 1)
    }
}
