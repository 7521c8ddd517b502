import BrambleWire

/// A captured frame decoded as far as the servers read it: Ethernet, IPv4, UDP.
public struct CapturedDatagram: Hashable, Sendable {
    public var number: Int
    public var timestamp: CaptureTimestamp
    public var frame: EthernetUDPFrame

    public init(number: Int, timestamp: CaptureTimestamp, frame: EthernetUDPFrame) {
        self.number = number
        self.timestamp = timestamp
        self.frame = frame
    }

    /// Decodes any bytes; a frame that is not a whole IPv4 UDP datagram is a typed error.
    /// A cut record (snap length) cannot be trusted either: it is refused as truncated.
    public init(decoding captured: CapturedFrame) throws(CapturedDatagramError) {
        guard !captured.isTruncated else { throw .truncatedRecord(kept: captured.bytes.count, original: captured.originalLength) }
        number = captured.number
        timestamp = captured.timestamp
        do {
            frame = try EthernetUDPFrame(decoding: captured.bytes[...])
        } catch {
            throw .notUDP(error)
        }
    }

    public var payload: ArraySlice<UInt8> { frame.payload }
}
