import BrambleWire
import Glibc

extension MonotonicInstant {
    /// The daemon's one monotonic clock read; cores get the result passed in.
    public static func now() -> MonotonicInstant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }
}
