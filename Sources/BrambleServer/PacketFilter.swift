import CNetShims
import Glibc

/// A classic BPF program for a socket: on the AF_PACKET socket, so the kernel hands the
/// daemon only the frames it serves instead of every frame on a busy cluster switch; on
/// DHCP's UDP socket, so the kernel queues nothing there (``dropEverything``).
public struct PacketFilter: Equatable, Sendable {
    public struct Instruction: Equatable, Sendable {
        public let code: UInt16
        public let jumpIfTrue: UInt8
        public let jumpIfFalse: UInt8
        public let constant: UInt32
    }

    public let instructions: [Instruction]

    /// IPv4, UDP, not a fragment (DHCP never fragments; a fragment's "port" is payload),
    /// destination port `port`: what `tcpdump -dd 'ip and udp dst port 67'` would compile.
    public static func udpDestinationPort(_ port: UInt16) -> PacketFilter {
        let drop: UInt8 = 10
        func op(_ code: UInt16, _ constant: UInt32, jt: UInt8 = 0, jf: UInt8 = 0) -> Instruction {
            Instruction(code: code, jumpIfTrue: jt, jumpIfFalse: jf, constant: constant)
        }
        return PacketFilter(instructions: [
            op(0x28, 12),                           // 0: ldh [12]           ethertype
            op(0x15, 0x0800, jf: drop - 1 - 1),     // 1: jeq IPv4
            op(0x30, 23),                           // 2: ldb [23]           IP protocol
            op(0x15, 17, jf: drop - 3 - 1),         // 3: jeq UDP
            op(0x28, 20),                           // 4: ldh [20]           flags + fragment offset
            op(0x45, 0x1fff, jt: drop - 5 - 1),     // 5: jset fragment offset -> drop
            op(0xb1, 14),                           // 6: ldxb 4*([14]&0xf)  IP header length
            op(0x48, 16),                           // 7: ldh [x+16]         UDP destination port
            op(0x15, UInt32(port), jf: 1),          // 8: jeq port
            op(0x06, 0x40000),                      // 9: ret accept (whole frame)
            op(0x06, 0),                            // 10: ret drop
        ])
    }

    /// `ret 0`: the kernel drops every datagram before it is queued. For a socket that must
    /// be bound (so the port is open, and draws no ICMP port-unreachable) but whose input
    /// another socket reads: no wake-up, no copy, no system call per datagram.
    public static let dropEverything = PacketFilter(instructions: [Instruction(code: 0x06, jumpIfTrue: 0, jumpIfFalse: 0, constant: 0)])

    /// Attaches the program to `fd` (SO_ATTACH_FILTER; classic BPF on any socket type).
    public func attach(to fd: Int32) throws(SystemCallError) {
        var program = instructions.map { sock_filter(code: $0.code, jt: $0.jumpIfTrue, jf: $0.jumpIfFalse, k: $0.constant) }
        let attached = program.withUnsafeMutableBufferPointer { buffer in
            var fprog = sock_fprog(len: UInt16(buffer.count), filter: buffer.baseAddress)
            return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, socklen_t(MemoryLayout<sock_fprog>.size))
        }
        guard attached == 0 else { throw SystemCallError("setsockopt(SO_ATTACH_FILTER)") }
    }
}
