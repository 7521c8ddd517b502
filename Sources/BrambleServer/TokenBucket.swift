/// A token bucket: up to `capacity` events at once, then `perSecond` on average.
///
/// Used wherever a client could make the daemon do something costly per packet (a
/// journal fsync, a log line): a burst of normal work passes untouched, a flood is cut to
/// the refill rate. Times are monotonic nanoseconds, passed in, so tests drive the clock.
struct TokenBucket: Sendable {
    let capacity: Double
    let perSecond: Double
    private(set) var tokens: Double
    private var updated: UInt64

    init(capacity: Int, perSecond: Double, now: UInt64) {
        self.capacity = Double(capacity)
        self.perSecond = perSecond
        tokens = Double(capacity)
        updated = now
    }

    /// Takes one token if there is one.
    mutating func take(now: UInt64) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket has been idle long enough to be full again: such a bucket can be
    /// forgotten and recreated at no cost to whoever it limited.
    func isFull(now: UInt64) -> Bool {
        now >= updated && tokens + Double(now - updated) / 1e9 * perSecond >= capacity
    }

    private mutating func refill(now: UInt64) {
        guard now > updated else { return }
        tokens = min(capacity, tokens + Double(now - updated) / 1e9 * perSecond)
        updated = now
    }
}
