import BrambleControl
import BrambleDNS

/// DNSService's counters: answers by where they came from and their response code, and how
/// long upstreams took. Integer adds into fixed arrays (issue 18: nothing allocated per query).
struct DNSTally {
    /// Where an answer came from.
    enum Source: Int, CaseIterable {
        /// The cluster zone (or its memo of answers sent before), including its REFUSED to
        /// clients outside the subnet.
        case zone
        /// The forwarder's cache.
        case cache
        /// An upstream's answer, or SERVFAIL after every upstream failed.
        case upstream
        /// The server's own error: FORMERR for a query that does not decode, SERVFAIL with
        /// no upstream.
        case local

        var label: String {
            switch self {
            case .zone: "zone"
            case .cache: "cache"
            case .upstream: "upstream"
            case .local: "local"
            }
        }
    }

    /// Response codes by their 12-bit value; the codes past REFUSED share `other`.
    static let codeLabels = ["noerror", "formerr", "servfail", "nxdomain", "notimp", "refused", "other"]

    /// Upstream-latency buckets (ms): a resolver on the LAN answers in 1, a cache miss
    /// across the internet takes 50 to 500.
    static let latencyBoundsMilliseconds: [Int64] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]

    private var answers = [Int](repeating: 0, count: Source.allCases.count * codeLabels.count)
    private(set) var upstreamLatency = DurationHistogram(upperBoundsMilliseconds: latencyBoundsMilliseconds)

    mutating func count(_ source: Source, code: DNSResponseCode) {
        let index = Int(min(code.rawValue, UInt16(Self.codeLabels.count - 1)))
        answers[source.rawValue * Self.codeLabels.count + index] &+= 1
    }

    /// An answer already encoded: its code is the header's low 4 bits (an extended code in
    /// an OPT record is not read; this server's stored answers have none).
    mutating func count(_ source: Source, encoded bytes: [UInt8]) {
        count(source, code: DNSResponseCode(rawValue: bytes.count > 3 ? UInt16(bytes[3] & 0x0f) : 0xfff))
    }

    mutating func observeUpstream(nanoseconds: UInt64) {
        upstreamLatency.observe(microseconds: Int64(clamping: nanoseconds / 1000))
    }

    func snapshot(queries: Int, cacheEntries: Int) -> DNSCounters {
        var bySource: [String: [String: Int]] = [:]
        for source in Source.allCases {
            let base = source.rawValue * Self.codeLabels.count
            bySource[source.label] = Dictionary(uniqueKeysWithValues: Self.codeLabels.enumerated().map { ($0.element, answers[base + $0.offset]) })
        }
        return DNSCounters(answers: bySource, queries: queries, upstreamLatency: upstreamLatency, cacheEntries: cacheEntries)
    }
}
