import BrambleWire

/// Everything the server must do for one request, decided by the pure responder.
public struct DHCPResponse: Hashable, Sendable {
    public var reply: DHCPReply?
    public var event: DHCPEvent?
    /// A lease change to write (and fsync) before the reply is sent.
    public var journal: LeaseJournalEntry?
    /// An IP -> MAC entry for the kernel's ARP table: the Pi 3B ROM stops answering ARP
    /// once its transfer starts, so the hub must not need to ask (dnsmasq does the same).
    public var arpEntry: ARPEntry?
    /// Send the reply this much later (a timer, never a blocking sleep).
    public var delayMilliseconds: Int = 0
    /// Proxy mode: the address a node of the map says it uses (another server gave it),
    /// for TFTP, DNS and status to know the node by (docs/proxy-dhcp.md).
    public var sighting: NodeAddressSighting?

    public struct ARPEntry: Hashable, Sendable {
        public var address: IPv4Address
        public var mac: MACAddress

        public init(address: IPv4Address, mac: MACAddress) {
            self.address = address
            self.mac = mac
        }
    }
}
