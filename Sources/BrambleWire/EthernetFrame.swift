/// An Ethernet II frame as the raw `AF_PACKET` socket delivers it (no preamble, no FCS).
///
/// VLAN tags (802.1Q, and 802.1ad stacked in front of it) are skipped on decode: the
/// cluster switch may tag frames on a trunk port, and the servers only care what is inside.
/// Encoding never adds a tag, because the hub's interface sends untagged.
public struct EthernetFrame: Hashable, Sendable {
    public static let headerLength = 14
    public static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeVLAN: UInt16 = 0x8100
    static let etherTypeProviderVLAN: UInt16 = 0x88a8
    static let vlanTagLength = 4

    public var destination: MACAddress
    public var source: MACAddress
    /// The EtherType after any VLAN tags.
    public var etherType: UInt16
    /// Everything after the header, including any padding a short frame was sent with.
    public var payload: ArraySlice<UInt8>

    public init(destination: MACAddress, source: MACAddress, etherType: UInt16, payload: ArraySlice<UInt8>) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
        self.payload = payload
    }

    public init(decoding bytes: [UInt8]) throws(FrameDecodingError) {
        try self.init(decoding: bytes[...])
    }

    public init(decoding bytes: ArraySlice<UInt8>) throws(FrameDecodingError) {
        guard bytes.count >= Self.headerLength else { throw .truncatedEthernetHeader(length: bytes.count) }
        let start = bytes.startIndex
        destination = MACAddress(bytes[start], bytes[start + 1], bytes[start + 2],
                                 bytes[start + 3], bytes[start + 4], bytes[start + 5])
        source = MACAddress(bytes[start + 6], bytes[start + 7], bytes[start + 8],
                            bytes[start + 9], bytes[start + 10], bytes[start + 11])
        var typeOffset = 12
        var type = NetworkByteOrder.uint16(bytes, at: typeOffset)
        while type == Self.etherTypeVLAN || type == Self.etherTypeProviderVLAN {
            typeOffset += Self.vlanTagLength
            guard typeOffset + 2 <= bytes.count else { throw .truncatedEthernetHeader(length: bytes.count) }
            type = NetworkByteOrder.uint16(bytes, at: typeOffset)
        }
        etherType = type
        payload = bytes[(start + typeOffset + 2)...]
    }

    /// Appends the 14-byte header; the caller appends the payload after it.
    public static func appendHeader(
        destination: MACAddress, source: MACAddress, etherType: UInt16, to bytes: inout [UInt8]
    ) {
        appendOctets(of: destination, to: &bytes)
        appendOctets(of: source, to: &bytes)
        NetworkByteOrder.append(etherType, to: &bytes)
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerLength + payload.count)
        Self.appendHeader(destination: destination, source: source, etherType: etherType, to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Appends without building `MACAddress.bytes`, which would allocate an array per address.
    private static func appendOctets(of address: MACAddress, to bytes: inout [UInt8]) {
        let octets = address.octets
        bytes.append(octets.0); bytes.append(octets.1); bytes.append(octets.2)
        bytes.append(octets.3); bytes.append(octets.4); bytes.append(octets.5)
    }
}
