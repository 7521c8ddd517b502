import Glibc
import Synchronization

/// The signal that asked the demo to stop (SIGINT, SIGTERM, SIGHUP), or 0. A handler can
/// only set a flag; the demo's loop sees it within a tick and tears everything down.
let demoStopSignal = Atomic<Int32>(0)

enum DemoSignals {
    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in demoStopSignal.store(received, ordering: .relaxed) }
        }
    }

    static var received: Int32 { demoStopSignal.load(ordering: .relaxed) }
}
