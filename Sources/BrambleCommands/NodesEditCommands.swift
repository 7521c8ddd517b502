import ArgumentParser
import BrambleNodeMap
import BrambleWire

/// `bramble nodes add ID MAC [NAME] [SETTING...]`: the same words as a line of the file.
struct NodesAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a node: bramble nodes add ID MAC [NAME] [SETTING...]",
        discussion: "Example: bramble nodes add 37 b8:27:eb:12:34:56 web37 root=10.42.0.250:/pxe/root/web37"
    )

    @OptionGroup var options: NodeMapOptions
    @Argument(help: "The bay number; the node's address is the subnet base + ID.")
    var id: String
    @Argument(help: "The Pi's MAC address, or b8:27:eb:XX:XX:XX until it is enrolled.")
    var mac: String
    @Argument(help: ArgumentHelp("An optional name, then settings: root=SERVER:/path, serial=XXXXXXXX, disabled.", valueName: "name-and-settings"))
    var rest: [String] = []

    func run() throws {
        let entry = try parsedArguments(([id, mac] + rest).joined(separator: " "))
        let file = try options.file()
        let updated = try file.edit(creating: true) { document, current in
            if let existing = current?.node(id: entry.id) {
                throw NodeExists(path: file.path, existing: existing)
            }
            return document.adding(entry)
        }
        let node = updated.node(id: entry.id)!
        print("added node \(node.id) (\(node.name), \(updated.address(of: node)), \(node.hardwareAddress)) to \(file.path) line \(node.line)")
    }
}

/// `bramble nodes set NODE ...`: change one node's MAC, name or settings in place.
struct NodesSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change a node's MAC, name or settings, keeping its line's comment.",
        discussion: """
            NODE is an ID, a name or a MAC. Examples:
              bramble nodes set 37 --mac b8:27:eb:65:43:21
              bramble nodes set node05 disabled root=10.42.0.250:/pxe/root/node05
              bramble nodes set 5 --unset disabled
            """
    )

    @OptionGroup var options: NodeMapOptions
    @Argument(help: "The node: its ID, name or MAC.")
    var node: String
    @Argument(help: ArgumentHelp("Settings to set: root=SERVER:/path, serial=XXXXXXXX, disabled.", valueName: "setting"))
    var settings: [String] = []
    @Option(help: ArgumentHelp("A new MAC address.", valueName: "mac"))
    var mac: String?
    @Option(help: ArgumentHelp("A new host name.", valueName: "name"))
    var name: String?
    @Flag(help: "Drop the written name, so the node is named nodeNN again.")
    var defaultName = false
    @Option(help: ArgumentHelp("A setting to remove (root, serial or disabled); repeatable.", valueName: "key"))
    var unset: [String] = []

    func validate() throws {
        guard mac != nil || name != nil || defaultName || !settings.isEmpty || !unset.isEmpty else {
            throw ValidationError("nothing to change: give --mac, --name, --default-name, settings or --unset")
        }
        if name != nil && defaultName { throw ValidationError("--name and --default-name contradict each other") }
        for key in unset where NodeSettingKey(rawValue: key) == nil {
            throw ValidationError("--unset \(key): unknown setting; known: \(NodeSettingKey.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        var changedID = 0
        let file = try options.file()
        let updated = try file.edit { document, current in
            let existing = try findNode(node, in: current, document: document, path: file.path)
            changedID = existing.id
            let replacement = try changed(existing)
            return document.replacing(nodeID: existing.id, with: replacement)!
        }
        let changedNode = updated.node(id: changedID)!
        print("node \(changedNode.id) is now: \(changedNode.tokens.joined(separator: " "))")
    }

    private func changed(_ existing: NodeEntry) throws -> NodeEntry {
        var hardwareAddress = existing.hardwareAddress
        if let mac {
            hardwareAddress = try parsedArguments("\(existing.id) \(mac)").hardwareAddress
        }
        var explicitName = defaultName ? nil : existing.explicitName
        if let name {
            if let reason = NodeName.problem(with: name[...]) {
                throw ValidationError("--name '\(name)' is not a valid host name (RFC 1123): \(reason)")
            }
            explicitName = name
        }
        var newSettings = existing.settings
        for key in unset { _ = newSettings.unset(key) }
        for token in settings {
            let key = String(token.prefix { $0 != "=" })
            _ = newSettings.unset(key)
            if let problem = newSettings.apply(token: token[...]) { throw ValidationError("\(token): \(problem)") }
        }
        return NodeEntry(id: existing.id, hardwareAddress: hardwareAddress, explicitName: explicitName, settings: newSettings, line: existing.line)
    }
}

/// `bramble nodes rm NODE...`: delete nodes' lines.
struct NodesRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove nodes from the map (their lines only; comments stay)."
    )

    @OptionGroup var options: NodeMapOptions
    @Argument(help: "The nodes: IDs, names or MACs.")
    var nodes: [String]

    func validate() throws {
        if nodes.isEmpty { throw ValidationError("name at least one node to remove") }
    }

    func run() throws {
        var removed: [String] = []
        let file = try options.file()
        try file.edit { document, current in
            var text = document.text
            for reference in nodes {
                let working = NodeMapDocument(parsing: text, fileName: file.path)
                let entry = try findNode(reference, in: current, document: working, path: file.path)
                text = working.removing(nodeID: entry.id)!
                removed.append("\(entry.id) (\(entry.name))")
            }
            return text
        }
        print("removed node\(removed.count == 1 ? "" : "s") \(removed.joined(separator: ", ")) from \(file.path)")
    }
}

/// `bramble nodes check`: validate without changing anything.
struct NodesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the node map and report every problem as FILE:LINE: reason."
    )

    @OptionGroup var options: NodeMapOptions

    func run() throws {
        let file = try options.file()
        let map = try file.load()
        let enrolled = map.nodes.filter { $0.mac != nil }.count
        print("\(file.path): \(map.nodes.count) nodes, \(enrolled) with a MAC: OK")
    }
}

/// Parses command-line words as one node line, turning problems into usage errors.
func parsedArguments(_ line: String) throws -> NodeEntry {
    switch NodeEntry.parse(line: line) {
    case .success(let entry): return entry
    case .failure(let invalid): throw ValidationError(invalid.diagnostics.map(\.problem.description).joined(separator: "; "))
    }
}

/// Finds a node by ID, name or MAC, also in a map that is currently invalid (so `rm` and
/// `set` can repair it).
func findNode(_ reference: String, in map: NodeMap?, document: NodeMapDocument, path: String) throws -> NodeEntry {
    if let map, let node = map.node(matching: reference) {
        // The map's own entry, but with the line number of the working document.
        if let current = document.entries.first(where: { $0.id == node.id }) { return current }
    }
    let lowered = reference.lowercased()
    if let node = document.entries.first(where: {
        String($0.id) == reference || $0.name.lowercased() == lowered || $0.hardwareAddress.description == lowered
    }) {
        return node
    }
    throw NoSuchNode(path: path, reference: reference)
}

struct NoSuchNode: UserFacingError {
    let path: String
    let reference: String
    var message: String { "\(path): no node '\(reference)' (give an ID, a name or a MAC; `bramble nodes list` shows them)" }
}

struct NodeExists: UserFacingError {
    let path: String
    let existing: NodeEntry
    var message: String {
        "\(path):\(existing.line): node \(existing.id) already exists (\(existing.name), \(existing.hardwareAddress)); change it with `bramble nodes set \(existing.id) ...`"
    }
}
