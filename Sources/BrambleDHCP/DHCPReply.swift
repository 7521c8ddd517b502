import BrambleWire

/// A reply and where it must go (RFC 2131 section 4.1).
public struct DHCPReply: Hashable, Sendable {
    public var message: DHCPMessage
    /// The client's option 57, or the 576 every client takes.
    public var maximumMessageSize: Int
    public var destination: DHCPReplyDestination
}

public enum DHCPReplyDestination: Hashable, Sendable {
    /// To the relay agent's address, server port 67: the request came through a relay.
    case relay(IPv4Address)
    /// To the client's own address, port 68: it has one (renewing, INFORM).
    case clientAddress(IPv4Address)
    /// To 255.255.255.255 and ff:ff:ff:ff:ff:ff: the client asked for broadcast, or a NAK.
    case broadcast
    /// To the client's MAC with its new address, before it can answer ARP: needs the raw
    /// socket (or a seeded ARP entry).
    case clientHardware(MACAddress, IPv4Address)
}
