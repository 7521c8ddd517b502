/// Why received bytes are not an Ethernet / IPv4 / UDP datagram the servers can use.
///
/// Each case carries the numbers a person needs to see what arrived, because these end up
/// in the daemon's log next to the sender's MAC address.
public enum FrameDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncatedEthernetHeader(length: Int)
    case notIPv4(etherType: UInt16)
    case truncatedIPv4Header(length: Int)
    case unsupportedIPVersion(UInt8)
    case invalidIPv4HeaderLength(headerLength: Int, available: Int)
    case invalidIPv4TotalLength(totalLength: Int, headerLength: Int, available: Int)
    case badIPv4HeaderChecksum(found: UInt16, expected: UInt16)
    /// DHCP, TFTP and DNS replies here never need fragments, and reassembly would let any
    /// sender make the hub hold memory: a fragment is refused, not reassembled.
    case fragmentedIPv4Packet
    case notUDP(protocolNumber: UInt8)
    case truncatedUDPHeader(length: Int)
    case invalidUDPLength(udpLength: Int, available: Int)
    case badUDPChecksum(found: UInt16, expected: UInt16)

    public var description: String {
        switch self {
        case .truncatedEthernetHeader(let length):
            "frame of \(length) bytes is shorter than an Ethernet header (14 bytes)"
        case .notIPv4(let etherType):
            "frame carries EtherType 0x\(hex16(etherType)), not IPv4 (0x0800)"
        case .truncatedIPv4Header(let length):
            "IPv4 packet of \(length) bytes is shorter than the minimum header (20 bytes)"
        case .unsupportedIPVersion(let version):
            "IP version \(version) is not IPv4"
        case .invalidIPv4HeaderLength(let headerLength, let available):
            "IPv4 header length \(headerLength) is below 20 or beyond the \(available) bytes received"
        case .invalidIPv4TotalLength(let totalLength, let headerLength, let available):
            "IPv4 total length \(totalLength) is shorter than its header (\(headerLength)) "
                + "or longer than the \(available) bytes received"
        case .badIPv4HeaderChecksum(let found, let expected):
            "IPv4 header checksum 0x\(hex16(found)) is wrong (expected 0x\(hex16(expected)))"
        case .fragmentedIPv4Packet:
            "IPv4 fragment refused: no Bramble protocol sends fragmented datagrams"
        case .notUDP(let protocolNumber):
            "IPv4 packet carries protocol \(protocolNumber), not UDP (17)"
        case .truncatedUDPHeader(let length):
            "UDP datagram of \(length) bytes is shorter than a UDP header (8 bytes)"
        case .invalidUDPLength(let udpLength, let available):
            "UDP length \(udpLength) is below 8 or beyond the \(available) bytes of the IPv4 payload"
        case .badUDPChecksum(let found, let expected):
            "UDP checksum 0x\(hex16(found)) is wrong (expected 0x\(hex16(expected)))"
        }
    }
}

func hex16(_ value: UInt16) -> String {
    hexByte(UInt8(value >> 8)) + hexByte(UInt8(value & 0xff))
}
