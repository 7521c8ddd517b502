import BrambleWire
import CNetShims
import Glibc
import Logging

/// A non-blocking listening Unix stream socket in a directory (the control socket in the
/// state directory): readable means a connection is waiting.
final class UnixListener {
    let fd: Int32
    let directory: DirectoryHandle
    let name: String
    var path: String { directory.pathOf(name) }
    /// Connections ``accept()`` may still return this turn: no limit until watched through
    /// ``watch(in:logger:_:)``.
    private var turnBudget = EventLoop.TurnBudget()
    private var pause: ListenerPause?

    /// Replaces the socket a previous run left at `name` (anything else there is refused),
    /// binds with `mode` and, when given, hands it to `owner` (the account the daemon drops
    /// to, which must still accept on it).
    ///
    /// How the path is reached safely while root, in a directory the account owns:
    /// - bind goes through `/proc/self/fd/N/NAME`, N being the directory's descriptor: the
    ///   kernel resolves the magic link to the very directory that was opened and checked,
    ///   so no component of the path can be swapped in between, and the 108-byte `sun_path`
    ///   limit never bites however deep the state directory is. (`fchdir` would do the same
    ///   but changes the whole process's working directory.) bind never follows a link at
    ///   its last component: it creates the socket or fails with EADDRINUSE.
    /// - the mode is set with `fchmodat(AT_SYMLINK_NOFOLLOW)`, which refuses a link
    ///   (`chmod` would follow one, and `fchmod` on a socket descriptor does not reach the
    ///   file); until then the socket has the umask's mode, no wider.
    /// - the owner is set with `fchownat(AT_SYMLINK_NOFOLLOW)`, which changes a link itself
    ///   if one was swapped in, never its target.
    init(directory: DirectoryHandle, name: String, mode: mode_t, owner: (uid: uid_t, gid: gid_t)?, backlog: Int32 = 16) throws(UnsafeFileError) {
        try directory.removeStaleSocket(name)
        let boundPath = "/proc/self/fd/\(directory.fd)/\(name)"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(boundPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw .system(SystemCallError("bind(\(directory.pathOf(name))): the name is longer than \(capacity - 1) bytes", errno: ENAMETOOLONG))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(SystemCallError("socket(AF_UNIX, SOCK_STREAM)")) }
        do throws(UnsafeFileError) {
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw .system(SystemCallError("bind(\(directory.pathOf(name)))")) }
            guard fchmodat(directory.fd, name, mode, AT_SYMLINK_NOFOLLOW) == 0 else { throw .system(SystemCallError("chmod(\(directory.pathOf(name)))")) }
            if let owner, fchownat(directory.fd, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0 {
                throw .system(SystemCallError("chown(\(directory.pathOf(name)))"))
            }
            guard listen(fd, backlog) == 0 else { throw .system(SystemCallError("listen(\(directory.pathOf(name)))")) }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.directory = directory
        self.name = name
    }

    /// Calls `handler` whenever connections wait; from then on ``accept()`` returns at
    /// most ``EventLoop/readBatch`` of them per call of the handler, and pauses the
    /// listener when the daemon is out of descriptors (``ListenerPause``) instead of
    /// letting the level-triggered loop spin on a connection it cannot take.
    func watch(in loop: EventLoop, logger: Logger, _ handler: @escaping () -> Void) throws(SystemCallError) {
        turnBudget.watch()
        pause = ListenerPause(fd: fd, name: path, loop: loop, logger: logger)
        try loop.register(fd) { [weak self] _ in
            guard let self else { return }
            turnBudget.newTurn()
            handler()
        }
    }

    deinit {
        close(fd)
        var status = stat()
        if fstatat(directory.fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFSOCK { unlinkat(directory.fd, name, 0) }
    }

    /// The next waiting connection, already non-blocking, or nil when none is queued.
    /// A Unix peer has no IPv4 address: the stream carries `0.0.0.0`.
    func accept() -> TCPStream? {
        guard turnBudget.take() else { return nil }
        let connection = cnet_accept_nonblocking(fd, nil, nil)
        guard connection >= 0 else {
            pause?.acceptFailed(errno: errno)
            return nil
        }
        return TCPStream(fd: connection, peer: .any, peerPort: 0)
    }
}
