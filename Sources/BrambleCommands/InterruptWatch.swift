import CNetShims
import Glibc

/// Ctrl-C (and SIGTERM) as a descriptor to poll beside the control socket, so `--watch` and
/// `--follow` end cleanly (cursor restored, exit 0) instead of dying mid-line.
final class InterruptWatch {
    let fd: Int32

    init() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigprocmask(SIG_BLOCK, &signals, nil)
        fd = signalfd(-1, &signals, Int32(SFD_CLOEXEC))
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Waits up to `milliseconds` (-1: no limit) for `other` to be readable or an interrupt.
    /// Returns true when interrupted.
    func wait(milliseconds: Int32, other: Int32? = nil) -> (interrupted: Bool, otherReady: Bool) {
        var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let other { descriptors.append(pollfd(fd: other, events: Int16(POLLIN), revents: 0)) }
        while poll(&descriptors, nfds_t(descriptors.count), milliseconds) < 0 && errno == EINTR {}
        return (descriptors[0].revents != 0, descriptors.count > 1 && descriptors[1].revents != 0)
    }
}
