import ArgumentParser
import BrambleNodeMap
import BrambleRoots
import BrambleWire

/// The flags every `bramble roots` command shares: which config, node map and pxe directory,
/// so `--config` means the same file, with the same defaults, as for `serve` and `nodes`.
struct RootsOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The config file naming the node map, the pxe directory, the hub's address and the domain. (default: \(ConfigOptions.defaultConfigPath) if it exists)",
            valueName: "FILE"))
    var configFile: String?

    @Option(
        name: .customLong("nodes"),
        help: ArgumentHelp("The node map file. (default: the config's `nodes`, else /etc/bramble/nodes)", valueName: "FILE"),
        transform: FlagValue.path)
    var nodesPath: String?

    @Option(
        help: ArgumentHelp("The directory holding root/ (the base image) and roots/ (one root per node). (default: the config's `pxe`, else /pxe)", valueName: "DIR"),
        transform: FlagValue.path)
    var pxe: String?

    @Option(
        help: ArgumentHelp("The hub's address and prefix: the NFS server the roots are named on. (default: 10.42.0.250/24)", valueName: "A.B.C.D/N"),
        transform: FlagValue.hubAddress)
    var address: IPv4Interface?

    @Option(
        help: ArgumentHelp("The DNS domain written into each root's /etc/hosts. (default: the config's `domain`, else cluster)", valueName: "NAME"),
        transform: FlagValue.domain)
    var domain: DomainName?

    func configuration() throws -> BrambleConfig {
        let overrides = ConfigOverrides(
            address: address,
            nodesPath: nodesPath.map(ConfigOptions.absolute),
            pxeDirectory: pxe.map(ConfigOptions.absolute),
            domain: domain)
        return try ConfigOptions.loadConfiguration(configFile: configFile, overrides: overrides)
    }
}

extension NodeRootLayout {
    /// The layout under the configuration's pxe directory.
    init(_ configuration: BrambleConfig) {
        self.init(pxe: configuration.pxeDirectory)
    }
}
