import BrambleNodeMap
import BrambleWire

/// Spots the "OS up" boot stage: a node's first DNS query after it booted means its
/// operating system is running and resolving names.
///
/// Holds the addresses already seen this boot. The server calls ``nodeRebooted(at:)`` when
/// DHCP sees the node start over (its ROM's DISCOVER), so the next boot is noticed too.
public struct NodeBootWatch: Hashable, Sendable {
    private var seen: Set<IPv4Address> = []

    public init() {}

    /// The node whose first query this is, or nil: not a node of the map, or seen already.
    public mutating func firstQuery(from address: IPv4Address, nodeMap: NodeMap) -> NodeEntry? {
        guard let node = nodeMap.node(address: address), seen.insert(address).inserted else { return nil }
        return node
    }

    public mutating func nodeRebooted(at address: IPv4Address) {
        seen.remove(address)
    }
}
