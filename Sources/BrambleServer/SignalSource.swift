import CNetShims
import Glibc

/// Delivers signals (SIGTERM, SIGINT, SIGHUP) as ordinary events of the loop through a
/// signalfd, so a reload or stop happens between packets, never inside a handler.
///
/// The signals are blocked on the calling thread; create this on the loop's thread before
/// any other thread starts, so no thread is left to take them the default way.
public final class SignalSource {
    private let fd: Int32
    private let loop: EventLoop

    public init(signals: [Int32], loop: EventLoop, handler: @escaping (Int32) -> Void) throws(SystemCallError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals { sigaddset(&mask, signal) }
        guard pthread_sigmask(SIG_BLOCK, &mask, nil) == 0 else { throw SystemCallError("pthread_sigmask") }
        let fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw SystemCallError("signalfd") }
        self.fd = fd
        self.loop = loop
        try loop.register(fd) { _ in
            var info = signalfd_siginfo()
            while read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
                handler(Int32(info.ssi_signo))
            }
        }
    }

    deinit {
        loop.deregister(fd)
        close(fd)
    }
}
