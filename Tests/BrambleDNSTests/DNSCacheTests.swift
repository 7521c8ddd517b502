import BrambleDNS
import BrambleWire
import Testing

@Suite struct DNSCacheTests {
    static let second: UInt64 = 1_000_000_000
    static let key = DNSCacheKey(question: DNSQuestion(name: name("example.com"), type: .a), dnssecOK: false)

    static func response(
        _ code: DNSResponseCode = .noError, ttl: UInt32 = 60, answers: Bool = true, soa: (ttl: UInt32, minimum: UInt32)? = nil
    ) -> DNSMessage {
        var message = DNSMessage(responseTo: query("example.com", .a), code: code)
        if answers {
            message.answers = [DNSResourceRecord(name: name("example.com"), ttl: ttl, data: .a(IPv4Address(1, 2, 3, 4)))]
        }
        if let soa {
            let data = DNSStartOfAuthority(
                primaryServer: name("ns.example.com"), responsibleMailbox: name("h.example.com"), serial: 1,
                refresh: 1, retry: 1, expire: 1, minimum: soa.minimum)
            message.authorities = [DNSResourceRecord(name: name("example.com"), ttl: soa.ttl, data: .soa(data))]
        }
        return message
    }

    @Test func entriesExpireWithTheirTTL() {
        var cache = DNSCache()
        #expect(cache.store(Self.response(ttl: 60), for: Self.key, now: at(0)) == 60)
        #expect(cache.lookup(Self.key, now: at(10 * Self.second + 500_000_000))?.answers.first?.ttl == 50)
        #expect(cache.lookup(Self.key, now: at(60 * Self.second - 1))?.answers.first?.ttl == 1)
        #expect(cache.lookup(Self.key, now: at(60 * Self.second)) == nil)
        #expect(cache.count == 0, "an expired entry is dropped")
    }

    @Test func lookupIgnoresCase() {
        var cache = DNSCache()
        cache.store(Self.response(), for: Self.key, now: at(0))
        let upper = DNSCacheKey(question: DNSQuestion(name: name("EXAMPLE.COM"), type: .a), dnssecOK: false)
        #expect(cache.lookup(upper, now: at(0)) != nil)
        #expect(cache.lookup(DNSCacheKey(question: upper.question, dnssecOK: true), now: at(0)) == nil)
    }

    @Test func negativeAnswersLiveForTheSOAMinimumOrTTL() {
        var cache = DNSCache()
        #expect(cache.store(Self.response(.nameError, answers: false, soa: (300, 30)), for: Self.key, now: at(0)) == 30)
        let hit = cache.lookup(Self.key, now: at(20 * Self.second))
        #expect(hit?.responseCode == .nameError && hit?.answers.isEmpty == true)
        #expect(hit?.authorities.first?.ttl == 10, "the SOA says how long the denial has left")
        #expect(cache.lookup(Self.key, now: at(30 * Self.second)) == nil)

        #expect(cache.store(Self.response(answers: false, soa: (15, 600)), for: Self.key, now: at(0)) == 15, "NODATA: min(TTL, MINIMUM)")
        #expect(cache.store(Self.response(.nameError, answers: false), for: Self.key, now: at(0)) == 0, "no SOA: not cached")
    }

    @Test func failuresAreNotCachedOrOnlyBriefly() {
        var cache = DNSCache()
        #expect(cache.store(Self.response(.serverFailure), for: Self.key, now: at(0)) == 0)
        #expect(cache.store(Self.response(.refused), for: Self.key, now: at(0)) == 0)
        var truncated = Self.response()
        truncated.header.isTruncated = true
        #expect(cache.store(truncated, for: Self.key, now: at(0)) == 0)
        #expect(cache.store(Self.response(ttl: 0), for: Self.key, now: at(0)) == 0)
        #expect(cache.count == 0)

        cache.storeServerFailure(for: Self.key, now: at(0))
        #expect(cache.lookup(Self.key, now: at(Self.second))?.responseCode == .serverFailure)
        #expect(cache.lookup(Self.key, now: at(2 * Self.second)) == nil)
    }

    @Test func longTTLsAreCapped() {
        var cache = DNSCache(limits: .init(maximumTTL: 100))
        #expect(cache.store(Self.response(ttl: 604_800), for: Self.key, now: at(0)) == 100)
        #expect(cache.lookup(Self.key, now: at(0))?.answers.first?.ttl == 100)
    }

    @Test func leastRecentlyUsedIsEvictedAtTheEntryBound() {
        var cache = DNSCache(limits: .init(maximumEntries: 3))
        let keys = (0..<4).map { DNSCacheKey(question: DNSQuestion(name: name("h\($0).example"), type: .a), dnssecOK: false) }
        for key in keys.prefix(3) { cache.store(Self.response(), for: key, now: at(0)) }
        #expect(cache.lookup(keys[0], now: at(0)) != nil)
        cache.store(Self.response(), for: keys[3], now: at(0))
        #expect(cache.count == 3)
        #expect(cache.lookup(keys[1], now: at(0)) == nil, "least recently used")
        #expect(cache.lookup(keys[0], now: at(0)) != nil && cache.lookup(keys[2], now: at(0)) != nil && cache.lookup(keys[3], now: at(0)) != nil)
    }

    @Test func theByteBoundHolds() {
        var cache = DNSCache(limits: .init(maximumBytes: 1000))
        for index in 0..<100 {
            let key = DNSCacheKey(question: DNSQuestion(name: name("host\(index).example"), type: .a), dnssecOK: false)
            cache.store(Self.response(), for: key, now: at(0))
            #expect(cache.byteCount <= 1000)
        }
        #expect(cache.count > 1 && cache.count < 100)
    }

    @Test func replacingAnEntryKeepsTheCountsRight() {
        var cache = DNSCache(limits: .init(maximumEntries: 2))
        for ttl in [10, 20, 30] as [UInt32] { cache.store(Self.response(ttl: ttl), for: Self.key, now: at(0)) }
        #expect(cache.count == 1)
        #expect(cache.lookup(Self.key, now: at(0))?.answers.first?.ttl == 30)
    }
}
