import BrambleWire
import CNetShims
import Glibc

/// `sockaddr_in` to and from the wire types, and the bind steps every IPv4 socket shares.
enum SocketAddress {
    static func make(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr.s_addr = address.value.bigEndian
        return socketAddress
    }

    static func address(of socketAddress: sockaddr_in) -> (IPv4Address, UInt16) {
        (IPv4Address(UInt32(bigEndian: socketAddress.sin_addr.s_addr)), UInt16(bigEndian: socketAddress.sin_port))
    }

    /// Binds `fd` to `address:port`; false with errno set when the kernel refuses.
    static func bind(_ fd: Int32, _ address: IPv4Address, _ port: UInt16) -> Bool {
        var local = make(address, port)
        return withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// The port a bound socket got (the kernel's choice when it asked for port 0).
    static func localPort(of fd: Int32) -> UInt16 {
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: actual.sin_port)
    }
}
