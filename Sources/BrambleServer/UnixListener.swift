import BrambleWire
import CNetShims
import Glibc
import Logging

/// A non-blocking listening Unix stream socket at a path (the control socket): readable
/// means a connection is waiting.
final class UnixListener {
    let fd: Int32
    let path: String
    /// Connections ``accept()`` may still return this turn; nil when not watched through
    /// ``watch(in:logger:_:)``.
    private var turnBudget: Int?
    private var pause: ListenerPause?

    /// Replaces whatever socket a previous run left at `path`, binds, sets `mode` and, when
    /// given, the owner (the account the daemon drops to, which must still accept on it).
    init(path: String, mode: mode_t, owner: (uid: uid_t, gid: gid_t)?, backlog: Int32 = 16) throws(SystemCallError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw SystemCallError("bind(\(path)): the path is longer than \(capacity - 1) bytes", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket(AF_UNIX, SOCK_STREAM)") }
        do throws(SystemCallError) {
            var status = stat()
            if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw SystemCallError("bind(\(path))") }
            guard chmod(path, mode) == 0 else { throw SystemCallError("chmod(\(path))") }
            if let owner, chown(path, owner.uid, owner.gid) != 0 { throw SystemCallError("chown(\(path))") }
            guard listen(fd, backlog) == 0 else { throw SystemCallError("listen(\(path))") }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.path = path
    }

    /// Calls `handler` whenever connections wait; from then on ``accept()`` returns at
    /// most ``EventLoop/readBatch`` of them per call of the handler, and pauses the
    /// listener when the daemon is out of descriptors (``ListenerPause``) instead of
    /// letting the level-triggered loop spin on a connection it cannot take.
    func watch(in loop: EventLoop, logger: Logger, _ handler: @escaping () -> Void) throws(SystemCallError) {
        turnBudget = 0
        pause = ListenerPause(fd: fd, name: path, loop: loop, logger: logger)
        try loop.register(fd) { [weak self] _ in
            guard let self else { return }
            turnBudget = EventLoop.readBatch
            handler()
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next waiting connection, already non-blocking, or nil when none is queued.
    /// A Unix peer has no IPv4 address: the stream carries `0.0.0.0`.
    func accept() -> TCPStream? {
        if let budget = turnBudget {
            guard budget > 0 else { return nil }
            turnBudget = budget - 1
        }
        let connection = cnet_accept_nonblocking(fd, nil, nil)
        guard connection >= 0 else {
            pause?.acceptFailed(errno: errno)
            return nil
        }
        return TCPStream(fd: connection, peer: .any, peerPort: 0)
    }
}
