import BrambleWire

/// A point on a monotonic clock, in nanoseconds from an arbitrary origin.
///
/// The transfer state machine reads no clock: the event loop passes `now` in and arms its
/// timers at the deadlines handed back. The server's own monotonic instant converts with
/// `TFTPInstant(nanoseconds:)`; tests start anywhere and advance by hand.
public struct TFTPInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func + (instant: TFTPInstant, duration: Duration) -> TFTPInstant {
        TFTPInstant(nanoseconds: instant.nanoseconds &+ UInt64(max(0, duration.wholeNanoseconds)))
    }

    /// The time from `earlier` to `self`; zero if `earlier` is in fact later.
    public func duration(since earlier: TFTPInstant) -> Duration {
        guard nanoseconds > earlier.nanoseconds else { return .zero }
        return .nanoseconds(Int64(clamping: nanoseconds - earlier.nanoseconds))
    }

    public static func < (lhs: TFTPInstant, rhs: TFTPInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var description: String { "\(nanoseconds) ns" }
}
