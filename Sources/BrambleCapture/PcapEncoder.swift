import BrambleWire

/// The classic pcap file format (the one tcpdump writes): a 24-byte file header, then a
/// 16-byte header before each frame. Nanosecond magic (0xa1b23c4d), little-endian,
/// LINKTYPE_ETHERNET.
///
/// Our own encoder rather than `pcap_dump`: it appends to a buffer the daemon owns, so the
/// event loop decides when to write (one `write` per flush), and it needs no libpcap handle.
public enum PcapEncoder {
    public static let fileHeaderLength = 24
    public static let recordHeaderLength = 16
    public static let nanosecondMagic: UInt32 = 0xa1b2_3c4d
    public static let linkTypeEthernet: UInt32 = 1
    /// Frames longer than this are cut in the file (their original length is kept). As
    /// tcpdump's default, larger than any IPv4 datagram, so nothing is ever cut.
    public static let snapLength = 262_144

    public static func fileHeader() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fileHeaderLength)
        append(nanosecondMagic, to: &bytes)
        append(UInt16(2), to: &bytes)
        append(UInt16(4), to: &bytes)
        append(UInt32(0), to: &bytes)
        append(UInt32(0), to: &bytes)
        append(UInt32(snapLength), to: &bytes)
        append(linkTypeEthernet, to: &bytes)
        return bytes
    }

    /// Appends one record; returns how many bytes it added.
    @discardableResult
    public static func appendRecord<Frame: Collection<UInt8>>(_ frame: Frame, at timestamp: CaptureTimestamp, to bytes: inout [UInt8]) -> Int {
        let kept = min(frame.count, snapLength)
        appendRecordHeader(length: kept, at: timestamp, to: &bytes)
        bytes.append(contentsOf: frame.prefix(kept))
        return recordHeaderLength + kept
    }

    /// The 16-byte record header alone, for a writer that appends the frame's parts itself
    /// (headers and payload without first joining them). `length` is at most ``snapLength``.
    public static func appendRecordHeader(length: Int, at timestamp: CaptureTimestamp, to bytes: inout [UInt8]) {
        append(UInt32(truncatingIfNeeded: timestamp.seconds), to: &bytes)
        append(UInt32(truncatingIfNeeded: timestamp.nanoseconds), to: &bytes)
        append(UInt32(length), to: &bytes)
        append(UInt32(length), to: &bytes)
    }

    /// A whole file of frames, for tests and for `bramble replay --update`.
    public static func file(_ frames: [CapturedFrame]) -> [UInt8] {
        var bytes = fileHeader()
        for frame in frames { appendRecord(frame.bytes, at: frame.timestamp, to: &bytes) }
        return bytes
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

extension MACAddress {
    /// The MAC a capture gives a host it knows only by IPv4 address: `02:00:` and the four
    /// octets, locally administered (bit 1 of the first byte), so no vendor's card has it.
    /// A UDP socket reports addresses and ports, never MACs, yet a pcap record is an
    /// Ethernet frame: `bramble serve --capture` frames its UDP datagrams with it, and
    /// `bramble replay --update` frames its answers the same way, so the two files agree.
    public static func captureStandIn(for address: IPv4Address) -> MACAddress {
        let octets = address.bytes
        return MACAddress(0x02, 0x00, octets[0], octets[1], octets[2], octets[3])
    }
}
