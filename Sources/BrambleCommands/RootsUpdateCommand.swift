import ArgumentParser
import BrambleFiles
import BrambleNodeMap
import BrambleRootFiles
import BrambleRoots
import BrambleWire
import Glibc

/// `bramble roots update [--dry-run] [NODE...]`: bring node roots up to a new base image.
struct RootsUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Bring nodes' roots up to the (new) base image, keeping what is each node's own.",
        discussion: """
            Update the base image first (e.g. apt in a chroot of <pxe>/root, or a new image \
            copied there), then run this. For each node, one at a time: a new root is built \
            from the base beside the old one (as <pxe>/roots/.<name>.partial, the same way \
            `create` builds one), given the node's identity, and the node's own paths are \
            copied into it from the old root: /etc/hostname, /etc/hosts, /etc/fstab, \
            /etc/machine-id, /var/lib/dbus/machine-id, /etc/ssh/ssh_host_*, the systemd \
            random seed, and every path of the config's `roots-keep` (e.g. \
            roots-keep = /var/lib/docker /home). The new root is then swapped in with one \
            rename and the old root moved to <pxe>/roots/.removed/<name>-<UTC time>; nothing \
            is deleted. A node that is running keeps the files it has open: reboot it \
            (bramble power) to run the updated root; the other nodes keep running meanwhile.

            --dry-run changes nothing and lists, per node, what the update would do: \
            + added, - removed, ~ changed (kind, owner, mode, size or time differ), = kept \
            as the node's own.

            Examples:
              bramble roots update --dry-run node05
              bramble roots update 5 6 7
            """
    )

    @OptionGroup var options: RootsOptions
    @Argument(help: ArgumentHelp("Nodes (IDs, names or MACs); default: every node with a root.", valueName: "node"))
    var nodes: [String] = []
    @Flag(help: "List what would change; change nothing.")
    var dryRun = false
    @Option(help: ArgumentHelp("The new base image. (default: <pxe>/root)", valueName: "DIR"), transform: FlagValue.path)
    var base: String?

    func run() throws {
        var update = RootsUpdate(configuration: try options.configuration(), references: nodes, dryRun: dryRun, base: base.map(ConfigOptions.absolute))
        update.say = { print($0) }
        try update.run()
    }
}

/// `roots update` as a value, for tests.
struct RootsUpdate {
    var configuration: BrambleConfig
    var references: [String]
    var dryRun: Bool
    var layout: NodeRootLayout
    var say: (String) -> Void = { _ in }
    var now: () -> time_t = { time(nil) }
    var freeSpace: (Int32, String) throws -> FreeSpace = { try FreeSpaceReading.of($0, path: $1) }

    init(configuration: BrambleConfig, references: [String], dryRun: Bool, base: String?) {
        self.configuration = configuration
        self.references = references
        self.dryRun = dryRun
        var layout = NodeRootLayout(configuration)
        if let base { layout.baseImage = base }
        self.layout = layout
    }

    /// The nodes updated (or, in a dry run, that would change).
    @discardableResult
    func run() throws -> [String] {
        let file = NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet)
        let map = try file.load()
        let nodes = try RootsSelection.nodes(references, in: map, path: file.path)
        guard TextFile.isDirectory(layout.baseImage) else { throw RootsRefusal.noBaseImage(layout.baseImage) }
        guard TextFile.isDirectory(layout.rootsDirectory) else {
            say("\(layout.rootsDirectory): no roots yet; `bramble roots create` makes them")
            return []
        }
        try RootsRefusal.checkApart(base: layout.baseImage, roots: layout.rootsDirectory)
        let lockedRoots = try RootsFileSystem.open(layout.rootsDirectory)
        try lockedRoots.lock(layout.rootsDirectory)
        defer { withExtendedLifetime(lockedRoots) {} }
        let entries = RootsDirectory.entries(layout.rootsDirectory)
        let baseListing = try TreeListing.walk(layout.baseImage)
        let keep = configuration.rootsKeep.withIdentity
        var updated: [String] = []
        for node in nodes {
            let path = layout.rootPath(for: node)
            guard RootState.of(nodeNamed: node.name, among: entries) == .present else {
                if !references.isEmpty { say("\(node.name): no root at \(path); `bramble roots create \(node.name)` makes one") }
                continue
            }
            let plan = RootUpdatePlan(root: try TreeListing.walk(path), base: baseListing, keep: keep)
            let summary = "\(plan.added.count) added, \(plan.removed.count) removed, \(plan.changed.count) changed, \(plan.kept.count) kept as the node's own"
            if plan.isEmpty {
                say("\(node.name): \(path) already matches \(layout.baseImage) (\(plan.kept.count) paths the node's own); left as it is")
                continue
            }
            updated.append(node.name)
            if dryRun {
                say("\(node.name): would update \(path): \(summary)")
                for line in plan.lines { say("  " + line) }
                continue
            }
            try replace(node, in: map, plan: plan, summary: summary)
        }
        if dryRun { say(updated.isEmpty ? "dry run: nothing would change" : "dry run: nothing was changed") }
        return updated
    }

    private func replace(_ node: NodeEntry, in map: NodeMap, plan: RootUpdatePlan, summary: String) throws {
        let path = layout.rootPath(for: node)
        let roots = try RootsFileSystem.open(layout.rootsDirectory)
        let survey = try BaseImageSurvey(base: layout.baseImage)
        let mode = try CopyModeProbe.cheapest(base: layout.baseImage, rootsDirectory: roots.fd, sampleFile: survey.sampleFile)
        let needed = SpaceEstimate(mode: mode, base: survey.size, roots: 1)
        if let shortage = SpaceShortage(needed: needed, free: try freeSpace(roots.fd, layout.rootsDirectory), directory: layout.rootsDirectory) {
            throw shortage
        }
        if !TextFile.exists(layout.removedDirectory) {
            guard mkdir(layout.removedDirectory, 0o700) == 0 else { throw FileAccessError(path: layout.removedDirectory, operation: "create directory", errno: errno) }
        }
        let aside = layout.removedDirectory + "/" + node.name + "-" + RootsRemoval.timestamp(now())
        say("\(node.name): updating \(path): \(summary)")
        say("  building the new root as \(layout.partialPath(forNodeNamed: node.name)) (\(mode.rawValue)) and carrying the node's own paths over; then swapping it in and moving the old root to \(aside)")
        let oldRoot = try RootsFileSystem.open(path, following: false)
        let identity = NodeIdentity(node: node, in: map, hub: configuration.address.address, domain: configuration.domain.name, rootPath: path)
        let maker = RootMaker(base: layout.baseImage, rootsDirectory: layout.rootsDirectory, mode: mode)
        try maker.replace(nodeName: node.name, asidePath: aside) { newRoot, newPath in
            try RootIdentityWriter.apply(identity, root: newRoot, rootPath: newPath)
            let copier = TreeCopier(mode: mode == .copy ? .copy : .reflink)
            for kept in plan.kept {
                try copier.copyEntry(kept, fromRoot: oldRoot.fd, sourcePath: path, toRoot: newRoot, destinationPath: newPath)
            }
        }
        say("\(node.name): updated; reboot it to run the new root (the old one is at \(aside))")
    }
}
