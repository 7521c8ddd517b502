import BrambleWire

/// Forwarded answers kept for their TTL, bounded in entries and bytes, least recently used
/// evicted first. Time is injected (`now`, a ``MonotonicInstant``) so expiry is testable and
/// a wall-clock jump cannot empty or freeze the cache.
///
/// Each entry also keeps its response encoded (``DNSStoredResponse``), and the index finds
/// entries by the question's bytes as received, so a hit is answered by copying bytes and
/// patching the ID and the TTLs' countdown, with no decoding and no allocation.
///
/// What is kept (RFC 2308, RFC 2181 section 8):
/// - answers, for the smallest TTL among their records;
/// - NXDOMAIN and NODATA, for min(SOA TTL, SOA MINIMUM) of the authority section's SOA,
///   and not at all without one (section 5);
/// - server failures, briefly, so a dead upstream is not hammered by every retry
///   (section 7.1 allows up to five minutes; seconds are enough here);
/// - nothing else: truncated answers, REFUSED and the like.
public struct DNSCache: Sendable {
    public struct Limits: Hashable, Sendable {
        public var maximumEntries: Int
        /// Approximate wire bytes of the stored records.
        public var maximumBytes: Int
        /// Caps a positive TTL: an upstream's week-long TTL should not outlive a change.
        public var maximumTTL: UInt32
        /// RFC 2308 section 5 suggests capping negative TTLs at one to three hours.
        public var maximumNegativeTTL: UInt32
        public var serverFailureTTL: UInt32

        public init(
            maximumEntries: Int = 10_000, maximumBytes: Int = 4 << 20, maximumTTL: UInt32 = 86_400,
            maximumNegativeTTL: UInt32 = 3_600, serverFailureTTL: UInt32 = 2
        ) {
            self.maximumEntries = maximumEntries
            self.maximumBytes = maximumBytes
            self.maximumTTL = maximumTTL
            self.maximumNegativeTTL = maximumNegativeTTL
            self.serverFailureTTL = serverFailureTTL
        }
    }

    /// A cache hit, TTLs already reduced by the time the answer spent in the cache.
    public struct Answer: Hashable, Sendable {
        public var responseCode: DNSResponseCode
        public var answers: [DNSResourceRecord]
        public var authorities: [DNSResourceRecord]
        /// The upstream validated it (AD), passed on only to clients that ask for DNSSEC.
        public var authenticData: Bool
    }

    public let limits: Limits
    private var slots: [Slot] = []
    private var slotByKey: DNSQuestionIndex
    private var freeSlots: [Int] = []
    /// Most recently used end of the list, or `none`.
    private var newest = none
    private var oldest = none
    public private(set) var byteCount = 0
    private static let none = -1

    private struct Slot {
        var key: DNSCacheKey
        var keyBytes: [UInt8]
        var answer: Answer
        var stored: DNSStoredResponse?
        var storedAt: MonotonicInstant
        var expiresAt: MonotonicInstant
        var size: Int
        var newer: Int
        var older: Int
    }

    /// - Parameter hashSeed: random in the server: clients choose the names, and must not
    ///   be able to choose names that share a bucket.
    public init(limits: Limits = Limits(), hashSeed: UInt64 = 0) {
        self.limits = limits
        slotByKey = DNSQuestionIndex(seed: hashSeed)
    }

    public var count: Int { slotByKey.count }

    /// Forgets every entry.
    public mutating func removeAll() {
        while oldest != Self.none { remove(oldest) }
    }

    private static func indexKey(_ key: DNSCacheKey) -> [UInt8] {
        DNSQuestionIndex.key(
            name: key.question.name, type: key.question.type, recordClass: key.question.recordClass, flags: key.dnssecOK ? 1 : 0)
    }

    /// The live entry for `index`'s key, or nil; drops it when it has expired.
    private mutating func liveSlot(_ index: Int?, now: MonotonicInstant) -> Int? {
        guard let index else { return nil }
        guard now < slots[index].expiresAt else {
            remove(index)
            return nil
        }
        moveToNewest(index)
        return index
    }

