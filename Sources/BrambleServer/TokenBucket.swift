import BrambleWire

/// A token bucket: up to `capacity` events at once, then `perSecond` on average.
///
/// Used wherever a client could make the daemon do something costly per packet (a
/// journal fsync, a log line): a burst of normal work passes untouched, a flood is cut to
/// the refill rate. Times are monotonic instants, passed in, so tests drive the clock.
struct TokenBucket: Sendable {
    let capacity: Double
    let perSecond: Double
    private(set) var tokens: Double
    private var updated: MonotonicInstant

    init(capacity: Int, perSecond: Double, now: MonotonicInstant) {
        self.capacity = Double(capacity)
        self.perSecond = perSecond
        tokens = Double(capacity)
        updated = now
    }

    /// Takes one token if there is one.
    mutating func take(now: MonotonicInstant) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket has been idle long enough to be full again: such a bucket can be
    /// forgotten and recreated at no cost to whoever it limited.
    func isFull(now: MonotonicInstant) -> Bool {
        now >= updated && tokens + Self.seconds(now.duration(since: updated)) * perSecond >= capacity
    }

    private mutating func refill(now: MonotonicInstant) {
        guard now > updated else { return }
        tokens = min(capacity, tokens + Self.seconds(now.duration(since: updated)) * perSecond)
        updated = now
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.wholeNanoseconds) / 1e9
    }
}
