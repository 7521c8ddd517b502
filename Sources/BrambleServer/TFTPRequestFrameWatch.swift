import BrambleWire
import Logging

/// Proxy mode: reads the frames of TFTP requests (UDP to port 69) off a packet socket, for
/// the MAC and address of their sender. A node another server addressed is known to TFTP
/// only by its address; the frame ties that address to the MAC the node map knows
/// (docs/proxy-dhcp.md). Only sources are taken; the TFTP service answers the requests.
final class TFTPRequestFrameWatch {
    private let packetSocket: PacketSocket
    private let loop: EventLoop
    private var frameBuffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
    /// Called with each request frame's source MAC and address.
    var onSource: ((MACAddress, IPv4Address) -> Void)?

    init(interface: String, loop: EventLoop) throws(SystemCallError) {
        // No capture: the TFTP socket records the same requests.
        // A small ring: it sees only the TFTP requests, one per transfer, drained as each is resolved.
        packetSocket = try PacketSocket(interface: interface, filter: .udpDestinationPort(69), capture: nil, ringFrames: 32)
        self.loop = loop
        try packetSocket.watch(in: loop) { [unowned self] in self.drain() }
    }

    deinit { loop.deregister(packetSocket.fd) }

    /// Reads every queued frame. The TFTP service calls this before it resolves a request:
    /// the kernel hands a frame to packet sockets before IP delivers it to the UDP socket,
    /// so the request's own frame is queued here by then, whatever order the loop polls in.
    func drain() {
        while let frame = packetSocket.receive(into: &frameBuffer) {
            guard let decoded = try? EthernetUDPFrame(decoding: frame.bytes, verifyingUDPChecksum: !frame.checksumNotReady), decoded.destinationPort == 69 else { continue }
            onSource?(decoded.sourceMAC, decoded.sourceAddress)
        }
    }
}
