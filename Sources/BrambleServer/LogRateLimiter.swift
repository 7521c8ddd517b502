import BrambleWire
import Synchronization

/// Rate limits log lines per call site and client, so a client that makes the daemon log
/// on every packet cannot flood the log or the disk under it.
///
/// One token bucket per (file, line, peer), `peer` being the line's `peer` metadata (the
/// client's address or MAC) when the call site gives one: ``burst`` lines at once, then
/// ``linesPerSecond``. One client's flood then costs only its own lines of that kind;
/// other clients and other kinds are untouched. Suppressed lines are counted, and one
/// summary line says how many were dropped from where: before the next line of that kind
/// gets through, or at the next ``summaryInterval`` sweep, whichever comes
/// first. At most ``maximumKeys`` buckets are kept (idle, full ones are forgotten); past
/// that, new clients of a call site share one bucket (`peer` shown as `others`).
public final class LogRateLimiter: Sendable {
    static let burst = 50
    static let linesPerSecond = 5.0
    static let maximumKeys = 1024
    static let summaryInterval = Duration.seconds(10)

    struct Key: Hashable {
        var file: String
        var line: UInt
        var peer: String?
    }

    private struct Limited {
        var bucket: TokenBucket
        var suppressed = 0
    }

    private struct State {
        var buckets: [Key: Limited] = [:]
        var nextSweep: MonotonicInstant
    }

    /// What to do with one line: write it or not, and the summaries to write before it.
    struct Verdict: Equatable {
        var allowed: Bool
        var summaries: [String]
    }

    private let state: Mutex<State>
    private let clock: @Sendable () -> MonotonicInstant

    /// - Parameter clock: the monotonic clock; tests pass their own.
    public init(clock: @escaping @Sendable () -> MonotonicInstant = MonotonicInstant.now) {
        self.clock = clock
        state = Mutex(State(nextSweep: clock() + Self.summaryInterval))
    }

    func admit(file: String, line: UInt, peer: String?) -> Verdict {
        let now = clock()
        return state.withLock { state in
            var summaries: [String] = []
            if now >= state.nextSweep {
                state.nextSweep = now + Self.summaryInterval
                Self.sweep(&state, now: now, summaries: &summaries)
            }
            var key = Key(file: file, line: line, peer: peer)
            if state.buckets[key] == nil && state.buckets.count >= Self.maximumKeys {
                Self.sweep(&state, now: now, summaries: &summaries)
                if state.buckets.count >= Self.maximumKeys { key.peer = "others" }
            }
            var limited = state.buckets[key] ?? Limited(bucket: TokenBucket(capacity: Self.burst, perSecond: Self.linesPerSecond, now: now))
            let allowed = limited.bucket.take(now: now)
            if allowed {
                if limited.suppressed > 0 { summaries.append(Self.summary(key, count: limited.suppressed)) }
                limited.suppressed = 0
            } else {
                limited.suppressed += 1
            }
            state.buckets[key] = limited
            return Verdict(allowed: allowed, summaries: summaries)
        }
    }

    /// Summaries for every key that suppressed lines; forgets the idle, full buckets.
    private static func sweep(_ state: inout State, now: MonotonicInstant, summaries: inout [String]) {
        for (key, limited) in state.buckets {
            if limited.suppressed > 0 {
                summaries.append(summary(key, count: limited.suppressed))
                state.buckets[key]?.suppressed = 0
            } else if limited.bucket.isFull(now: now) {
                state.buckets[key] = nil
            }
        }
    }

    static func summary(_ key: Key, count: Int) -> String {
        let peer = key.peer.map { " (peer \($0))" } ?? ""
        return "\(count) log lines suppressed from \(key.file):\(key.line)\(peer): more than \(burst) at once, \(Int(linesPerSecond)) a second after that"
    }
}
