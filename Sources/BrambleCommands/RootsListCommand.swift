import ArgumentParser
import BrambleNodeMap
import BrambleRoots
import Glibc

/// `bramble roots list`: every node of the map, where its root is and what state it is in.
struct RootsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show each node's root: its path and whether it is made, missing or interrupted.",
        discussion: """
            A root is <pxe>/roots/<node name>. "interrupted" means a create stopped before \
            the root was renamed into place; the next `bramble roots create` for that node \
            removes the partial copy and starts again. Directories in <pxe>/roots that belong \
            to no node of the map are listed at the end.
            """
    )

    @OptionGroup var options: RootsOptions

    func run() throws {
        let configuration = try options.configuration()
        let map = try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load()
        let layout = NodeRootLayout(configuration)
        let entries = RootsDirectory.entries(layout.rootsDirectory)
        var rows = [["NODE", "PATH", "STATE"]]
        for node in map.nodes {
            rows.append([node.name, layout.rootPath(for: node), RootState.of(nodeNamed: node.name, among: entries).description])
        }
        print(TextTable.render(rows), terminator: "")
        for stray in RootState.strays(among: entries, nodeNames: map.nodes.map(\.name)) {
            print("\(layout.rootsDirectory)/\(stray): no node of \(configuration.nodesPath) has this name")
        }
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
