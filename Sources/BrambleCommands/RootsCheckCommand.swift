import ArgumentParser
import BrambleNodeMap
import BrambleRoots

/// `bramble roots check`: every node's root there, exported to it, and mounted by its
/// `cmdline.txt`.
struct RootsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that every node's root exists, is exported to its address, and is what its cmdline.txt mounts.",
        discussion: """
            Reads /etc/exports, /etc/exports.d/*.exports and exports-file, looks at each node's \
            root (root= in the node map, else <pxe>/root), and renders the cmdline.txt each node \
            gets over TFTP. Reports a root that is missing, not exported, exported to another \
            address or read-only, and a cmdline.txt whose nfsroot= names another root. \
            Exit status 1 when anything is wrong.
            """
    )

    @OptionGroup var options: RootsOptions

    func run() throws {
        let settings = try options.configuration()
        let map = NodeRootInspection.withKnownAddresses(try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load(), settings)
        let files = NodeRootInspection.systemExportFiles(exportsFile: settings.exportsFile).filter(TextFile.exists)
        let check = NodeRootInspection.check(settings, nodeMap: map, exportFiles: files)
        print(NodeRootCheckText.render(check, exportFiles: files), terminator: "")
        if check.problemCount > 0 { throw NodeRootsNeedFixing(count: check.problemCount) }
    }
}

struct NodeRootsNeedFixing: UserFacingError {
    let count: Int
    var message: String { "\(count) problem(s) with the node roots (above)" }
}
