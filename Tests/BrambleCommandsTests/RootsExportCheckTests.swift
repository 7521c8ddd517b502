import ArgumentParser
@testable import BrambleCommands
import BrambleNodeMap
import BrambleRoots
import BrambleTestSupport
import Glibc
import Testing

/// `bramble roots export` and `bramble roots check` on synthetic hubs in a temporary directory.
@Suite struct RootsExportCheckTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        for path in ["pxe", "pxe/boot", "pxe/boot/nodes", "pxe/boot/nodes/node06", "pxe/root", "pxe/roots", "pxe/roots/node05", "pxe/roots/node06", "exports.d"] {
            try directory.directory(path)
        }
        directory.write("nodes", """
            5 b8:27:eb:00:00:05 root=10.42.0.250:\(directory.file("pxe/roots/node05"))
            6 b8:27:eb:00:00:06 root=10.42.0.250:\(directory.file("pxe/roots/node06"))
            7 b8:27:eb:00:00:07
            8 b8:27:eb:00:00:08 root=10.42.0.250:\(directory.file("pxe/roots/node08"))
            """ + "\n")
        directory.write("bramble.conf", "nodes = nodes\npxe = pxe\nexports-file = exports.d/bramble.exports\n")
        // The fake exportfs records how it was called.
        directory.write("exportfs", "#!/bin/sh\necho \"$@\" >> \(directory.file("exportfs-calls"))\n", mode: 0o755)
        directory.write("failing-exportfs", "#!/bin/sh\necho 'exportfs: /x does not support NFS export' >&2\nexit 1\n", mode: 0o755)
    }

    var config: String { directory.file("bramble.conf") }

    func export(_ extra: [String] = []) throws {
        let command = try RootsExportCommand.parse(["--config", config, "--exportfs", directory.file("exportfs")] + extra)
        try command.run()
    }

    @Test func exportWritesThePlanMarkedAsBramblesAndRunsExportfs() throws {
        try export()
        let text = try #require(directory.read("exports.d/bramble.exports"))
        let file = ExportsFile(parsing: text, fileName: "bramble.exports")
        #expect(file.isGeneratedByBramble)
        let roots = directory.file("pxe/roots")
        #expect(file.exports.map(\.line) == [
            "\(directory.file("pxe/root")) 10.42.0.7(ro,no_subtree_check,no_root_squash)",
            "\(roots)/node05 10.42.0.5(rw,sync,no_subtree_check,no_root_squash)",
            "\(roots)/node06 10.42.0.6(rw,sync,no_subtree_check,no_root_squash)",
            "\(roots)/node08 10.42.0.8(rw,sync,no_subtree_check,no_root_squash)",
        ])
        #expect(directory.read("exportfs-calls") == "-ra\n")
        // A second run changes nothing and still has the server re-read the file.
        try export()
        #expect(directory.read("exports.d/bramble.exports") == text)
        #expect(directory.read("exportfs-calls") == "-ra\n-ra\n")
    }

    @Test func theUpdateSaysWhichLinesGoAndComeBeforeWriting() throws {
        try export()
        directory.write("nodes", "5 b8:27:eb:00:00:05 root=10.42.0.250:\(directory.file("pxe/roots/node05"))\n9 b8:27:eb:00:00:09\n")
        let settings = try ConfigOptions.parse(["--config", config]).loadConfiguration()
        let map = try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load()
        let update = try ExportsFileUpdate(config: settings, nodeMap: map)
        let roots = directory.file("pxe/roots")
        #expect(update.removed == [
            "\(directory.file("pxe/root")) 10.42.0.7(ro,no_subtree_check,no_root_squash)",
            "\(roots)/node06 10.42.0.6(rw,sync,no_subtree_check,no_root_squash)",
            "\(roots)/node08 10.42.0.8(rw,sync,no_subtree_check,no_root_squash)",
        ])
        #expect(update.added == ["\(directory.file("pxe/root")) 10.42.0.9(ro,no_subtree_check,no_root_squash)"])
        #expect(update.summary.contains("- \(roots)/node06 10.42.0.6(rw,sync,no_subtree_check,no_root_squash)"))
        #expect(update.summary.contains { $0.contains("exportfs reads /etc/exports and /etc/exports.d/*.exports only") })
    }

    @Test func aDryRunWritesNothingAndRunsNothing() throws {
        try export(["--dry-run"])
        #expect(directory.read("exports.d/bramble.exports") == nil)
        #expect(directory.read("exportfs-calls") == nil)
    }

    @Test func aFileBrambleDidNotWriteIsNeverReplaced() throws {
        directory.write("exports.d/bramble.exports", "/srv/data 10.42.0.0/24(rw)\n")
        #expect(throws: ExportsFileNotBrambles.self) { try export() }
        #expect(directory.read("exports.d/bramble.exports") == "/srv/data 10.42.0.0/24(rw)\n")
        #expect(directory.read("exportfs-calls") == nil)
    }

    @Test func withoutExportfsTheFileIsWrittenAndAFailingOneIsAnError() throws {
        let missing = try RootsExportCommand.parse(["--config", config, "--exportfs", directory.file("no-such-exportfs")])
        try missing.run()
        #expect(directory.read("exports.d/bramble.exports")?.hasPrefix(ExportsFile.generatedHeader) == true)
        let failing = try RootsExportCommand.parse(["--config", config, "--exportfs", directory.file("failing-exportfs")])
        let error = #expect(throws: ExportfsFailed.self) { try failing.run() }
        #expect(error?.message.contains("does not support NFS export") == true)
        #expect(ExportfsReload.locate("no-such-program-\(getpid())") == nil)
    }

    @Test func theCheckFindsAMissingRootAndACmdlinePointingAtTheBase() throws {
        try export(["--no-reload"])
        try directory.file("pxe/boot/cmdline.txt.tmpl", text: "root=/dev/nfs nfsroot={{root}},vers=3 rw ip=dhcp rootwait\n")
        try directory.file("pxe/boot/nodes/node06/cmdline.txt", text: "root=/dev/nfs nfsroot=10.42.0.250:\(directory.file("pxe/root")),vers=3 ip=dhcp\n")
        let settings = try ConfigOptions.parse(["--config", config]).loadConfiguration()
        let map = try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load()
        let check = NodeRootInspection.check(settings, nodeMap: map, exportFiles: [settings.exportsFile])
        let problems = Dictionary(uniqueKeysWithValues: check.nodes.map { ($0.node, $0.problems) })
        #expect(problems["node05"] == [])
        #expect(problems["node06"] == [.cmdlinePointsElsewhere(
            cmdlinePath: "nodes/node06/cmdline.txt", nfsroot: "10.42.0.250:\(directory.file("pxe/root")),vers=3",
            expected: "10.42.0.250:\(directory.file("pxe/roots/node06"))")])
        #expect(problems["node07"] == [])
        #expect(problems["node08"] == [.rootMissing(path: directory.file("pxe/roots/node08"))])
        let text = NodeRootCheckText.render(check, exportFiles: [settings.exportsFile])
        #expect(text.contains("✓ node05, node07: root there, exported to the node, cmdline.txt mounts it"))
        #expect(text.contains("✗ node08 (10.42.0.8, root 10.42.0.250:\(directory.file("pxe/roots/node08"))):"))
        // Nodes sharing a root and its problems are listed once.
        directory.write("exports.d/bramble.exports", ExportsFile.generatedHeader + "\n")
        directory.write("nodes", "5 b8:27:eb:00:00:05\n6 b8:27:eb:00:00:06\n7 b8:27:eb:00:00:07\n")
        let shared = NodeRootInspection.check(settings, nodeMap: try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load(), exportFiles: [settings.exportsFile])
        let sharedText = NodeRootCheckText.render(shared, exportFiles: [settings.exportsFile])
        #expect(sharedText.contains("✗ node05, node06, node07 (root 10.42.0.250:\(directory.file("pxe/root"))):\n      \(directory.file("pxe/root")) is not exported"), "\(sharedText)")
        #expect(sharedText.ranges(of: "is not exported").count == 1)
        // `bramble check` reports the same, without failing: a root is not a boot-tree file.
        try runBramble(["check", "--config", config])
    }

    @Test func theCheckPassesOnceEveryRootIsThereExportedAndMounted() throws {
        try directory.directory("pxe/roots/node08")
        try export(["--no-reload"])
        try directory.file("pxe/boot/cmdline.txt.tmpl", text: "root=/dev/nfs nfsroot={{root}},vers=3 rw ip=dhcp rootwait\n")
        let command = try RootsCheckCommand.parse(["--config", config])
        try command.run()
        directory.write("exports.d/bramble.exports", ExportsFile.generatedHeader + "\n")
        let unexported = try RootsCheckCommand.parse(["--config", config])
        let error = #expect(throws: NodeRootsNeedFixing.self) { try unexported.run() }
        #expect(error?.count == 4)
    }

    @Test func aTemplateWithAnUnknownKeyAndASerialPrefixAreResolvedAsTFTPWould() throws {
        directory.write("nodes", "5 b8:27:eb:00:00:05 serial=9ffefdef root=10.42.0.250:\(directory.file("pxe/roots/node05"))\n7 b8:27:eb:00:00:07\n")
        try directory.directory("pxe/boot/9ffefdef")
        try directory.file("pxe/boot/9ffefdef/cmdline.txt", text: "nfsroot=/elsewhere ip=dhcp\n")
        try directory.file("pxe/boot/cmdline.txt.tmpl", text: "nfsroot={{rot}} ip=dhcp\n")
        let settings = try ConfigOptions.parse(["--config", config]).loadConfiguration()
        let map = try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load()
        let check = NodeRootInspection.check(settings, nodeMap: map, exportFiles: [])
        let problems = Dictionary(uniqueKeysWithValues: check.nodes.map { ($0.node, $0.problems) })
        #expect(problems["node05"]?.contains(.cmdlinePointsElsewhere(
            cmdlinePath: "9ffefdef/cmdline.txt", nfsroot: "/elsewhere", expected: "10.42.0.250:\(directory.file("pxe/roots/node05"))")) == true)
        #expect(problems["node07"]?.contains { if case .cmdlineUnusable(path: "cmdline.txt.tmpl", _) = $0 { true } else { false } } == true)
    }

    @Test func hostileExportsFilesAreReportedByLineOrRefusedWholeAndTheCheckGoesOn() throws {
        try export(["--no-reload"])
        directory.write("operator.exports", "/srv/ok 10.42.0.9(rw)\n\"/srv/unclosed 10.42.0.5(rw)\n/srv/x 10.42.0.5(rw,,sync)\n")
        try directory.file("huge.exports", size: Int(NodeRootInspection.largestExportsFile) + 1)
        let settings = try ConfigOptions.parse(["--config", config]).loadConfiguration()
        let map = try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load()
        let files = [directory.file("operator.exports"), directory.file("huge.exports"), directory.file("missing.exports"), settings.exportsFile]
        let check = NodeRootInspection.check(settings, nodeMap: map, exportFiles: files)
        #expect(check.exportDiagnostics.map(\.description) == [
            "\(directory.file("operator.exports")):2: a '\"' is not closed: quote the whole path, e.g. \"/srv/my root\"",
            "\(directory.file("operator.exports")):3: '10.42.0.5(rw,,sync)' has an empty option: separate options by single commas, e.g. 10.42.0.5(rw,sync)",
            "\(directory.file("huge.exports")):1: cannot be read (larger than 1048576 bytes, not an exports file), so what it exports is unknown",
        ])
        // The good lines still count: bramble's file exports every root (no boot tree here).
        #expect(check.nodes.first { $0.node == "node05" }?.problems == [.cmdlineMissing])
        let text = NodeRootCheckText.render(check, exportFiles: files)
        #expect(text.contains("  ! \(directory.file("operator.exports")):2: "))
    }
}
