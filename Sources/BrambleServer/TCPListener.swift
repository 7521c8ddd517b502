import BrambleWire
import CNetShims
import Glibc

/// A non-blocking listening TCP socket for the loop (DNS over TCP on port 53): readable
/// means a connection is waiting, and ``accept()`` takes them until none is left.
final class TCPListener {
    let fd: Int32
    let localPort: UInt16

    /// Binds `address:port` (port 0: an ephemeral port, for tests) and listens.
    init(address: IPv4Address, port: UInt16, backlog: Int32 = 64) throws(SystemCallError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket(AF_INET, SOCK_STREAM)") }
        do throws(SystemCallError) {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard SocketAddress.bind(fd, address, port) else { throw SystemCallError("bind(\(address):\(port)/tcp)") }
            guard listen(fd, backlog) == 0 else { throw SystemCallError("listen(\(address):\(port))") }
            self.fd = fd
            localPort = SocketAddress.localPort(of: fd)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// The next waiting connection, already non-blocking, or nil when none is queued (or
    /// it failed before we took it, which the client sees as a reset).
    func accept() -> TCPStream? {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connection = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                cnet_accept_nonblocking(fd, $0, &length)
            }
        }
        guard connection >= 0 else { return nil }
        let (address, port) = SocketAddress.address(of: peer)
        return TCPStream(fd: connection, peer: address, peerPort: port)
    }
}
