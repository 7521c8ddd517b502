import ArgumentParser
import BrambleWire

/// Where the node map is and which subnet its IDs live in: the flags every `bramble nodes`
/// command shares.
struct NodeMapOptions: ParsableArguments {
    @Option(name: .customLong("nodes"), help: ArgumentHelp("The node map file.", valueName: "file"))
    var nodesPath: String = "/etc/bramble/nodes"

    @Option(help: ArgumentHelp("The hub's address and prefix; node N gets the subnet base + N.", valueName: "a.b.c.d/n"))
    var address: String = "10.42.0.250/24"

    func validate() throws {
        guard IPv4Interface(address) != nil else {
            throw ValidationError("--address '\(address)' is not an address with a prefix, e.g. 10.42.0.250/24")
        }
    }

    var file: NodeMapFile { NodeMapFile(path: nodesPath, subnet: IPv4Interface(address)!.subnet) }
}
