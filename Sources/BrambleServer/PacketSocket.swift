import BrambleWire
import CNetShims
import Glibc

/// An AF_PACKET socket on the cluster interface: DHCP requests arrive here before the
/// interface has any address, and replies to clients without an address go out as whole
/// Ethernet frames addressed to the client's MAC (RFC 2131 4.1), built by BrambleWire.
public final class PacketSocket {
    public let fd: Int32
    public let interfaceName: String
    public let interfaceIndex: Int32
    public let interfaceMAC: MACAddress
    /// `--capture`: told of every frame received and sent.
    private let capture: PacketCapture?
    /// Frames ``receive(into:)`` may still return this turn: no limit until watched through
    /// ``watch(in:_:)``.
    private var turnBudget = EventLoop.TurnBudget()

    public init(interface: String, filter: PacketFilter, capture: PacketCapture? = nil) throws(SystemCallError) {
        let ethertypeIPv4 = UInt16(ETH_P_IP).bigEndian
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(ethertypeIPv4))
        guard fd >= 0 else { throw SystemCallError("socket(AF_PACKET)") }
        do throws(SystemCallError) {
            let index = Int32(if_nametoindex(interface))
            guard index > 0 else { throw SystemCallError("if_nametoindex(\(interface))") }
            var mac = [UInt8](repeating: 0, count: 6)
            guard cnet_interface_mac(fd, interface, &mac) == 0 else { throw SystemCallError("SIOCGIFHWADDR(\(interface))") }
            // Filter before bind, so no unfiltered frame is ever queued.
            try filter.attach(to: fd)
            guard cnet_enable_packet_auxdata(fd) == 0 else { throw SystemCallError("setsockopt(PACKET_AUXDATA)") }
            var address = sockaddr_ll()
            address.sll_family = UInt16(AF_PACKET)
            address.sll_protocol = ethertypeIPv4
            address.sll_ifindex = index
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size)) }
            }
            guard bound == 0 else { throw SystemCallError("bind(AF_PACKET, \(interface))") }
            self.fd = fd
            interfaceName = interface
            interfaceIndex = index
            interfaceMAC = MACAddress(bytes: mac)!
            self.capture = capture
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Calls `handler` whenever frames wait, and from then on lets ``receive(into:)``
    /// return at most ``EventLoop/readBatch`` frames per call of the handler, so a flood
    /// of DHCP frames leaves each turn's rest to the other sockets and the timers.
    public func watch(in loop: EventLoop, _ handler: @escaping () -> Void) throws(SystemCallError) {
        turnBudget.watch()
        try loop.register(fd) { [weak self] _ in
            guard let self else { return }
            turnBudget.newTurn()
            handler()
        }
    }

    /// A frame the kernel received.
    public struct ReceivedFrame {
        public let bytes: ArraySlice<UInt8>
        /// The sender left its transport checksum for offload (a local veth or tap sender):
        /// do not verify it. See `UDPDatagram`'s decoder.
        public let checksumNotReady: Bool
    }

    /// Reads one frame the kernel received for this host; nil when nothing is queued.
    /// Frames this host sent and frames for another host's MAC are skipped (see
    /// ``isForThisHost(packetType:)``), at most ``maximumSkippedFrames`` per call so a
    /// flood of them cannot hold the loop.
    public func receive(into buffer: inout [UInt8]) -> ReceivedFrame? {
        guard turnBudget.take() else { return nil }
        for _ in 0..<Self.maximumSkippedFrames {
            var packetType: Int32 = 0
            var checksumNotReady: Int32 = 0
            let count = buffer.withUnsafeMutableBytes { cnet_receive_frame(fd, $0.baseAddress, $0.count, &packetType, &checksumNotReady) }
            guard count >= 0 else { return nil }
            guard Self.isForThisHost(packetType: packetType) else { continue }
            capture?.record(frame: buffer[0..<count], checksumNotReady: checksumNotReady != 0)
            return ReceivedFrame(bytes: buffer[0..<count], checksumNotReady: checksumNotReady != 0)
        }
        return nil
    }

    /// Frames skipped by one ``receive(into:)`` before it returns nil; the level-triggered
    /// loop calls again on its next turn if more are queued.
    static let maximumSkippedFrames = 64

    /// Whether a frame with this `sll_pkttype` is one to answer: addressed to this host,
    /// broadcast or multicast. Not one this host sent (PACKET_OUTGOING: the socket sees our
    /// own replies), and not one for another MAC that reached the socket because the
    /// interface is promiscuous (PACKET_OTHERHOST: tcpdump running, or a bridge port): a
    /// DISCOVER unicast to another server is that server's to answer.
    static func isForThisHost(packetType: Int32) -> Bool {
        packetType != PACKET_OUTGOING && packetType != PACKET_OTHERHOST
    }

    public func send(frame: [UInt8]) throws(SystemCallError) {
        let sent = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == frame.count else { throw SystemCallError("send(AF_PACKET, \(frame.count) bytes)") }
        capture?.record(frame: frame[...])
    }
}