    private func elapsedSeconds(_ index: Int, now: MonotonicInstant) -> UInt32 {
        // Whole seconds from the raw nanoseconds: a `Duration` would cost 128-bit division
        // on every cache hit.
        let stored = slots[index].storedAt.nanoseconds
        return UInt32(clamping: (now.nanoseconds - min(now.nanoseconds, stored)) / 1_000_000_000)
    }

    /// Writes the cached response to a query of the common shape into `out`, as the
    /// forwarder's answer from ``lookup(_:now:)`` would be encoded: the query's ID, RD, CD
    /// and case, TTLs reduced by the time in the cache, AD only for clients that asked for
    /// it. False when nothing live is cached or the answer needs truncating.
    public mutating func writeAnswer(
        to view: DNSQueryView, in bytes: ArraySlice<UInt8>, now: MonotonicInstant, maximumSize: Int, into out: inout [UInt8]
    ) -> Bool {
        guard let index = liveSlot(slotByKey.value(for: view, in: bytes, flags: view.dnssecOK ? 1 : 0), now: now) else { return false }
        let authenticData = slots[index].answer.authenticData && (view.authenticDataWanted || view.dnssecOK)
        return slots[index].stored?.write(
            answering: view, in: bytes, elapsedSeconds: elapsedSeconds(index, now: now), authenticData: authenticData,
            maximumSize: maximumSize, into: &out) ?? false
    }

    /// The answer for `key` with TTLs reduced by the whole seconds it has been stored, or
    /// nil when there is none or it has expired (an expired entry is dropped on the spot).
    public mutating func lookup(_ key: DNSCacheKey, now: MonotonicInstant) -> Answer? {
        guard let index = liveSlot(slotByKey.value(for: Self.indexKey(key)), now: now) else { return nil }
        let elapsed = elapsedSeconds(index, now: now)
        var answer = slots[index].answer
        if elapsed > 0 {
            for i in answer.answers.indices { answer.answers[i].ttl = answer.answers[i].ttl &- min(elapsed, answer.answers[i].ttl) }
            for i in answer.authorities.indices { answer.authorities[i].ttl = answer.authorities[i].ttl &- min(elapsed, answer.authorities[i].ttl) }
        }
        return answer
    }

    /// Stores an upstream's response for as long as its content allows; returns the
    /// seconds it will be kept (0: not stored).
    @discardableResult
    public mutating func store(_ response: DNSMessage, for key: DNSCacheKey, now: MonotonicInstant) -> UInt32 {
        guard !response.header.isTruncated, let ttl = cacheTTL(of: response), ttl > 0 else { return 0 }
        // Every record is capped at the entry's TTL: the SOA of a negative answer then
        // tells clients the time the denial has left (RFC 2308 section 5).
        func capped(_ record: DNSResourceRecord) -> DNSResourceRecord {
            var record = record
            record.ttl = min(record.ttl, ttl)
            return record
        }
        insert(Answer(
            responseCode: response.responseCode, answers: response.answers.map(capped),
            authorities: response.authorities.map(capped), authenticData: response.header.authenticData),
            for: key, ttl: ttl, now: now)
        return ttl
    }

    /// Remembers that every upstream failed for `key`, for ``Limits/serverFailureTTL``.
    public mutating func storeServerFailure(for key: DNSCacheKey, now: MonotonicInstant) {
        guard limits.serverFailureTTL > 0 else { return }
        insert(Answer(responseCode: .serverFailure, answers: [], authorities: [], authenticData: false),
               for: key, ttl: limits.serverFailureTTL, now: now)
    }

    /// Seconds a response may be cached, or nil for one that must not be.
    func cacheTTL(of response: DNSMessage) -> UInt32? {
        switch response.responseCode {
        case .noError where !response.answers.isEmpty:
            return min(response.answers.lazy.map(\.ttl).min() ?? 0, limits.maximumTTL)
        case .noError, .nameError:
            for record in response.authorities {
                if case .soa(let soa) = record.data {
                    return min(record.ttl, soa.minimum, limits.maximumNegativeTTL)
                }
            }
            return nil
        default:
            return nil
        }
    }

