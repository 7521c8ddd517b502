/// An IPv4 packet: the header fields the servers read or set, and the payload.
///
/// Header options are accepted and skipped on decode (nothing here uses them) and never
/// written on encode, so an encoded header is always 20 bytes.
public struct IPv4Packet: Hashable, Sendable {
    public static let minimumHeaderLength = 20
    public static let protocolUDP: UInt8 = 17
    /// What the 16-bit total-length field leaves for the payload after a 20-byte header.
    public static let maximumPayloadLength = Int(UInt16.max) - minimumHeaderLength
    static let moreFragmentsFlag: UInt16 = 0x2000
    static let dontFragmentFlag: UInt16 = 0x4000
    static let fragmentOffsetMask: UInt16 = 0x1fff

    public var source: IPv4Address
    public var destination: IPv4Address
    public var protocolNumber: UInt8
    public var timeToLive: UInt8
    public var identification: UInt16
    public var dontFragment: Bool
    /// DSCP and ECN bits, kept so a decoded packet re-encodes to the same header.
    public var typeOfService: UInt8
    /// Exactly the bytes the total-length field covers: Ethernet padding is cut off here.
    public var payload: ArraySlice<UInt8>

    public init(
        source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8 = IPv4Packet.protocolUDP,
        timeToLive: UInt8 = 64, identification: UInt16 = 0, dontFragment: Bool = false,
        typeOfService: UInt8 = 0, payload: ArraySlice<UInt8>
    ) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.timeToLive = timeToLive
        self.identification = identification
        self.dontFragment = dontFragment
        self.typeOfService = typeOfService
        self.payload = payload
    }

    public init(decoding bytes: [UInt8]) throws(FrameDecodingError) {
        try self.init(decoding: bytes[...])
    }

    public init(decoding bytes: ArraySlice<UInt8>) throws(FrameDecodingError) {
        guard bytes.count >= Self.minimumHeaderLength else { throw .truncatedIPv4Header(length: bytes.count) }
        let start = bytes.startIndex
        let versionAndLength = bytes[start]
        guard versionAndLength >> 4 == 4 else { throw .unsupportedIPVersion(versionAndLength >> 4) }
        let headerLength = Int(versionAndLength & 0x0f) * 4
        guard headerLength >= Self.minimumHeaderLength, headerLength <= bytes.count else {
            throw .invalidIPv4HeaderLength(headerLength: headerLength, available: bytes.count)
        }
        let totalLength = Int(NetworkByteOrder.uint16(bytes, at: 2))
        guard totalLength >= headerLength, totalLength <= bytes.count else {
            throw .invalidIPv4TotalLength(totalLength: totalLength, headerLength: headerLength, available: bytes.count)
        }
        let header = bytes[start..<(start + headerLength)]
        if InternetChecksum.of(header) != 0 {
            let found = NetworkByteOrder.uint16(bytes, at: 10)
            var checksum = InternetChecksum()
            checksum.add(header[start..<(start + 10)])
            checksum.add(header[(start + 12)...])
            throw .badIPv4HeaderChecksum(found: found, expected: checksum.value)
        }
        let flagsAndOffset = NetworkByteOrder.uint16(bytes, at: 6)
        guard flagsAndOffset & (Self.moreFragmentsFlag | Self.fragmentOffsetMask) == 0 else {
            throw .fragmentedIPv4Packet
        }
        typeOfService = bytes[start + 1]
        identification = NetworkByteOrder.uint16(bytes, at: 4)
        dontFragment = flagsAndOffset & Self.dontFragmentFlag != 0
        timeToLive = bytes[start + 8]
        protocolNumber = bytes[start + 9]
        source = IPv4Address(NetworkByteOrder.uint32(bytes, at: 12))
        destination = IPv4Address(NetworkByteOrder.uint32(bytes, at: 16))
        payload = bytes[(start + headerLength)..<(start + totalLength)]
    }

    /// Appends a 20-byte header with its checksum for a payload of `payloadLength` bytes;
    /// the caller appends the payload. Split out so a whole frame is built in one buffer.
    ///
    /// - Precondition: `payloadLength` is at most ``maximumPayloadLength``.
    public func appendHeader(payloadLength: Int, to bytes: inout [UInt8]) {
        precondition(payloadLength <= Self.maximumPayloadLength, "IPv4 payload of \(payloadLength) bytes")
        let headerStart = bytes.count
        bytes.append(0x45)
        bytes.append(typeOfService)
        NetworkByteOrder.append(UInt16(Self.minimumHeaderLength + payloadLength), to: &bytes)
        NetworkByteOrder.append(identification, to: &bytes)
        NetworkByteOrder.append(dontFragment ? Self.dontFragmentFlag : 0, to: &bytes)
        bytes.append(timeToLive)
        bytes.append(protocolNumber)
        NetworkByteOrder.append(UInt16(0), to: &bytes)
        NetworkByteOrder.append(source.value, to: &bytes)
        NetworkByteOrder.append(destination.value, to: &bytes)
        let checksum = InternetChecksum.of(bytes[headerStart...])
        NetworkByteOrder.store(checksum, into: &bytes, at: headerStart + 10)
    }

    /// - Precondition: the payload is at most ``maximumPayloadLength`` bytes.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.minimumHeaderLength + payload.count)
        appendHeader(payloadLength: payload.count, to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }
}
