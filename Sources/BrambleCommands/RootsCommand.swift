import ArgumentParser

/// `bramble roots`: one writable NFS root per node, made from the shared base image.
///
/// The guide's hub serves one read-only image to every node: fine for testing, not for
/// production, where each node needs its own writable root with its own identity. These
/// subcommands make, list, update and remove those roots over the node map; see docs/roots.md.
struct RootsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roots",
        abstract: "Make and keep one writable NFS root per node from the shared base image.",
        discussion: """
            The base image is <pxe>/root (the read-only root every node shares by default); \
            each node's own root is <pxe>/roots/<node name>. `create` copies the base as \
            cheaply as the file system allows (btrfs snapshot, reflink, else a full copy), \
            gives each copy its own identity and points the node's root= at it; `update` \
            brings roots up to a new base keeping each node's own files; `rm` moves a root \
            aside; `export` and `check` serve them over NFS. See docs/roots.md and docs/nfs.md.
            """,
        subcommands: [
            RootsCreateCommand.self, RootsListCommand.self, RootsUpdateCommand.self, RootsRemoveCommand.self,
            RootsExportCommand.self, RootsCheckCommand.self,
        ],
        defaultSubcommand: RootsListCommand.self
    )
}
