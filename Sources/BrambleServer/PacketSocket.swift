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
            var program = filter.instructions.map { sock_filter(code: $0.code, jt: $0.jumpIfTrue, jf: $0.jumpIfFalse, k: $0.constant) }
            let attached = program.withUnsafeMutableBufferPointer { buffer in
                var fprog = sock_fprog(len: UInt16(buffer.count), filter: buffer.baseAddress)
                return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, socklen_t(MemoryLayout<sock_fprog>.size))
            }
            guard attached == 0 else { throw SystemCallError("setsockopt(SO_ATTACH_FILTER)") }
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

    /// A frame the kernel received.
    public struct ReceivedFrame {
        public let bytes: ArraySlice<UInt8>
        /// The sender left its transport checksum for offload (a local veth or tap sender):
        /// do not verify it. See `UDPDatagram`'s decoder.
        public let checksumNotReady: Bool
    }

    /// Reads one frame the kernel received (frames this host sent are skipped); nil when
    /// nothing is queued.
    public func receive(into buffer: inout [UInt8]) -> ReceivedFrame? {
        while true {
            var outgoing: Int32 = 0
            var checksumNotReady: Int32 = 0
            let count = buffer.withUnsafeMutableBytes { cnet_receive_frame(fd, $0.baseAddress, $0.count, &outgoing, &checksumNotReady) }
            guard count >= 0 else { return nil }
            if outgoing != 0 { continue }
            capture?.record(frame: buffer[0..<count], checksumNotReady: checksumNotReady != 0)
            return ReceivedFrame(bytes: buffer[0..<count], checksumNotReady: checksumNotReady != 0)
        }
    }

    public func send(frame: [UInt8]) throws(SystemCallError) {
        let sent = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == frame.count else { throw SystemCallError("send(AF_PACKET, \(frame.count) bytes)") }
        capture?.record(frame: frame[...])
    }
}
