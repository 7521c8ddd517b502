/// A point on the monotonic clock, in nanoseconds from an arbitrary origin: the one instant
/// type every protocol core takes its `now` in.
///
/// Cores read no clock. The daemon reads `CLOCK_MONOTONIC` once per wake-up and passes the
/// instant in; replay passes the capture's timestamps; tests start anywhere and advance by
/// hand. Monotonic, because wall-clock jumps (NTP stepping the clock of a hub that booted
/// without an RTC) must neither fire nor stall protocol timers. Wall time is only for what
/// an operator reads or what outlives the process (boot logs, the lease journal).
public struct MonotonicInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let nanoseconds: UInt64

    @inlinable
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The instant `duration` later; a negative duration counts as zero, and the sum
    /// saturates rather than wraps, so a hostile or absurd timeout cannot move time back.
    @inlinable
    public static func + (instant: MonotonicInstant, duration: Duration) -> MonotonicInstant {
        let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(UInt64(max(0, duration.wholeNanoseconds)))
        return MonotonicInstant(nanoseconds: overflow ? .max : sum)
    }

    /// The instant `nanoseconds` later, saturating: the per-packet form of `+`, for a
    /// caller that turned its `Duration` into nanoseconds once (`Duration.components`
    /// costs a 128-bit multiply in the standard library on every call).
    @inlinable
    public func adding(nanoseconds: UInt64) -> MonotonicInstant {
        let (sum, overflow) = self.nanoseconds.addingReportingOverflow(nanoseconds)
        return MonotonicInstant(nanoseconds: overflow ? .max : sum)
    }

    @inlinable
    public func adding(milliseconds: Int) -> MonotonicInstant {
        self + .milliseconds(milliseconds)
    }

    /// The time from `earlier` to `self`; zero if `earlier` is in fact later.
    @inlinable
    public func duration(since earlier: MonotonicInstant) -> Duration {
        guard nanoseconds > earlier.nanoseconds else { return .zero }
        return .nanoseconds(Int64(clamping: nanoseconds - earlier.nanoseconds))
    }

    @inlinable
    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var description: String { "\(nanoseconds) ns" }
}

extension Duration {
    /// Whole nanoseconds, saturating: protocol timeouts are seconds, far from the limits.
    @inlinable
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
