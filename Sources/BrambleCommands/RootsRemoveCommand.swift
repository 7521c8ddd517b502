import ArgumentParser
import BrambleFiles
import BrambleNodeMap
import BrambleRootFiles
import BrambleRoots
import BrambleWire
import Glibc

/// `bramble roots rm NODE...`: take nodes' roots out of use, keeping them by default.
struct RootsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Move nodes' roots aside to <pxe>/roots/.removed (or delete them with --delete).",
        discussion: """
            Each root <pxe>/roots/<name> is renamed to <pxe>/roots/.removed/<name>-<UTC time>: \
            nothing is deleted, and moving it back (mv) restores it. A node whose root= named \
            this root has root= removed from the node map, so it boots the shared base again \
            instead of a path that no longer exists. Power the node off first: a running node \
            keeps using the files it has open. --delete removes the root for good instead \
            (links inside it are removed, never followed).

            Examples:
              bramble roots rm node05
              bramble roots rm --delete 5 6
            """
    )

    @OptionGroup var options: RootsOptions
    @Argument(help: ArgumentHelp("Nodes (IDs, names or MACs).", valueName: "node"))
    var nodes: [String]
    @Flag(help: "Delete the roots instead of moving them aside. There is no undo.")
    var delete = false

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("name at least one node whose root to remove") }
    }

    func run() throws {
        var removal = RootsRemoval(configuration: try options.configuration(), references: nodes, delete: delete)
        removal.say = { print($0) }
        try removal.run()
    }
}

/// `roots rm` as a value, for tests.
struct RootsRemoval {
    var configuration: BrambleConfig
    var references: [String]
    var delete: Bool
    var say: (String) -> Void = { _ in }
    /// The time in the moved-aside name; tests fix it.
    var now: () -> time_t = { time(nil) }

    func run() throws {
        let layout = NodeRootLayout(configuration)
        let file = NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet)
        let map = try file.load()
        let nodes = try RootsSelection.nodes(references, in: map, path: file.path)
        guard TextFile.isDirectory(layout.rootsDirectory) else {
            say("\(layout.rootsDirectory): no roots; nothing to remove")
            return
        }
        let roots = try RootsFileSystem.open(layout.rootsDirectory)
        try roots.lock(layout.rootsDirectory)
        defer { withExtendedLifetime(roots) {} }
        let entries = RootsDirectory.entries(layout.rootsDirectory)
        var removed: [NodeEntry] = []
        for node in nodes {
            let path = layout.rootPath(for: node)
            guard RootState.of(nodeNamed: node.name, among: entries) == .present else {
                say("\(node.name): no root at \(path); nothing to remove")
                continue
            }
            if delete {
                say("\(node.name): deleting \(path) and everything in it")
                try TreeRemover.remove(node.name, in: roots.fd, path: path)
            } else {
                if !TextFile.exists(layout.removedDirectory) {
                    guard mkdir(layout.removedDirectory, 0o700) == 0 else {
                        throw FileAccessError(path: layout.removedDirectory, operation: "create directory", errno: errno)
                    }
                }
                let aside = layout.removedDirectory + "/" + node.name + "-" + Self.timestamp(now())
                say("\(node.name): moving \(path) to \(aside)")
                guard rename(path, aside) == 0 else { throw FileAccessError(path: path, operation: "move to \(aside)", errno: errno) }
            }
            unlink(layout.recordPath(forNodeNamed: node.name))
            removed.append(node)
        }
        let pointing = removed.filter { $0.settings.root == "\(configuration.address.address):\(layout.rootPath(for: $0))" }
        guard !pointing.isEmpty else { return }
        try file.edit { document, current in
            var text = document.text
            for node in pointing {
                let working = NodeMapDocument(parsing: text, fileName: file.path)
                let entry = try findNode(node.name, in: current, document: working, path: file.path)
                var settings = entry.settings
                _ = settings.unset(NodeSettingKey.root.rawValue)
                text = working.replacing(nodeID: entry.id, with: NodeEntry(id: entry.id, hardwareAddress: entry.hardwareAddress, explicitName: entry.explicitName, settings: settings, line: entry.line))!
            }
            return text
        }
        for node in pointing {
            say("node map \(file.path): \(node.name): root= removed (the node boots \(configuration.defaultNFSRoot) again)")
        }
    }

    /// `20261207T150405Z`: sorts by time, and has no character a file name or NFS export
    /// would stumble over.
    static func timestamp(_ seconds: time_t) -> String {
        var clock = seconds
        var parts = tm()
        gmtime_r(&clock, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
