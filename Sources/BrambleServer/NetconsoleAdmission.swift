import BrambleWire

/// How many netconsole lines one node may add to its boot log: a token bucket per source
/// address, ``burst`` lines at once, then ``linesPerSecond``.
///
/// A bootloader with its debug log on sends a few hundred lines in a boot, most of them in
/// the first seconds; a source that keeps sending faster is a flood (or a spoofer using a
/// node's address), and its excess is dropped and counted, not stored. The count is handed
/// back with the next lines that get through, so the log says how many are missing. At most
/// ``maximumSources`` buckets are kept; idle, full ones are forgotten first, and past that
/// the new sources share one bucket, so forged addresses cannot grow the table.
struct NetconsoleAdmission {
    static let burst = 400
    static let linesPerSecond = 100.0
    static let maximumSources = 1024

    private struct Source {
        var bucket: TokenBucket
        var dropped = 0
    }

    /// What of a datagram's lines may be recorded.
    struct Verdict: Equatable {
        /// The first `admitted` lines go into the log; the rest are dropped.
        var admitted: Int
        /// Lines dropped from this source since its last admitted ones, to report before them.
        var droppedBefore: Int
    }

    private var sources: [IPv4Address: Source] = [:]
    /// The bucket sources share once the table is full.
    private var overflow: Source?

    var trackedSources: Int { sources.count }

    mutating func admit(lines: Int, from source: IPv4Address, now: UInt64) -> Verdict {
        if sources[source] == nil && sources.count >= Self.maximumSources {
            sources = sources.filter { !$0.value.bucket.isFull(now: now) || $0.value.dropped > 0 }
        }
        guard sources[source] != nil || sources.count < Self.maximumSources else {
            var shared = overflow ?? Self.newSource(now: now)
            let verdict = Self.admit(lines: lines, into: &shared, now: now)
            overflow = shared
            return verdict
        }
        return Self.admit(lines: lines, into: &sources[source, default: Self.newSource(now: now)], now: now)
    }

    private static func newSource(now: UInt64) -> Source {
        Source(bucket: TokenBucket(capacity: burst, perSecond: linesPerSecond, now: now))
    }

    private static func admit(lines: Int, into source: inout Source, now: UInt64) -> Verdict {
        var admitted = 0
        while admitted < lines && source.bucket.take(now: now) { admitted += 1 }
        let droppedBefore = admitted > 0 ? source.dropped : 0
        if admitted > 0 { source.dropped = 0 }
        source.dropped += lines - admitted
        return Verdict(admitted: admitted, droppedBefore: droppedBefore)
    }
}
