import ArgumentParser
import BrambleNodeMap
import BrambleRoots
import BrambleWire

/// The flags every `bramble roots` command shares: ``NodeMapOptions`` (which config, node
/// map and hub address, so `--config` means the same file, with the same defaults, as for
/// `serve` and `nodes`) and the two a root needs besides: the pxe directory and the domain.
struct RootsOptions: ParsableArguments {
    @OptionGroup var nodeMap: NodeMapOptions

    @Option(
        help: ArgumentHelp("The directory holding root/ (the base image) and roots/ (one root per node). (default: the config's `pxe`, else /pxe)", valueName: "DIR"),
        transform: FlagValue.path)
    var pxe: String?

    @Option(
        help: ArgumentHelp("The DNS domain written into each root's /etc/hosts. (default: the config's `domain`, else cluster)", valueName: "NAME"),
        transform: FlagValue.domain)
    var domain: DomainName?

    func configuration() throws -> BrambleConfig {
        try nodeMap.configuration(pxeDirectory: pxe.map(ConfigOptions.absolute), domain: domain)
    }
}

extension NodeRootLayout {
    /// The layout under the configuration's pxe directory.
    init(_ configuration: BrambleConfig) {
        self.init(pxe: configuration.pxeDirectory)
    }
}
