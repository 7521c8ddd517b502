import ArgumentParser

/// The `bramble` root command: every operator task is a subcommand.
public struct BrambleCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bramble",
        abstract: "Netboot provisioning for Raspberry Pi clusters: DHCP, TFTP and DNS from one node map.",
        version: BuildInfo.versionLine,
        subcommands: [
            ServeCommand.self, CheckCommand.self, NodesCommand.self, StatusCommand.self, LogsCommand.self, EnrollCommand.self,
            PowerOnCommand.self, ReplayCommand.self, DemoLauncher.self, WebLauncher.self, MigrateCommand.self,
            RootsCommand.self, BmcCommand.self,
        ]
    )

    public init() {}
}
