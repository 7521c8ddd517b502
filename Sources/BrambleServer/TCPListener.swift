import BrambleWire
import CNetShims
import Glibc
import Logging

/// A non-blocking listening TCP socket for the loop (DNS over TCP on port 53): readable
/// means a connection is waiting, and ``accept()`` takes them until none is left or the
/// turn's batch is taken.
final class TCPListener {
    let fd: Int32
    let localPort: UInt16
    /// Connections ``accept()`` may still return this turn: no limit until watched through
    /// ``watch(in:logger:_:)``.
    private var turnBudget = EventLoop.TurnBudget()
    private var pause: ListenerPause?

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

    /// Calls `handler` whenever connections wait; from then on ``accept()`` returns at
    /// most ``EventLoop/readBatch`` of them per call of the handler, and pauses the
    /// listener when the daemon is out of descriptors (``ListenerPause``) instead of
    /// letting the level-triggered loop spin on a connection it cannot take.
    func watch(in loop: EventLoop, logger: Logger, _ handler: @escaping () -> Void) throws(SystemCallError) {
        turnBudget.watch()
        pause = ListenerPause(fd: fd, name: "\(localPort)/tcp", loop: loop, logger: logger)
        try loop.register(fd) { [weak self] _ in
            guard let self else { return }
            turnBudget.newTurn()
            handler()
        }
    }

    deinit { close(fd) }

    /// The next waiting connection, already non-blocking, or nil when none is queued (or
    /// it failed before we took it, which the client sees as a reset).
    func accept() -> TCPStream? {
        guard turnBudget.take() else { return nil }
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connection = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                cnet_accept_nonblocking(fd, $0, &length)
            }
        }
        guard connection >= 0 else {
            pause?.acceptFailed(errno: errno)
            return nil
        }
        let (address, port) = SocketAddress.address(of: peer)
        return TCPStream(fd: connection, peer: address, peerPort: port)
    }
}
