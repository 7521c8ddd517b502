import BrambleWire

/// Nodes' addresses as another DHCP server assigned them, in proxy mode (docs/proxy-dhcp.md).
///
/// In server mode a node's address is the subnet base plus its ID. Beside a router's DHCP
/// server it is whatever the router chose, so bramble learns it from what the node sends
/// (its REQUEST's option 50 or ciaddr, the source of its TFTP requests) and keeps it here:
/// one address per node and one node per address, the latest word winning. Only IDs of the
/// node map are ever kept, so the table is no larger than the map however many MACs a
/// forger invents.
public struct AssignedAddresses: Hashable, Sendable {
    private var addressByNode: [Int: IPv4Address] = [:]
    private var nodeByAddress: [IPv4Address: Int] = [:]

    public init() {}

    public func address(ofNode id: Int) -> IPv4Address? { addressByNode[id] }
    public func node(at address: IPv4Address) -> Int? { nodeByAddress[address] }
    public var count: Int { addressByNode.count }

    /// Records `address` as node `id`'s; true when that changed anything. A node that held
    /// the address before loses it (the router gave it to another node since).
    @discardableResult
    public mutating func assign(_ address: IPv4Address, toNode id: Int) -> Bool {
        if addressByNode[id] == address { return false }
        if let previous = addressByNode[id] { nodeByAddress[previous] = nil }
        if let holder = nodeByAddress[address] { addressByNode[holder] = nil }
        addressByNode[id] = address
        nodeByAddress[address] = id
        return true
    }

    /// After a reload from `old` to `new`: the addresses of the nodes still there with the
    /// same MAC. An ID removed, or given to another machine, does not keep the address.
    public func keeping(nodesOf new: NodeMap, unchangedFrom old: NodeMap) -> AssignedAddresses {
        var kept = AssignedAddresses()
        for (id, address) in addressByNode {
            if let node = new.node(id: id), node.mac != nil, node.mac == old.node(id: id)?.mac { kept.assign(address, toNode: id) }
        }
        return kept
    }
}

extension NodeMap {
    /// This map with its addresses taken from `assigned` instead of the node IDs: what the
    /// server hands TFTP, DNS and the boot recorder in proxy mode. IDs `assigned` holds that
    /// are not in this map are never found (``NodeMap/node(address:)`` looks them up), so
    /// this is a copy of the map and one field, whatever the number of nodes.
    public func addressed(by assigned: AssignedAddresses) -> NodeMap {
        var map = self
        map.assignedAddresses = assigned
        return map
    }
}
