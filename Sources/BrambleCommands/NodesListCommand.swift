import ArgumentParser
import BrambleNodeMap
import FoundationEssentials

/// `bramble nodes list`: the map as a table, or as JSON for scripts.
struct NodesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every node: ID, MAC, address, name, vendor and settings."
    )

    @OptionGroup var options: NodeMapOptions
    @Flag(help: "Print JSON (one array of node objects) instead of a table.")
    var json = false

    func run() throws {
        let map = try options.file().load()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(map.nodes.map { NodeListing(node: $0, in: map) })
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(NodeTable.render(map), terminator: "")
        }
    }
}
