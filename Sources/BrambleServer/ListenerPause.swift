import BrambleWire
import CNetShims
import Glibc
import Logging

/// What a listening socket does when `accept` fails for want of resources (EMFILE,
/// ENFILE, ENOBUFS, ENOMEM): it stops being watched for ``pauseMilliseconds``, then a
/// timer watches it again.
///
/// The loop's epoll is level-triggered: a connection the daemon cannot accept keeps the
/// listener readable, so without the pause the loop would call the failing `accept`
/// again at once, forever, at 100 % CPU, and DHCP and TFTP would get only what is left.
/// The waiting connections stay in the backlog and are taken once descriptors are free.
/// Logged once per ``logInterval`` with the number of pauses since, so a long
/// shortage is one line a minute, not one per pause.
final class ListenerPause {
    static let pauseMilliseconds = 250
    static let logInterval = Duration.seconds(60)

    private let fd: Int32
    private let name: String
    private let logger: Logger
    private weak var loop: EventLoop?
    private(set) var isPaused = false
    /// Pauses since the last line logged.
    private(set) var pausesSinceLog = 0
    private var lastLogged: MonotonicInstant?

    init(fd: Int32, name: String, loop: EventLoop, logger: Logger) {
        self.fd = fd
        self.name = name
        self.loop = loop
        self.logger = logger
    }

    /// Whether an `accept` failure with this errno means "no resources now": pause. Any
    /// other failure (the peer reset before we took it, EAGAIN) concerns one connection.
    static func isResourceShortage(_ errno: Int32) -> Bool {
        errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM
    }

    /// Handles a failed `accept`; true when the listener is now paused.
    @discardableResult
    func acceptFailed(errno: Int32) -> Bool {
        guard Self.isResourceShortage(errno), !isPaused, let loop else { return isPaused }
        isPaused = true
        pausesSinceLog += 1
        loop.watch(fd, events: 0)
        let now = loop.now
        if lastLogged.map({ now.duration(since: $0) >= Self.logInterval }) ?? true {
            let error = SystemCallError("accept(\(name))", errno: errno)
            logger.warning("\(error): not accepting for \(Self.pauseMilliseconds) ms at a time until it succeeds (\(pausesSinceLog) pause(s) since the last such line)")
            lastLogged = now
            pausesSinceLog = 0
        }
        loop.schedule(afterMilliseconds: Self.pauseMilliseconds) { [weak self] in self?.resume() }
        return true
    }

    private func resume() {
        isPaused = false
        loop?.watch(fd, events: EPOLLIN.rawValue)
    }
}
