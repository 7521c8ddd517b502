import ArgumentParser
import BrambleNodeMap
import BrambleRoots

/// `bramble roots export`: writes every node's NFS root into `exports-file` and has the
/// NFS server re-read it.
struct RootsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export each node's own NFS root to that node's address (exports-file), then run exportfs -ra.",
        discussion: """
            Writes exports-file (default /etc/exports.d/bramble.exports): one line per node root, \
            read-write to that node's address alone, and the shared base image read-only to the \
            nodes without their own root (docs/nfs.md). It says which lines go and come before \
            writing, writes atomically, and never writes over a file it did not write. Then it \
            runs exportfs -ra when exportfs is installed (nfs-kernel-server).
            """
    )

    @OptionGroup var options: RootsOptions
    @Flag(help: "Only say what would change; write nothing.")
    var dryRun = false
    @Flag(help: "Write the file, but do not run exportfs -ra.")
    var noReload = false

    func run() throws { try run(exportfs: "exportfs") }

    /// The command with the program that reloads the NFS server's exports (a name looked up
    /// as ``ExportfsReload/locate(_:)`` does, or a path): the tests' seam for a fake one.
    func run(exportfs: String) throws {
        let settings = try options.configuration()
        let map = NodeRootInspection.withKnownAddresses(try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load(), settings)
        let update = try ExportsFileUpdate(config: settings, nodeMap: map)
        for line in update.summary { print(line) }
        if dryRun {
            print("Dry run: nothing written.")
            return
        }
        if update.changesFile {
            try update.write()
            print("Wrote \(update.path).")
        }
        guard !noReload else { return }
        switch ExportfsReload.run(exportfs) {
        case .reloaded:
            print("exportfs -ra: the NFS server now serves these exports.")
        case .notInstalled:
            print("exportfs is not installed, so no NFS server was told: install nfs-kernel-server, then run 'exportfs -ra' (docs/nfs.md).")
        case .failed(let status, let output):
            throw ExportfsFailed(status: status, output: output)
        }
    }
}
