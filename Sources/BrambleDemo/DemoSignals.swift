import Glibc
import Synchronization

/// The signal that asked the demo to stop (SIGINT, SIGTERM, SIGHUP), or 0. A handler can
/// only set a flag; the demo's loop sees it within a tick and tears everything down.
let demoStopSignal = Atomic<Int32>(0)

enum DemoSignals {
    /// Installs the handlers and unblocks the signals, which a parent (a test runner, a
    /// service manager) may have left blocked in the mask the demo inherited.
    static func install() {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in demoStopSignal.store(received, ordering: .relaxed) }
            sigaddset(&mask, signalNumber)
        }
        sigprocmask(SIG_UNBLOCK, &mask, nil)
        // Output into a closed pipe (`| head`) must not kill the demo before it cleans up.
        signal(SIGPIPE, SIG_IGN)
    }

    static var received: Int32 { demoStopSignal.load(ordering: .relaxed) }
}
