import BrambleWire

/// One node of the map as the operator wrote it, with the defaults filled in.
public struct NodeEntry: Hashable, Sendable {
    /// The control-plane bay number; also the host part of the node's address.
    public let id: Int
    public let hardwareAddress: NodeHardwareAddress
    /// The name written on the line, if any; ``name`` falls back to the default.
    public let explicitName: String?
    public let settings: NodeSettings
    /// 1-based line number in the file, for messages.
    public let line: Int

    public init(id: Int, hardwareAddress: NodeHardwareAddress, explicitName: String?, settings: NodeSettings, line: Int) {
        self.id = id
        self.hardwareAddress = hardwareAddress
        self.explicitName = explicitName
        self.settings = settings
        self.line = line
    }

    public var name: String { explicitName ?? NodeName.defaultName(forID: id) }
    public var mac: MACAddress? { hardwareAddress.mac }

    /// The node-map tokens for this entry, as `bramble nodes add` writes them.
    public var tokens: [String] {
        [String(id), hardwareAddress.description] + (explicitName.map { [$0] } ?? []) + settings.tokens
    }
}
