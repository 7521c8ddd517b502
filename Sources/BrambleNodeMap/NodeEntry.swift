import BrambleWire

/// One node of the map as the operator wrote it, with the defaults filled in.
public struct NodeEntry: Hashable, Sendable {
    /// The control-plane bay number; also the host part of the node's address.
    public let id: Int
    public let hardwareAddress: NodeHardwareAddress
    /// The name written on the line, if any; ``name`` falls back to the default.
    public let explicitName: String?
    /// The explicit name or the default, made once: every DHCP event and boot log line of
    /// the node reads it.
    public let name: String
    public let settings: NodeSettings
    /// 1-based line number in the file, for messages.
    public let line: Int

    public init(id: Int, hardwareAddress: NodeHardwareAddress, explicitName: String?, settings: NodeSettings, line: Int) {
        self.id = id
        self.hardwareAddress = hardwareAddress
        self.explicitName = explicitName
        name = explicitName ?? NodeName.defaultName(forID: id)
        self.settings = settings
        self.line = line
    }

    public var mac: MACAddress? { hardwareAddress.mac }

    /// The node-map tokens for this entry, as `bramble nodes add` writes them.
    public var tokens: [String] {
        [String(id), hardwareAddress.description] + (explicitName.map { [$0] } ?? []) + settings.tokens
    }
}

extension NodeEntry {
    /// Parses one node line in the file's grammar, so command-line arguments
    /// (`bramble nodes add 5 b8:27:eb:.. web05 disabled`) mean exactly what the same words
    /// mean in the file.
    public static func parse(line: String) -> Result<NodeEntry, NodeMapInvalid> {
        switch NodeLine.parse(line[...], lineNumber: 1) {
        case .node(let entry): return .success(entry)
        case .invalid(let problems):
            return .failure(NodeMapInvalid(diagnostics: problems.map { NodeMapDiagnostic(file: "", line: 1, problem: $0) }))
        case .blank, .header:
            return .failure(NodeMapInvalid(diagnostics: [NodeMapDiagnostic(file: "", line: 1, problem: .badID(line))]))
        }
    }
}
