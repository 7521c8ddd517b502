import ArgumentParser
import BrambleRoots
import Glibc

/// `bramble roots create [NODE...]`: each node's own root from the base image.
struct RootsCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Make each node's own root from the base image and point the node's root= at it.",
        discussion: """
            For each node (all nodes of the map unless some are named) that has no root yet, \
            <pxe>/root is copied to <pxe>/roots/<node name> as cheaply as the file system \
            allows:
              snapshot  the base is a btrfs subvolume: one snapshot, nothing copied
              reflink   xfs (reflink=1), btrfs: files share the base's blocks until written
              copy      ext4 and others: every byte, holes kept as holes
            Every mode keeps owners, modes, ACLs, xattrs, device nodes and hard links. \
            The run says which mode it uses, estimates the space first and refuses if the \
            disk cannot hold it. Each root is built as <pxe>/roots/.<name>.partial and renamed \
            into place only when complete; an interrupted create leaves only that .partial, \
            which the next create removes. Symbolic links are copied as links, never followed.

            Each root then gets its identity: /etc/hostname, /etc/hosts (node and hub), an \
            empty /etc/machine-id (systemd makes a new one on first boot), no SSH host keys \
            (the node makes its own), no systemd random seed, and an /etc/fstab whose / is \
            the node's NFS root. Finally the node map's root= for each node made becomes \
            HUB:<pxe>/roots/<name>, so DHCP option 17 and {{root}} in cmdline.txt follow.

            Examples:
              bramble roots create                 every node without a root
              bramble roots create 5 node06        just these two
              bramble roots create --mode copy     a full copy even where reflinks work
            """
    )

    @OptionGroup var options: RootsOptions
    @Argument(help: ArgumentHelp("Nodes (IDs, names or MACs); default: every node of the map.", valueName: "node"))
    var nodes: [String] = []
    @Option(help: ArgumentHelp("snapshot, reflink or copy; default: the cheapest the file systems allow.", valueName: "mode"))
    var mode: String?
    @Option(help: ArgumentHelp("The base image to copy. (default: <pxe>/root)", valueName: "DIR"), transform: FlagValue.path)
    var base: String?

    func validate() throws {
        if let mode, RootCopyMode(rawValue: mode) == nil {
            throw ValidationError("--mode \(mode): give snapshot, reflink or copy")
        }
    }

    func run() throws {
        var creation = RootsCreation(
            configuration: try options.configuration(), references: nodes, forcedMode: mode.flatMap(RootCopyMode.init(rawValue:)),
            base: base.map(ConfigOptions.absolute))
        if isatty(1) == 1 {
            creation.progressLine = { text in
                print("\r\u{1B}[K" + text, terminator: "")
                fflush(nil)
            }
        }
        try creation.run()
    }
}
