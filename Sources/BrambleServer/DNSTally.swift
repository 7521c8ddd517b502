import BrambleControl
import BrambleDNS
import BrambleWire

/// DNSService's counters: answers by where they came from and their response code, and how
/// long upstreams took. Integer adds into fixed arrays (issue 18: nothing allocated per query).
struct DNSTally {
    /// Response codes by their 12-bit value; the codes past REFUSED share `other`.
    static let codeLabels = ["noerror", "formerr", "servfail", "nxdomain", "notimp", "refused", "other"]

    /// Upstream-latency buckets (ms): a resolver on the LAN answers in 1, a cache miss
    /// across the internet takes 50 to 500.
    static let latencyBoundsMilliseconds: [Int64] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]

    static func label(_ source: DNSAnswerSource) -> String {
        switch source {
        case .zone: "zone"
        case .cache: "cache"
        case .upstream: "upstream"
        case .local: "local"
        }
    }

    private var answers = [Int](repeating: 0, count: DNSAnswerSource.allCases.count * codeLabels.count)
    private(set) var upstreamLatency = DurationHistogram(upperBoundsMilliseconds: latencyBoundsMilliseconds)

    mutating func count(_ source: DNSAnswerSource, code: DNSResponseCode) {
        let index = Int(min(code.rawValue, UInt16(Self.codeLabels.count - 1)))
        answers[source.rawValue * Self.codeLabels.count + index] &+= 1
    }

    mutating func observeUpstream(_ latency: Duration) {
        upstreamLatency.observe(microseconds: latency.wholeNanoseconds / 1000)
    }

    func snapshot(queries: Int, cacheEntries: Int) -> DNSCounters {
        var bySource: [String: [String: Int]] = [:]
        for source in DNSAnswerSource.allCases {
            let base = source.rawValue * Self.codeLabels.count
            bySource[Self.label(source)] = Dictionary(uniqueKeysWithValues: Self.codeLabels.enumerated().map { ($0.element, answers[base + $0.offset]) })
        }
        return DNSCounters(answers: bySource, queries: queries, upstreamLatency: upstreamLatency, cacheEntries: cacheEntries)
    }
}
