import BrambleWire
import CNetShims
import Glibc

/// `sockaddr_in` to and from the wire types, for the TCP sockets.
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
}
