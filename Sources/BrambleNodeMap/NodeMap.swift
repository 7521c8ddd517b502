import BrambleWire

/// A validated node map: every node with a unique ID, MAC and name inside the cluster
/// subnet. Servers only ever hold one of these, so a lookup never meets a conflict.
public struct NodeMap: Sendable {
    public let fileName: String
    public let subnet: IPv4Subnet
    /// Nodes in file order.
    public let nodes: [NodeEntry]
    private let indexByID: [Int: Int]
    private let indexByMAC: [MACAddress: Int]
    private let indexByName: [String: Int]
    /// In proxy mode, the addresses another DHCP server gave the nodes; nil in server mode,
    /// where an address is the subnet base plus the node's ID.
    public internal(set) var assignedAddresses: AssignedAddresses?

    /// Parses and validates in one step, reporting every problem in the file.
    public init(parsing text: String, fileName: String, subnet: IPv4Subnet) throws(NodeMapInvalid) {
        try self.init(document: NodeMapDocument(parsing: text, fileName: fileName), subnet: subnet)
    }

    /// Validates a parsed document: the line problems plus those between lines
    /// (duplicates) and against the subnet, all at once, in line order.
    public init(document: NodeMapDocument, subnet: IPv4Subnet) throws(NodeMapInvalid) {
        var diagnostics = document.lineDiagnostics
        func report(_ line: Int, _ problem: NodeMapProblem) {
            diagnostics.append(NodeMapDiagnostic(file: document.fileName, line: line, problem: problem))
        }
        let entries = document.entries
        var indexByID: [Int: Int] = [:]
        var indexByMAC: [MACAddress: Int] = [:]
        var indexByName: [String: Int] = [:]
        indexByID.reserveCapacity(entries.count)
        indexByMAC.reserveCapacity(entries.count)
        indexByName.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if subnet.host(entry.id) == nil {
                report(entry.line, .idOutsideSubnet(entry.id, subnet: subnet))
            }
            let isDuplicateID = indexByID[entry.id] != nil
            if let first = indexByID[entry.id] {
                report(entry.line, .duplicateID(entry.id, firstLine: entries[first].line))
            } else {
                indexByID[entry.id] = index
            }
            if let mac = entry.mac {
                if let first = indexByMAC[mac] {
                    report(entry.line, .duplicateMAC(mac, firstLine: entries[first].line, firstID: entries[first].id))
                } else {
                    indexByMAC[mac] = index
                }
            }
            // A repeated ID repeats its default name too; one message says it.
            let key = Self.nameKey(entry.name)
            if isDuplicateID && entry.explicitName == nil { continue }
            if let first = indexByName[key] {
                report(entry.line, .duplicateName(entry.name, firstLine: entries[first].line, firstID: entries[first].id))
            } else {
                indexByName[key] = index
            }
        }
        guard diagnostics.isEmpty else {
            throw NodeMapInvalid(diagnostics: diagnostics.sorted { $0.line < $1.line })
        }
        fileName = document.fileName
        self.subnet = subnet
        nodes = entries
        self.indexByID = indexByID
        self.indexByMAC = indexByMAC
        self.indexByName = indexByName
    }

    public func node(id: Int) -> NodeEntry? { indexByID[id].map { nodes[$0] } }
    public func node(mac: MACAddress) -> NodeEntry? { indexByMAC[mac].map { nodes[$0] } }
    /// Case-insensitive, as DNS names are.
    public func node(named name: String) -> NodeEntry? { indexByName[Self.nameKey(name)].map { nodes[$0] } }

    /// Names compare case-insensitively (DNS does); most names are already lowercase, so
    /// skip the copy for them.
    private static func nameKey(_ name: String) -> String {
        name.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? name.lowercased() : name
    }
    public func node(address: IPv4Address) -> NodeEntry? {
        if let assignedAddresses { return assignedAddresses.node(at: address).flatMap(node(id:)) }
        return subnet.hostNumber(of: address).flatMap(node(id:))
    }

    /// The node's address: subnet base + ID (validation guarantees it exists), or in proxy
    /// mode the one it was seen using, if any.
    public func address(of node: NodeEntry) -> IPv4Address { knownAddress(of: node) ?? subnet.host(node.id)! }

    /// The node's address, or nil in proxy mode before the node was seen using one: what
    /// DNS answers and status shows, which must not guess.
    public func knownAddress(of node: NodeEntry) -> IPv4Address? {
        if let assignedAddresses { return assignedAddresses.address(ofNode: node.id) }
        return subnet.host(node.id)
    }

    /// Finds a node the way an operator names it on the command line: ID, name or MAC.
    public func node(matching reference: String) -> NodeEntry? {
        if reference.allSatisfy(\.isNumber), let id = Int(reference) { return node(id: id) }
        if let mac = MACAddress(reference) { return node(mac: mac) }
        return node(named: reference)
    }
}
