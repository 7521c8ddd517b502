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

/// Wall-clock time, in milliseconds since the epoch: the one exception to
/// ``MonotonicInstant`` (docs/architecture.md, "Time"). Used only for what an operator reads
/// or what outlives the process: boot-log lines and records, `status` and `counters` over the
/// control socket. Everything that measures or schedules (timers, rate limits, timeouts)
/// takes a ``MonotonicInstant``, which NTP stepping the clock cannot move.
enum WallClock {
    static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Nanoseconds since the epoch: the clock of a packet ring's receive timestamps.
    static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
