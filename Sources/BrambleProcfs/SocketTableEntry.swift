import BrambleWire

/// One socket of the kernel's socket tables (/proc/net/udp, tcp, udp6, tcp6): where it is
/// bound and the inode that names it in every owning process's /proc/PID/fd.
public struct SocketTableEntry: Equatable, Sendable {
    /// The local address as the kernel keeps it: 4 bytes for the IPv4 tables, 16 for IPv6.
    public enum LocalAddress: Equatable, Sendable {
        case ipv4(IPv4Address)
        case ipv6([UInt8])
    }

    /// The table's 1-based line the entry was read from (the header is line 1).
    public var line: Int
    public var localAddress: LocalAddress
    public var localPort: UInt16
    /// The kernel's TCP state number (include/net/tcp_states.h): 0x0A is LISTEN; unconnected
    /// UDP sockets show 0x07 (CLOSE).
    public var state: UInt8
    public var inode: UInt64

    public init(line: Int, localAddress: LocalAddress, localPort: UInt16, state: UInt8, inode: UInt64) {
        self.line = line
        self.localAddress = localAddress
        self.localPort = localPort
        self.state = state
        self.inode = inode
    }

    public static let listenState: UInt8 = 0x0A

    /// The IPv4 address the socket receives on: the IPv4 address itself, or the address of an
    /// IPv4-mapped IPv6 one (::ffff:A.B.C.D); nil for other IPv6 addresses.
    public var ipv4Address: IPv4Address? {
        switch localAddress {
        case .ipv4(let address):
            return address
        case .ipv6(let bytes):
            guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return nil }
            return IPv4Address(bytes: bytes[12...])
        }
    }

    /// Whether this socket keeps bramble from serving `port` of `transport` on `address`:
    /// bound to that port on that address or on the wildcard 0.0.0.0 (also IPv4-mapped), and
    /// for TCP listening. A bind beside such a socket either fails (EADDRINUSE) or, when both
    /// set SO_REUSEADDR as dnsmasq and bramble do for UDP, succeeds and splits the traffic,
    /// so the check cannot rely on bind's answer. A plain IPv6 wildcard (`::`) is not
    /// counted: dnsmasq and most servers open it IPV6_V6ONLY, beside a separate IPv4 socket.
    public func blocks(port: UInt16, transport: SocketTransport, on address: IPv4Address) -> Bool {
        guard localPort == port, let bound = ipv4Address, bound == address || bound == IPv4Address(0) else { return false }
        return transport == .udp || state == Self.listenState
    }
}

/// Which table an entry came from: the port numbers of UDP and TCP are separate spaces.
public enum SocketTransport: String, Equatable, Sendable {
    case udp = "UDP"
    case tcp = "TCP"
}
