import BrambleNodeMap

/// Who is asking for a file, as far as the server knows from DHCP and the node map.
public struct TFTPClient: Sendable {
    /// The node whose address the request came from, if it is in the node map.
    public var node: NodeEntry?
    /// The Pi serial number (8 lowercase hex digits) the client's MAC reported in DHCP
    /// option 97, if it did.
    public var serial: String?
    /// The generation in the Pi bootloader's option 97 FourCC (`RPi5`: 5), if it sent
    /// one: it decides which files are the prefix probes (``TFTPPathResolver``).
    public var bootloaderGeneration: Int?

    public init(node: NodeEntry? = nil, serial: String? = nil, bootloaderGeneration: Int? = nil) {
        self.node = node
        self.serial = serial
        self.bootloaderGeneration = bootloaderGeneration
    }

    public init(node: NodeEntry?, reported: RaspberryPiDHCPReport) {
        self.init(node: node, serial: reported.serial, bootloaderGeneration: reported.bootloaderGeneration)
    }
}

/// What DHCP learned about a MAC from its option 97, handed to TFTP.
public struct RaspberryPiDHCPReport: Hashable, Sendable {
    public var serial: String?
    public var bootloaderGeneration: Int?

    public init(serial: String? = nil, bootloaderGeneration: Int? = nil) {
        self.serial = serial
        self.bootloaderGeneration = bootloaderGeneration
    }
}
