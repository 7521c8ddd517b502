import BrambleNodeMap

/// Who is asking for a file, as far as the server knows from DHCP and the node map.
public struct TFTPClient: Sendable {
    /// The node whose address the request came from, if it is in the node map.
    public var node: NodeEntry?
    /// The Pi serial number (8 lowercase hex digits) the client's MAC reported in DHCP
    /// option 97, if it did.
    public var serial: String?

    public init(node: NodeEntry? = nil, serial: String? = nil) {
        self.node = node
        self.serial = serial
    }
}
