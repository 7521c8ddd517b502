import ArgumentParser

/// `bramble nodes`: read and edit the node map.
struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Read and edit the node map (which MAC is which bay).",
        discussion: """
            The node map has one node a line: ID MAC [NAME] [key=value ...]. Node ID N gets \
            the subnet base + N (10.42.0.N) and the name nodeNN unless the line names it. \
            Settings: root=SERVER:/path (NFS root), serial=XXXXXXXX (Pi serial), disabled. \
            Edits keep every other line as it was, are written atomically, and are refused \
            if the map would become invalid. A running server reloads the file on save.
            """,
        subcommands: [
            NodesListCommand.self, NodesAddCommand.self, NodesSetCommand.self, NodesRemoveCommand.self,
            NodesCheckCommand.self, NodesImportCommand.self,
        ],
        defaultSubcommand: NodesListCommand.self
    )
}
