import BrambleNodeMap
import BrambleWire

/// One node as `bramble nodes list` shows it; also the `--json` schema.
struct NodeListing: Codable, Equatable {
    var id: Int
    /// The MAC, or the placeholder (`b8:27:eb:xx:xx:xx`) of a bay not yet enrolled.
    var mac: String
    var enrolled: Bool
    var ip: String
    var name: String
    var vendor: String?
    /// What the node's firmware reported to the running daemon; absent when unknown.
    var model: String?
    var root: String?
    var serial: String?
    var disabled: Bool
    var line: Int

    init(node: NodeEntry, in map: NodeMap, models: ReportedModels = ReportedModels()) {
        id = node.id
        mac = node.hardwareAddress.description
        enrolled = node.mac != nil
        // In proxy mode "-" until the daemon has seen the address the router gave the node.
        ip = map.knownAddress(of: node).map(String.init(describing:)) ?? "-"
        name = node.name
        vendor = node.hardwareAddress.oui.flatMap(RaspberryPiVendor.label(oui:))
        model = models.model(of: node)
        root = node.settings.root
        serial = node.settings.serial
        disabled = node.settings.disabled
        line = node.line
    }
}
