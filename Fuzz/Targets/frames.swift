import BrambleWire

/// `frames`: what the DHCP packet socket reads, an Ethernet frame, decoded layer by layer
/// (Ethernet, IPv4, UDP, and all three at once), each re-encoded and decoded again.
///
/// Invariants: every decoder returns a value or a typed error; what a decoder accepts, its
/// encoder writes, and the decoder reads that back to the same value (the encoders drop
/// VLAN tags and IP options, which the decoded values do not hold); the encoders' checksums
/// verify.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let frame = try? EthernetFrame(decoding: bytes) {
        let encoded = frame.encoded()
        invariant(encoded.count == EthernetFrame.headerLength + frame.payload.count, "Ethernet encoding length")
        let again = try? EthernetFrame(decoding: encoded)
        invariant(again == frame, "Ethernet frame does not survive encode/decode: \(hexText(bytes))")
    }

    if let packet = try? IPv4Packet(decoding: bytes) {
        let again = try? IPv4Packet(decoding: packet.encoded())
        invariant(again == packet, "IPv4 packet does not survive encode/decode: \(hexText(bytes))")
    }

    let source = IPv4Address(10, 42, 0, 5)
    let destination = IPv4Address(10, 42, 0, 250)
    if let datagram = try? UDPDatagram(decoding: bytes[...], source: source, destination: destination, verifyingChecksum: false) {
        let encoded = datagram.encoded(source: source, destination: destination)
        let again = try? UDPDatagram(decoding: encoded[...], source: source, destination: destination)
        invariant(again == datagram, "UDP datagram does not survive encode/decode (or its checksum fails): \(hexText(bytes))")
    }

    for verifying in [true, false] {
        guard let frame = try? EthernetUDPFrame(decoding: bytes[...], verifyingUDPChecksum: verifying) else { continue }
        invariant(frame.payload.count <= EthernetUDPFrame.maximumPayloadLength, "decoded UDP payload over the encoder's limit")
        let encoded = frame.encoded()
        invariant(encoded.count == EthernetUDPFrame.headersLength + frame.payload.count, "UDP frame encoding length")
        let again = try? EthernetUDPFrame(decoding: encoded)
        invariant(again == frame, "UDP frame does not survive encode/decode: \(hexText(bytes))")
    }
    return 0
}
