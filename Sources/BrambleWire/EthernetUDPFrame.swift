/// A UDP datagram with the Ethernet and IPv4 addressing around it: what a server on a raw
/// `AF_PACKET` socket receives and sends.
///
/// DHCP needs the link layer: requests come from 0.0.0.0, and a reply to a client without
/// an address goes to its MAC address (or to broadcast), which a UDP socket cannot express.
public struct EthernetUDPFrame: Hashable, Sendable {
    public static let headersLength = EthernetFrame.headerLength + IPv4Packet.minimumHeaderLength
        + UDPDatagram.headerLength
    /// The largest UDP payload ``encoded()`` accepts: what the IPv4 total length leaves.
    public static let maximumPayloadLength = IPv4Packet.maximumPayloadLength - UDPDatagram.headerLength

    public var sourceMAC: MACAddress
    public var destinationMAC: MACAddress
    public var sourceAddress: IPv4Address
    public var destinationAddress: IPv4Address
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var timeToLive: UInt8
    public var identification: UInt16
    public var dontFragment: Bool
    public var payload: ArraySlice<UInt8>

    public init(
        sourceMAC: MACAddress, destinationMAC: MACAddress,
        sourceAddress: IPv4Address, destinationAddress: IPv4Address,
        sourcePort: UInt16, destinationPort: UInt16,
        timeToLive: UInt8 = 64, identification: UInt16 = 0, dontFragment: Bool = false,
        payload: ArraySlice<UInt8>
    ) {
        self.sourceMAC = sourceMAC
        self.destinationMAC = destinationMAC
        self.sourceAddress = sourceAddress
        self.destinationAddress = destinationAddress
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.timeToLive = timeToLive
        self.identification = identification
        self.dontFragment = dontFragment
        self.payload = payload
    }

    public init(decoding bytes: [UInt8]) throws(FrameDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a whole frame; anything that is not a complete, unfragmented, checksum-valid
    /// IPv4 UDP datagram is a ``FrameDecodingError``. The payload is a slice of `bytes`.
    ///
    /// - Parameter verifyingUDPChecksum: false when the receiving socket reports the
    ///   checksum as not yet computed (see ``UDPDatagram/init(decoding:source:destination:verifyingChecksum:)``).
    public init(decoding bytes: ArraySlice<UInt8>, verifyingUDPChecksum: Bool = true) throws(FrameDecodingError) {
        let frame = try EthernetFrame(decoding: bytes)
        guard frame.etherType == EthernetFrame.etherTypeIPv4 else { throw .notIPv4(etherType: frame.etherType) }
        let packet = try IPv4Packet(decoding: frame.payload)
        guard packet.protocolNumber == IPv4Packet.protocolUDP else {
            throw .notUDP(protocolNumber: packet.protocolNumber)
        }
        let datagram = try UDPDatagram(
            decoding: packet.payload, source: packet.source, destination: packet.destination, verifyingChecksum: verifyingUDPChecksum)
        self.init(
            sourceMAC: frame.source, destinationMAC: frame.destination,
            sourceAddress: packet.source, destinationAddress: packet.destination,
            sourcePort: datagram.sourcePort, destinationPort: datagram.destinationPort,
            timeToLive: packet.timeToLive, identification: packet.identification,
            dontFragment: packet.dontFragment, payload: datagram.payload
        )
    }

    /// The whole frame, built in one buffer with both checksums.
    ///
    /// - Precondition: the payload is at most ``maximumPayloadLength`` bytes.
    public func encoded() -> [UInt8] {
        precondition(payload.count <= Self.maximumPayloadLength, "UDP payload of \(payload.count) bytes")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headersLength + payload.count)
        EthernetFrame.appendHeader(
            destination: destinationMAC, source: sourceMAC, etherType: EthernetFrame.etherTypeIPv4, to: &bytes)
        let packet = IPv4Packet(
            source: sourceAddress, destination: destinationAddress, protocolNumber: IPv4Packet.protocolUDP,
            timeToLive: timeToLive, identification: identification, dontFragment: dontFragment, payload: []
        )
        packet.appendHeader(payloadLength: UDPDatagram.headerLength + payload.count, to: &bytes)
        UDPDatagram(sourcePort: sourcePort, destinationPort: destinationPort, payload: payload)
            .append(source: sourceAddress, destination: destinationAddress, to: &bytes)
        return bytes
    }
}
