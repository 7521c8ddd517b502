import BrambleWire
import Glibc

/// Wall-clock time for boot logs and status, in milliseconds since the epoch. Timers use
/// ``MonotonicInstant``; this is only for what an operator reads.
enum WallClock {
    static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
