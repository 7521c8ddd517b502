import BrambleWire

/// Where an answer goes back to: a UDP source address and port, or a TCP connection by a
/// serial number that is never reused, so a forwarded answer arriving after its client
/// hung up cannot land on a newer connection that happens to get the same descriptor.
enum DNSClient: Hashable, Sendable {
    case datagram(IPv4Address, port: UInt16)
    case stream(connection: UInt64)
}
