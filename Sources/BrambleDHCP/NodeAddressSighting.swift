import BrambleNodeMap
import BrambleWire

/// A node of the map seen using an address another DHCP server gave it (proxy mode).
///
/// What a node sends says which address it uses, and bramble sees it on its own segment:
/// - its broadcast REQUEST to the router names the address in option 50 (SELECTING,
///   INIT-REBOOT) or in ciaddr (REBINDING), RFC 2131 section 4.3.2. The Pi 4/5 bootloader
///   and the kernel's ip=dhcp send one; the router may still refuse it, so a later sighting
///   overrides it.
/// - its TFTP read requests come from the address it took, in frames that carry its MAC.
///   The Pi 3B ROM and bootcode.bin never send a REQUEST (they take the OFFER), so for them
///   this is the only sign; it is also the most reliable one, as the node uses the address.
/// The router's own OFFER and ACK are no source: they go to the client's MAC, which a
/// switch does not forward to the hub (docs/proxy-dhcp.md).
public struct NodeAddressSighting: Hashable, Sendable {
    public var nodeID: Int
    public var address: IPv4Address

    public init(nodeID: Int, address: IPv4Address) {
        self.nodeID = nodeID
        self.address = address
    }

    /// The address a REQUEST says its sender uses or is about to, or nil: not a REQUEST, a
    /// MAC outside the map, or no address of the cluster subnet a host can have.
    public static func fromRequest(_ request: DHCPMessage, nodeMap: NodeMap, hub: IPv4Interface) -> NodeAddressSighting? {
        guard request.options.messageType == .request, let mac = request.clientMAC, let node = nodeMap.node(mac: mac) else { return nil }
        let address = request.clientAddress != .any ? request.clientAddress : request.options.requestedIPAddress
        return address.flatMap { sighting(node: node, address: $0, hub: hub) }
    }

    /// The node whose MAC sent a frame from `address` (a TFTP request), or nil.
    public static func fromFrame(sourceMAC: MACAddress, sourceAddress: IPv4Address, nodeMap: NodeMap, hub: IPv4Interface) -> NodeAddressSighting? {
        guard let node = nodeMap.node(mac: sourceMAC) else { return nil }
        return sighting(node: node, address: sourceAddress, hub: hub)
    }

    private static func sighting(node: NodeEntry, address: IPv4Address, hub: IPv4Interface) -> NodeAddressSighting? {
        guard hub.subnet.contains(address), address != hub.address, DHCPResponder.isUnicast(address, in: hub.subnet),
              hub.subnet.hostNumber(of: address) != nil
        else { return nil }
        return NodeAddressSighting(nodeID: node.id, address: address)
    }
}
