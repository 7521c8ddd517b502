import BrambleWire
import CNetShims
import Glibc

/// One non-blocking TCP connection, accepted or opened: reads and writes that never wait,
/// reporting "would block" so the loop can come back when epoll says so.
final class TCPStream {
    let fd: Int32
    let peer: IPv4Address
    let peerPort: UInt16

    /// What a read brought.
    enum ReadResult: Equatable {
        case received(Int)
        case wouldBlock
        /// The peer closed its side, or the connection failed (reset, refused).
        case closed
    }

    init(fd: Int32, peer: IPv4Address, peerPort: UInt16) {
        self.fd = fd
        self.peer = peer
        self.peerPort = peerPort
    }

    /// Starts a connection to `address:port` without waiting for it: writes queue until
    /// epoll reports the socket writable, and a refused connection shows as ``ReadResult/closed``.
    static func connect(to address: IPv4Address, port: UInt16) throws(SystemCallError) -> TCPStream {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket(AF_INET, SOCK_STREAM)") }
        var remote = SocketAddress.make(address, port)
        let started = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard started == 0 || errno == EINPROGRESS else {
            let error = SystemCallError("connect(\(address):\(port))")
            close(fd)
            throw error
        }
        return TCPStream(fd: fd, peer: address, peerPort: port)
    }

    deinit { close(fd) }

    /// Reads what is available into `buffer` from its start.
    func read(into buffer: inout [UInt8]) -> ReadResult {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { return .received(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    /// Writes as much of `bytes` as the socket takes now: the count written (0 when it
    /// would block), or nil when the connection is gone.
    func write(_ bytes: ArraySlice<UInt8>) -> Int? {
        while true {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK, ENOTCONN: return 0
            default: return nil
            }
        }
    }
}
