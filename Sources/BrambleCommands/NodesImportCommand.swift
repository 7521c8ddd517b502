import ArgumentParser
import BrambleNodeMap
import BrambleWire

/// `bramble nodes import-dnsmasq FILE`: bring the hosts of a dnsmasq set-up into the map.
struct NodesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-dnsmasq",
        abstract: "Import dhcp-host lines (dnsmasq.conf, a dhcp-hostsfile or /etc/ethers) into the node map.",
        discussion: """
            Each dhcp-host entry with a MAC and an address in the cluster subnet becomes a node \
            (ID = the address's host number; `ignore` becomes `disabled`). An entry for a bay that \
            the map holds as a placeholder (b8:27:eb:XX:XX:XX) fills in its MAC. Everything that \
            cannot be imported is listed as FILE:LINE: reason, and other dnsmasq options are \
            mapped to the bramble.conf setting that replaces them. The map is written once, \
            atomically, and only if the result is valid; --dry-run writes nothing.
            """
    )

    @OptionGroup var options: NodeMapOptions
    @Flag(help: "Show what would change without writing the node map.")
    var dryRun = false
    @Argument(help: ArgumentHelp("The dnsmasq file to read.", valueName: "file"))
    var file: String

    func run() throws {
        let configuration = try options.configuration()
        let nodeMap = NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet)
        let text = try TextFile.read(file)
        let result = DnsmasqImport.convert(text: text, fileName: file, subnet: nodeMap.subnet, domain: configuration.domain.name)
        var plan = ImportPlan()
        if dryRun {
            let current = TextFile.exists(nodeMap.path) ? try TextFile.read(nodeMap.path) : ""
            let document = NodeMapDocument(parsing: current, fileName: nodeMap.path)
            _ = plan.apply(result.nodes, to: document, map: try? NodeMap(document: document, subnet: nodeMap.subnet), importFile: file)
        } else {
            try nodeMap.edit(creating: true) { document, map in
                plan.apply(result.nodes, to: document, map: map, importFile: file)
            }
        }
        for line in result.reportLines + plan.messages { print(line) }
        let verb = dryRun ? "would import" : "imported"
        print("\(verb) \(plan.added.count) new and \(plan.filled.count) enrolled node\(plan.added.count + plan.filled.count == 1 ? "" : "s") into \(nodeMap.path)"
            + "; \(plan.alreadyPresent) already present, \(plan.conflicts) in conflict, \(result.unconverted.count) line\(result.unconverted.count == 1 ? "" : "s") not imported")
    }
}

/// How imported nodes merge into an existing map: new bays are added, placeholders are
/// filled, identical entries are skipped, and anything that disagrees with the map is
/// reported instead of overwriting what the operator wrote.
struct ImportPlan {
    var added: [NodeEntry] = []
    var filled: [NodeEntry] = []
    var alreadyPresent = 0
    var conflicts = 0
    var messages: [String] = []

    mutating func apply(_ nodes: [ImportedNode], to document: NodeMapDocument, map: NodeMap?, importFile: String) -> String {
        var text = document.text
        for imported in nodes {
            let working = NodeMapDocument(parsing: text, fileName: document.fileName)
            // dnsmasq configs name every host; a name that is the default adds nothing to the map.
            let name = imported.name == NodeName.defaultName(forID: imported.id) ? nil : imported.name
            let entry = NodeEntry(
                id: imported.id, hardwareAddress: .mac(imported.mac), explicitName: name,
                settings: NodeSettings(disabled: imported.disabled), line: 0)
            let byID = working.entries.first { $0.id == imported.id }
            let byMAC = working.entries.first { $0.mac == imported.mac }
            switch (byID, byMAC) {
            case (nil, nil):
                text = working.adding(entry)
                added.append(entry)
            case (let existing?, _) where existing.mac == imported.mac:
                alreadyPresent += 1
            case (let existing?, nil) where existing.mac == nil:
                let enrolled = NodeEntry(
                    id: existing.id, hardwareAddress: .mac(imported.mac), explicitName: existing.explicitName ?? name,
                    settings: existing.settings, line: existing.line)
                text = working.replacing(nodeID: existing.id, with: enrolled)!
                filled.append(enrolled)
            case (let existing?, _):
                conflicts += 1
                messages.append("\(importFile):\(imported.line): not imported: bay \(imported.id) is already \(existing.hardwareAddress) in \(document.fileName):\(existing.line)")
            case (nil, let existing?):
                conflicts += 1
                messages.append("\(importFile):\(imported.line): not imported: \(imported.mac) is already node \(existing.id) in \(document.fileName):\(existing.line)")
            }
        }
        return text
    }
}
