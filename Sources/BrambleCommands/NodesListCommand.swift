import ArgumentParser
import BrambleControl
import BrambleNodeMap
import BrambleWire

/// `bramble nodes list`: the map as a table, or as JSON for scripts.
struct NodesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every node: ID, MAC, address, name, vendor, model and settings.",
        discussion: """
            MODEL is what the node's firmware reported to the running daemon ("Pi 5B 8GB rev 1.0"), \
            asked over the control socket in the config's state-dir; "-" when the node was not heard \
            or no daemon answers.
            """
    )

    @OptionGroup var options: NodeMapOptions
    @Flag(help: "Print JSON (one array of node objects) instead of a table.")
    var json = false

    func run() throws {
        let configuration = try options.configuration()
        let file = try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load()
        let models = Self.reportedModels(socketPath: DaemonOptions.socketPath(in: configuration))
        // Proxy mode: a node's address is the router's choice, known only to the daemon.
        let map = configuration.dhcpMode == .proxy ? file.addressed(by: models.assignedAddresses(in: file)) : file
        if json {
            let text = try JSONText.encode(map.nodes.map { NodeListing(node: $0, in: map, models: models) }, pretty: true)
            print(String(decoding: text, as: UTF8.self))
        } else {
            print(NodeTable.render(map, models: models), terminator: "")
        }
    }

    /// How long to wait for the daemon: the listing is of the file, the models are extra.
    static let statusTimeoutMilliseconds: Int32 = 1000

    /// The models the running daemon heard, by node ID and MAC; empty when none answers (the
    /// map is listed from its file either way).
    static func reportedModels(socketPath: String) -> ReportedModels {
        guard let client = try? ControlClient(path: socketPath),
              let status = try? client.ask(ControlRequest(command: .status), timeoutMilliseconds: statusTimeoutMilliseconds).status
        else { return ReportedModels() }
        return ReportedModels(status)
    }
}

/// The models of a status report, matched to the node map's entries by ID and MAC, so a
/// daemon serving another map (or a node since re-enrolled) lends no model to the wrong node.
struct ReportedModels {
    private var byID: [Int: (mac: String, model: String)] = [:]
    private var addressByID: [Int: (mac: String, address: IPv4Address)] = [:]

    init() {}

    init(_ report: StatusReport) {
        for node in report.nodes {
            if let mac = node.mac, let model = node.model { byID[node.id] = (mac, model) }
            if let mac = node.mac, let address = IPv4Address(node.ip) { addressByID[node.id] = (mac, address) }
        }
    }

    /// The addresses the daemon reports for `map`'s nodes, matched by ID and MAC like the models.
    func assignedAddresses(in map: NodeMap) -> AssignedAddresses {
        var assigned = AssignedAddresses()
        for node in map.nodes {
            if let reported = addressByID[node.id], reported.mac == node.mac?.description { assigned.assign(reported.address, toNode: node.id) }
        }
        return assigned
    }

    func model(of node: NodeEntry) -> String? {
        guard let reported = byID[node.id], let mac = node.mac, reported.mac == mac.description else { return nil }
        return reported.model
    }
}
