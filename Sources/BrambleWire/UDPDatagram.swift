/// A UDP datagram over IPv4.
///
/// The checksum covers an IPv4 pseudo-header, so decoding and encoding take the packet's
/// addresses. A zero checksum means "not computed" (RFC 768) and is accepted: the Pi 3 boot
/// ROM, bootcode.bin and the Linux kernel's `ip=dhcp` client all send one.
public struct UDPDatagram: Hashable, Sendable {
    public static let headerLength = 8

    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Exactly the bytes the UDP length field covers.
    public var payload: ArraySlice<UInt8>

    public init(sourcePort: UInt16, destinationPort: UInt16, payload: ArraySlice<UInt8>) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
    }

    /// Decodes the payload of an IPv4 packet from `source` to `destination`.
    ///
    /// - Parameter verifyingChecksum: false for a frame the kernel marks as not yet
    ///   checksummed (`TP_STATUS_CSUMNOTREADY`): a sender on this host with checksum offload
    ///   (a veth, a VM's tap) leaves the field for hardware that never runs, so the value on
    ///   the raw socket is partial by design, not corrupt.
    public init(
        decoding bytes: ArraySlice<UInt8>, source: IPv4Address, destination: IPv4Address, verifyingChecksum: Bool = true
    ) throws(FrameDecodingError) {
        guard bytes.count >= Self.headerLength else { throw .truncatedUDPHeader(length: bytes.count) }
        let start = bytes.startIndex
        let length = Int(NetworkByteOrder.uint16(bytes, at: 4))
        guard length >= Self.headerLength, length <= bytes.count else {
            throw .invalidUDPLength(udpLength: length, available: bytes.count)
        }
        let datagram = bytes[start..<(start + length)]
        let found = NetworkByteOrder.uint16(bytes, at: 6)
        if found != 0 && verifyingChecksum {
            var checksum = Self.pseudoHeaderChecksum(source: source, destination: destination, length: length)
            checksum.add(datagram)
            if checksum.value != 0 {
                var recomputed = Self.pseudoHeaderChecksum(source: source, destination: destination, length: length)
                recomputed.add(datagram[start..<(start + 6)])
                recomputed.add(datagram[(start + Self.headerLength)...])
                throw .badUDPChecksum(found: found, expected: Self.transmitted(recomputed.value))
            }
        }
        sourcePort = NetworkByteOrder.uint16(bytes, at: 0)
        destinationPort = NetworkByteOrder.uint16(bytes, at: 2)
        payload = datagram[(start + Self.headerLength)...]
    }

    /// Appends the header and payload with a checksum for the given pseudo-header addresses.
    ///
    /// - Precondition: the payload fits the 16-bit length field with the header.
    public func append(source: IPv4Address, destination: IPv4Address, to bytes: inout [UInt8]) {
        let length = Self.headerLength + payload.count
        precondition(length <= Int(UInt16.max), "UDP datagram of \(length) bytes")
        let headerStart = bytes.count
        NetworkByteOrder.append(sourcePort, to: &bytes)
        NetworkByteOrder.append(destinationPort, to: &bytes)
        NetworkByteOrder.append(UInt16(length), to: &bytes)
        NetworkByteOrder.append(UInt16(0), to: &bytes)
        bytes.append(contentsOf: payload)
        var checksum = Self.pseudoHeaderChecksum(source: source, destination: destination, length: length)
        checksum.add(bytes[headerStart...])
        NetworkByteOrder.store(Self.transmitted(checksum.value), into: &bytes, at: headerStart + 6)
    }

    public func encoded(source: IPv4Address, destination: IPv4Address) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerLength + payload.count)
        append(source: source, destination: destination, to: &bytes)
        return bytes
    }

    private static func pseudoHeaderChecksum(
        source: IPv4Address, destination: IPv4Address, length: Int
    ) -> InternetChecksum {
        var checksum = InternetChecksum()
        checksum.add(source.value)
        checksum.add(destination.value)
        checksum.add(UInt16(IPv4Packet.protocolUDP))
        checksum.add(UInt16(length))
        return checksum
    }

    /// A computed checksum of 0 is sent as 0xffff (RFC 768), because 0 on the wire means
    /// the sender computed none.
    private static func transmitted(_ checksum: UInt16) -> UInt16 {
        checksum == 0 ? 0xffff : checksum
    }
}
