/// One record of a capture file: an Ethernet frame and when it was seen.
public struct CapturedFrame: Hashable, Sendable {
    /// The record's position in its file, from 1, as tcpdump and Wireshark number packets.
    public var number: Int
    public var timestamp: CaptureTimestamp
    public var bytes: [UInt8]
    /// The frame's length on the wire; larger than `bytes.count` when the capture cut it.
    public var originalLength: Int

    public init(number: Int, timestamp: CaptureTimestamp, bytes: [UInt8], originalLength: Int? = nil) {
        self.number = number
        self.timestamp = timestamp
        self.bytes = bytes
        self.originalLength = originalLength ?? bytes.count
    }

    public var isTruncated: Bool { originalLength > bytes.count }
}
