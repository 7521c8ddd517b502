import ArgumentParser
import BrambleNodeMap
import BrambleRootFiles
import BrambleRoots
import Glibc

/// `bramble roots list`: every node of the map, where its root is, how it was made, how much
/// disk it takes and what state it is in.
struct RootsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show each node's root: path, how it was made, disk used (and shared), state.",
        discussion: """
            MODE is how `create` made the root (snapshot, reflink or copy). SIZE is the disk \
            its files occupy; SHARED is how much of that is shared with the base image or \
            other roots (reflinked or snapshotted blocks no node has rewritten yet), so \
            SIZE - SHARED is about what `rm --delete` would free. STATE: made, missing (the \
            node boots the shared base, or nothing), or interrupted: a create stopped before \
            the root was renamed into place; the next `bramble roots create` for that node \
            removes the partial copy and starts again. Directories in <pxe>/roots that \
            belong to no node of the map are listed at the end. --no-sizes skips the walk \
            of every root that SIZE needs.
            """
    )

    @OptionGroup var options: RootsOptions
    @Flag(help: "Leave out SIZE and SHARED (no walk of the roots).")
    var noSizes = false

    func run() throws {
        let configuration = try options.configuration()
        let map = try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load()
        print(RootsListing(layout: NodeRootLayout(configuration), sizes: !noSizes).render(map: map, nodesPath: configuration.nodesPath), terminator: "")
    }
}

/// The listing's text, from the map and what the roots directory holds.
struct RootsListing {
    var layout: NodeRootLayout
    var sizes: Bool

    func render(map: NodeMap, nodesPath: String) -> String {
        let entries = RootsDirectory.entries(layout.rootsDirectory)
        var rows = [["NODE", "PATH", "MODE", "SIZE", "SHARED", "STATE"]]
        for node in map.nodes {
            let state = RootState.of(nodeNamed: node.name, among: entries)
            let record = state == .present ? RootRecordFile.read(nodeName: node.name, rootsDirectory: layout.rootsDirectory) : nil
            var size = "-"
            var shared = "-"
            if sizes, state == .present, let usage = try? RootUsage.measure(layout.rootPath(for: node)) {
                size = ByteCount(usage.allocatedBytes).description
                shared = ByteCount(usage.sharedBytes).description
            }
            rows.append([node.name, layout.rootPath(for: node), record?.mode.rawValue ?? "-", size, shared, state.description])
        }
        var text = TextTable.render(rows)
        for stray in RootState.strays(among: entries, nodeNames: map.nodes.map(\.name)) {
            text += "\(layout.rootsDirectory)/\(stray): no node of \(nodesPath) has this name\n"
        }
        return text
    }
}

/// Reading the roots directory without following links.
enum RootsDirectory {
    /// Its entries, each by lstat; empty when the directory does not exist yet.
    static func entries(_ path: String) -> [RootsDirectoryEntry] {
        (TextFile.directoryNames(path) ?? []).map { name in
            var info = stat()
            let isDirectory = lstat(path + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            return RootsDirectoryEntry(name: name, kind: isDirectory ? .directory : .other)
        }
    }
}

/// Left-aligned columns separated by two spaces, each as wide as its widest cell.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
