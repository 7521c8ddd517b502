import ArgumentParser
import BrambleNodeMap
import BrambleWire

/// Where the node map is and which subnet its IDs live in: the flags every `bramble nodes`
/// and `bramble roots` command shares (``RootsOptions`` adds its own two). They are a subset of ``ConfigOptions`` and are loaded the same way, so
/// `--config` means the same file (with the same defaults) for `nodes` and for `serve`.
struct NodeMapOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The config file naming the node map, the hub's address and the other settings. (default: \(ConfigOptions.defaultConfigPath) if it exists)",
            valueName: "FILE"))
    var configFile: String?

    @Option(
        name: .customLong("nodes"),
        help: ArgumentHelp("The node map file. (default: the config's `nodes`, else /etc/bramble/nodes)", valueName: "FILE"),
        transform: FlagValue.path)
    var nodesPath: String?

    @Option(
        help: ArgumentHelp("The hub's address and prefix: node N gets the subnet base + N, and the NFS roots are named on it. (default: 10.42.0.250/24)", valueName: "A.B.C.D/N"),
        transform: FlagValue.hubAddress)
    var address: IPv4Interface?

    /// The configuration these flags select, with the node map's path and subnet decided;
    /// `roots` adds its pxe directory and domain.
    func configuration(pxeDirectory: String? = nil, domain: DomainName? = nil) throws -> BrambleConfig {
        let overrides = ConfigOverrides(
            address: address, nodesPath: nodesPath.map(ConfigOptions.absolute), pxeDirectory: pxeDirectory, domain: domain)
        return try ConfigOptions.loadConfiguration(configFile: configFile, overrides: overrides)
    }

    func file() throws -> NodeMapFile {
        let configuration = try configuration()
        return NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet)
    }
}
