import BrambleNodeMap
import BrambleWire

/// What a template's placeholders are replaced with, for one node.
public struct BootFileTemplateValues: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var ip: IPv4Address
    /// Nil while the node map holds a placeholder (`b8:27:eb:XX:XX:XX`).
    public var mac: MACAddress?
    /// Nil until the Pi reports it or the node map pins it.
    public var serial: String?
    public var hub: IPv4Address
    public var root: String

    public init(id: Int, name: String, ip: IPv4Address, mac: MACAddress?, serial: String?, hub: IPv4Address, root: String) {
        self.id = id
        self.name = name
        self.ip = ip
        self.mac = mac
        self.serial = serial
        self.hub = hub
        self.root = root
    }

    /// The values for a node of the map; `defaultRoot` (e.g. `10.42.0.250:/pxe/root`)
    /// applies unless the node has its own `root=`.
    public init(node: NodeEntry, address: IPv4Address, serial: String?, hub: IPv4Address, defaultRoot: String) {
        self.init(
            id: node.id, name: node.name, ip: address, mac: node.mac, serial: serial ?? node.settings.serial,
            hub: hub, root: node.settings.root ?? defaultRoot)
    }

    /// The text for a key, nil when the value is unknown.
    public func text(for key: BootFileTemplateKey) -> String? {
        switch key {
        case .id: String(id)
        case .name: name
        case .ip: ip.description
        case .mac: mac?.description
        case .serial: serial
        case .hub: hub.description
        case .root: root
        }
    }
}
