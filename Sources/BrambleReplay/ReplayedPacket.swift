import BrambleCapture
import BrambleWire

/// A packet the responders produced in replay, or the capture's counterpart: addressing,
/// payload, and which capture packet it answers.
public struct ReplayedPacket: Hashable, Sendable {
    /// The capture packet whose arrival (or whose timer) led to it.
    public var cause: Int
    public var timestamp: CaptureTimestamp
    public var source: IPv4Address
    public var sourcePort: UInt16
    public var destination: IPv4Address
    public var destinationPort: UInt16
    /// Known for DHCP replies the raw socket sends; nil for what a UDP socket sends.
    public var destinationMAC: MACAddress?
    public var payload: [UInt8]

    public init(
        cause: Int, timestamp: CaptureTimestamp, source: IPv4Address, sourcePort: UInt16, destination: IPv4Address,
        destinationPort: UInt16, destinationMAC: MACAddress? = nil, payload: [UInt8]
    ) {
        self.cause = cause
        self.timestamp = timestamp
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
        self.destinationMAC = destinationMAC
        self.payload = payload
    }
}