    private mutating func insert(_ answer: Answer, for key: DNSCacheKey, ttl: UInt32, now: MonotonicInstant) {
        guard limits.maximumEntries > 0 else { return }
        let keyBytes = Self.indexKey(key)
        let stored = DNSStoredResponse(DNSMessage(
            header: DNSHeader(id: 0, isResponse: true, recursionAvailable: true), responseCode: answer.responseCode,
            questions: [key.question], answers: answer.answers, authorities: answer.authorities))
        let size = Self.approximateSize(of: answer, key: key) + keyBytes.count + (stored?.bytes.count ?? 0)
        guard size <= limits.maximumBytes else { return }
        if let existing = slotByKey.value(for: keyBytes) { remove(existing) }
        while count >= limits.maximumEntries || byteCount + size > limits.maximumBytes {
            remove(oldest)
        }
        let slot = Slot(
            key: key, keyBytes: keyBytes, answer: answer, stored: stored, storedAt: now,
            expiresAt: now + .seconds(ttl), size: size, newer: Self.none, older: newest)
        let index: Int
        if let free = freeSlots.popLast() {
            index = free
            slots[index] = slot
        } else {
            index = slots.count
            slots.append(slot)
        }
        if newest != Self.none { slots[newest].newer = index }
        newest = index
        if oldest == Self.none { oldest = index }
        slotByKey.insert(keyBytes, value: index)
        byteCount += size
    }

    private mutating func remove(_ index: Int) {
        unlink(index)
        slotByKey.remove(slots[index].keyBytes)
        byteCount -= slots[index].size
        slots[index].answer = Answer(responseCode: .noError, answers: [], authorities: [], authenticData: false)
        slots[index].stored = nil
        freeSlots.append(index)
    }

    private mutating func moveToNewest(_ index: Int) {
        guard index != newest else { return }
        unlink(index)
        slots[index].older = newest
        slots[index].newer = Self.none
        if newest != Self.none { slots[newest].newer = index }
        newest = index
        if oldest == Self.none { oldest = index }
    }

    private mutating func unlink(_ index: Int) {
        let (newer, older) = (slots[index].newer, slots[index].older)
        if newer != Self.none { slots[newer].older = older } else { newest = older }
        if older != Self.none { slots[older].newer = newer } else { oldest = newer }
    }

    /// Wire bytes of the records (uncompressed), the key's name, and a fixed overhead for
    /// the entry's bookkeeping; the caller adds the index key and the encoded response:
    /// close enough to bound memory.
    private static func approximateSize(of answer: Answer, key: DNSCacheKey) -> Int {
        let entryOverhead = 64
        func size(_ record: DNSResourceRecord) -> Int {
            let fixed = record.name.wire.count + 10
            switch record.data {
            case .a: return fixed + 4
            case .ns(let name), .cname(let name), .ptr(let name): return fixed + name.wire.count
            case .mx(_, let exchange): return fixed + 2 + exchange.wire.count
            case .soa(let soa): return fixed + soa.primaryServer.wire.count + soa.responsibleMailbox.wire.count + 20
            case .other(_, let data): return fixed + data.count
            }
        }
        return entryOverhead + key.question.name.wire.count
            + answer.answers.reduce(0) { $0 + size($1) } + answer.authorities.reduce(0) { $0 + size($1) }
    }
}

/// What a cached answer answers: the question (name compared case-insensitively, so the
/// cache is shared across cases) and whether DNSSEC records were asked for, since answers
/// with DO set carry RRSIGs that others do not want.
public struct DNSCacheKey: Hashable, Sendable {
    public var question: DNSQuestion
    public var dnssecOK: Bool

    public init(question: DNSQuestion, dnssecOK: Bool) {
        self.question = question
        self.dnssecOK = dnssecOK
    }
}
