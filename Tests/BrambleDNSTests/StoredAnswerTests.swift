@testable import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

/// The byte-copying answer paths (the zone's memo and the cache's stored responses) must
/// send exactly what the full decode, answer and encode path sends, for every variation a
/// query can bring: ID, case, RD, CD, AD, EDNS with or without DO, the client's size limit.
@Suite struct StoredAnswerTests {
    static let node = IPv4Address(10, 42, 0, 5)
    static let second: UInt64 = 1_000_000_000
    static let upstream = UpstreamServer(address: IPv4Address(192, 0, 2, 1))

    /// `text` with letters alternately upper-cased, starting at `phase`.
    static func mixedCase(_ text: String, phase: Int) -> String {
        String(text.enumerated().map { $0.offset % 2 == phase ? Character($0.element.uppercased()) : $0.element })
    }

    /// Every variation of a query for `text` the patching must reproduce.
    static func variations(_ text: String, _ type: DNSRecordType) -> [DNSMessage] {
        var queries: [DNSMessage] = []
        for (index, edns) in [nil, DNSEDNS(udpPayloadSize: 4096), DNSEDNS(udpPayloadSize: 600, dnssecOK: true)].enumerated() {
            for flags in 0..<8 {
                var message = query(mixedCase(text, phase: flags % 2), type, id: UInt16(index * 100 + flags), edns: edns)
                message.header.recursionDesired = flags & 1 != 0
                message.header.checkingDisabled = flags & 2 != 0
                message.header.authenticData = flags & 4 != 0
                queries.append(message)
            }
        }
        return queries
    }

    func zone() throws -> ClusterZone {
        ClusterZone(nodeMap: try nodeMap(["5 b8:27:eb:00:00:05", "6 b8:27:eb:00:00:06 web06"]), hub: hubInterface, domain: clusterDomain)
    }

    @Test func memoizedZoneAnswersAreByteForByteTheFullPath() throws {
        let zone = try zone()
        var memo = DNSAnswerMemo()
        let questions: [(String, DNSRecordType)] = [
            ("node05.cluster", .a), ("web06", .a), ("node05.cluster", .aaaa), ("5.0.42.10.in-addr.arpa", .ptr),
            ("6.0.42.10.in-addr.arpa", .a), ("nosuch.cluster", .a), ("77.0.42.10.in-addr.arpa", .ptr), ("cluster", .soa),
            ("cluster", .ns), ("0.42.10.in-addr.arpa", .any),
        ]
        for (text, type) in questions {
            let queries = Self.variations(text, type)
            let first = try queries.last!.encoded(limit: 65535)
            guard case .answer(let response) = zone.respond(to: queries.last!, from: Self.node) else {
                Issue.record("\(text) \(type): not answered by the zone")
                continue
            }
            let view = try #require(DNSQueryView(first[...]))
            memo.remember(response, answering: view, in: first[...])
            for query in queries {
                let bytes = try query.encoded(limit: 65535)
                let view = try #require(DNSQueryView(bytes[...]), "\(query)")
                for overTCP in [false, true] {
                    guard case .answer(let full) = zone.respond(to: query, from: Self.node) else { continue }
                    let expected = try full.encoded(limit: query.maximumResponseSize(overTCP: overTCP))
                    var patched: [UInt8] = []
                    #expect(memo.write(to: view, in: bytes[...], maximumSize: view.maximumResponseSize(overTCP: overTCP), into: &patched))
                    #expect(patched == expected, "\(text) \(type), query \(query.header), EDNS \(String(describing: query.edns))")
                }
            }
        }
        #expect(memo.count == questions.count)
    }

    @Test func theQuestionsCaseIsPreservedInMemoizedAnswers() throws {
        let zone = try zone()
        var memo = DNSAnswerMemo()
        let first = try query("node05.cluster", .a).encoded()
        guard case .answer(let response) = zone.respond(to: try DNSMessage(decoding: first), from: Self.node) else {
            Issue.record("not answered")
            return
        }
        memo.remember(response, answering: try #require(DNSQueryView(first[...])), in: first[...])
        let shouted = try query("NODE05.Cluster", .a, id: 0xbeef).encoded()
        var out: [UInt8] = []
        #expect(memo.write(to: try #require(DNSQueryView(shouted[...])), in: shouted[...], maximumSize: 512, into: &out))
        let answer = try DNSMessage(decoding: out)
        #expect(answer.header.id == 0xbeef)
        #expect(answer.questions.first?.name.isIdentical(to: name("NODE05.Cluster")) == true)
        #expect(answer.answers.first?.name.isIdentical(to: name("NODE05.Cluster")) == true, "the owner name points at the question")
        #expect(answer.answers.first?.data == .a(IPv4Address(10, 42, 0, 5)))
    }

    @Test func aFullMemoStartsOver() throws {
        let zone = try zone()
        var memo = DNSAnswerMemo(capacity: 3)
        for index in 0..<4 {
            let bytes = try query("made-up\(index).cluster", .a).encoded()
            guard case .answer(let response) = zone.respond(to: try DNSMessage(decoding: bytes), from: Self.node) else { continue }
            memo.remember(response, answering: try #require(DNSQueryView(bytes[...])), in: bytes[...])
        }
        #expect(memo.count == 1, "the fourth name found it full: only it is kept")
        var out: [UInt8] = []
        let last = try query("made-up3.cluster", .a).encoded()
        #expect(memo.write(to: try #require(DNSQueryView(last[...])), in: last[...], maximumSize: 512, into: &out))
        let first = try query("made-up0.cluster", .a).encoded()
        #expect(!memo.write(to: try #require(DNSQueryView(first[...])), in: first[...], maximumSize: 512, into: &out))
    }

    @Test func anAnswerTooLargeForTheClientIsLeftToTheEncoder() throws {
        var cache = DNSCache()
        let key = DNSCacheKey(question: DNSQuestion(name: name("big.example"), type: .a), dnssecOK: false)
        var response = DNSMessage(responseTo: query("big.example", .a), code: .noError)
        response.answers = (0..<40).map { DNSResourceRecord(name: name("big.example"), ttl: 60, data: .a(IPv4Address(192, 0, 2, UInt8($0)))) }
        cache.store(response, for: key, now: at(0))
        let bytes = try query("big.example", .a).encoded()
        let view = try #require(DNSQueryView(bytes[...]))
        var out: [UInt8] = [1, 2, 3]
        #expect(!cache.writeAnswer(to: view, in: bytes[...], now: at(0), maximumSize: 512, into: &out), "40 records do not fit in 512 bytes")
        #expect(out == [1, 2, 3])
        #expect(cache.writeAnswer(to: view, in: bytes[...], now: at(0), maximumSize: 65535, into: &out))
        #expect(try DNSMessage(decoding: out).answers.count == 40)
    }

    /// A forwarder whose cache holds `www.example.com` A (TTL 300) and the NXDOMAIN of
    /// `gone.example.com` (SOA TTL 900, MINIMUM 120), stored at time 0.
    func primedForwarder() throws -> DNSForwarder<Int> {
        var forwarder = DNSForwarder<Int>(configuration: .init(upstreams: [Self.upstream]), cache: DNSCache(hashSeed: 99))
        var generator = SplitMix64(seed: 1)
        for (text, code) in [("www.example.com", DNSResponseCode.noError), ("gone.example.com", .nameError)] {
            for dnssecOK in [false, true] {
                let actions = forwarder.forward(query(text, .a, edns: DNSEDNS(dnssecOK: dnssecOK)), from: 0, source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(0), generator: &generator)
                guard case .sendUpstream(let sent)? = actions.first else {
                    Issue.record("nothing sent for \(text)")
                    continue
                }
                var response = DNSMessage(responseTo: try DNSMessage(decoding: sent.bytes), code: code)
                response.header.recursionAvailable = true
                response.header.authenticData = dnssecOK
                if code == .noError {
                    response.answers = [DNSResourceRecord(name: name(text), ttl: 300, data: .a(IPv4Address(93, 184, 216, 34)))]
                } else {
                    let soa = DNSStartOfAuthority(
                        primaryServer: name("ns.example.com"), responsibleMailbox: name("h.example.com"), serial: 1,
                        refresh: 1, retry: 1, expire: 1, minimum: 120)
                    response.authorities = [DNSResourceRecord(name: name("example.com"), ttl: 900, data: .soa(soa))]
                }
                _ = forwarder.receive(response, from: Self.upstream, now: at(0), generator: &generator)
            }
        }
        return forwarder
    }

    @Test func cachedAnswersAreByteForByteTheFullPath() throws {
        var forwarder = try primedForwarder()
        var generator = SplitMix64(seed: 2)
        for text in ["www.example.com", "gone.example.com"] {
            for query in Self.variations(text, .a) {
                for now in [0, 1, 59, 119].map({ UInt64($0) * Self.second + 400_000_000 }) {
                    let bytes = try query.encoded(limit: 65535)
                    let view = try #require(DNSQueryView(bytes[...]))
                    let maximumSize = view.maximumResponseSize(overTCP: false)
                    var patched: [UInt8] = []
                    #expect(forwarder.writeCachedAnswer(to: view, in: bytes[...], now: at(now), maximumSize: maximumSize, into: &patched))
                    let actions = forwarder.forward(query, from: 1, source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(now), generator: &generator)
                    guard case .respond(_, let full, let size)? = actions.first else {
                        Issue.record("\(text) at \(now): not answered from the cache: \(actions)")
                        continue
                    }
                    #expect(try patched == full.encoded(limit: size), "\(text) at \(now / Self.second) s, \(query.header), \(String(describing: query.edns))")
                }
            }
        }
    }

    @Test func cachedTTLsCountDownAndTheQuestionKeepsItsCase() throws {
        var forwarder = try primedForwarder()
        let bytes = try query("WwW.ExAmPlE.CoM", .a, id: 0x4242).encoded()
        let view = try #require(DNSQueryView(bytes[...]))
        var out: [UInt8] = []
        #expect(forwarder.writeCachedAnswer(to: view, in: bytes[...], now: at(100 * Self.second + 999_000_000), maximumSize: 512, into: &out))
        let answer = try DNSMessage(decoding: out)
        #expect(answer.header.id == 0x4242 && answer.header.isResponse && answer.header.recursionDesired)
        #expect(answer.questions.first?.name.isIdentical(to: name("WwW.ExAmPlE.CoM")) == true)
        #expect(answer.answers.first?.ttl == 200, "300 s stored, 100 whole seconds ago")
        #expect(!answer.header.authenticData, "AD only for clients that ask for it")

        let negative = try query("gone.example.com", .a).encoded()
        #expect(forwarder.writeCachedAnswer(to: try #require(DNSQueryView(negative[...])), in: negative[...], now: at(30 * Self.second), maximumSize: 512, into: &out))
        let denial = try DNSMessage(decoding: out)
        #expect(denial.responseCode == .nameError && denial.authorities.first?.ttl == 90, "the SOA capped at MINIMUM 120, 30 s ago")
        #expect(!forwarder.writeCachedAnswer(to: try #require(DNSQueryView(negative[...])), in: negative[...], now: at(120 * Self.second), maximumSize: 512, into: &out),
                "expired with its negative TTL")
    }

    @Test func newUpstreamsEmptyTheCacheButLetQueriesInFlightFinish() throws {
        var forwarder = try primedForwarder()
        var generator = SplitMix64(seed: 3)
        let inFlight = forwarder.forward(query("late.example.com", .a), from: 7, source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(0), generator: &generator)
        guard case .sendUpstream(let sent)? = inFlight.first else {
            Issue.record("not sent: \(inFlight)")
            return
        }
        let replacement = UpstreamServer(address: IPv4Address(192, 0, 2, 99))
        forwarder.replaceUpstreams([replacement])
        #expect(forwarder.cache.count == 0)
        var response = DNSMessage(responseTo: try DNSMessage(decoding: sent.bytes), code: .noError)
        response.answers = [DNSResourceRecord(name: name("late.example.com"), ttl: 60, data: .a(IPv4Address(192, 0, 2, 8)))]
        let answered = forwarder.receive(response, from: Self.upstream, now: at(1), generator: &generator)
        #expect(answered.contains { if case .respond(7, _, _) = $0 { true } else { false } }, "the old upstream's answer is still taken: \(answered)")
        let next = forwarder.forward(query("www.example.com", .a), from: 7, source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(2), generator: &generator)
        guard case .sendUpstream(let again)? = next.first else {
            Issue.record("answered from a cache that should be empty: \(next)")
            return
        }
        #expect(again.upstream == replacement)
    }

    @Test func onlyPlainQueriesHaveAView() throws {
        #expect(try DNSQueryView(query("node05.cluster", .a).encoded()[...]) != nil)
        var response = query("node05.cluster", .a)
        response.header.isResponse = true
        #expect(try DNSQueryView(response.encoded()[...]) == nil, "a response")
        var twoQuestions = query("a.example", .a)
        twoQuestions.questions.append(DNSQuestion(name: name("b.example"), type: .a))
        #expect(try DNSQueryView(twoQuestions.encoded()[...]) == nil)
        #expect(try DNSQueryView(query("a.example", .a, edns: DNSEDNS(version: 1)).encoded()[...]) == nil, "EDNS version 1: BADVERS")
        let plain = try query("a.example", .a).encoded()
        #expect(DNSQueryView(plain.dropLast()) == nil, "truncated")
        var compressed = Array(plain[0..<12]) + [1, UInt8(ascii: "a"), 0xc0, 12] + [0, 1, 0, 1]
        #expect(DNSQueryView(compressed[...]) == nil, "a pointer in a query's name")
        compressed = Array(plain[0..<12]) + [64] + Array(repeating: UInt8(ascii: "x"), count: 64) + [0, 0, 1, 0, 1]
        #expect(DNSQueryView(compressed[...]) == nil, "a 64-byte label")
        var withAnswer = plain
        withAnswer[7] = 1
        #expect(DNSQueryView(withAnswer[...]) == nil, "an answer count in a query")
        var lyingOPT = try query("a.example", .a, edns: DNSEDNS()).encoded()
        lyingOPT[lyingOPT.count - 1] = 9
        #expect(DNSQueryView(lyingOPT[...]) == nil, "OPT data longer than the message")
    }

    /// Eight bytes at a time gives what a byte at a time gives, for every byte value in
    /// every position (each byte's neighbours must not change its result).
    @Test func lowercasingAWordIsLowercasingEachByte() {
        for value in 0...255 {
            for position in 0..<8 {
                for neighbour: UInt64 in [0x00, 0x40, 0x41, 0x5a, 0x5b, 0x7f, 0x80, 0xc1, 0xff] {
                    var word: UInt64 = 0
                    for index in 0..<8 { word |= (index == position ? UInt64(value) : neighbour) << (8 * UInt64(index)) }
                    var expected: UInt64 = 0
                    for index in 0..<8 {
                        expected |= UInt64(DNSName.lowercased(UInt8(truncatingIfNeeded: word >> (8 * UInt64(index))))) << (8 * UInt64(index))
                    }
                    #expect(DNSName.lowercased(word: word) == expected, "byte \(value) at \(position) among \(neighbour)")
                }
            }
        }
    }

    /// Names of every length around the eight-byte steps, in both cases: the index and
    /// name equality see them as equal, and a change in any one byte as different.
    @Test func namesOfEveryLengthMatchWhateverTheirCase() throws {
        var index = DNSQuestionIndex(seed: 9)
        for length in 1...40 {
            let label = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            index.insert(DNSQuestionIndex.key(name: name("\(label).example"), type: .a, recordClass: .internet, flags: 0), value: length)
        }
        for length in 1...40 {
            let label = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            let upper = try query(label.uppercased() + ".EXAMPLE", .a).encoded()
            #expect(index.value(for: DNSQueryView(upper[...])!, in: upper[...], flags: 0) == length)
            #expect(name(label.uppercased() + ".example") == name("\(label).example"))
            for changed in 0..<length {
                var bytes = upper
                bytes[13 + changed] = UInt8(ascii: "0")
                #expect(index.value(for: DNSQueryView(bytes[...])!, in: bytes[...], flags: 0) == nil, "length \(length), byte \(changed)")
                #expect(DNSName.equalIgnoringASCIICase(bytes[12..<(13 + length)], upper[12..<(13 + length)]) == false)
            }
        }
    }

    @Test func theQuestionIndexAgreesWithADictionaryThroughChurn() throws {
        var index = DNSQuestionIndex(seed: 5)
        var reference: [[UInt8]: Int] = [:]
        var generator = SplitMix64(seed: 11)
        for step in 0..<5_000 {
            let key = DNSQuestionIndex.key(
                name: name("h\(Int.random(in: 0..<300, using: &generator)).example"), type: .a, recordClass: .internet, flags: 0)
            if Bool.random(using: &generator) {
                index.insert(key, value: step)
                reference[key] = step
            } else {
                index.remove(key)
                reference[key] = nil
            }
        }
        #expect(index.count == reference.count)
        for id in 0..<300 {
            let key = DNSQuestionIndex.key(name: name("h\(id).example"), type: .a, recordClass: .internet, flags: 0)
            #expect(index.value(for: key) == reference[key], "h\(id)")
            let bytes = try query("H\(id).EXAMPLE", .a).encoded()
            #expect(index.value(for: DNSQueryView(bytes[...])!, in: bytes[...], flags: 0) == reference[key], "H\(id) as received")
        }
    }

    /// Any bytes: no view, or a view that agrees with the full decoder on everything the
    /// fast path uses, so the fast path never answers what the decoder would reject.
    @Test func aViewAgreesWithTheDecoderOnMutatedQueries() throws {
        var generator = SplitMix64(seed: 23)
        let seeds = try [
            query("node05.cluster", .a).encoded(), query("5.0.42.10.in-addr.arpa", .ptr, edns: DNSEDNS(dnssecOK: true)).encoded(),
            query("www.Example.COM", .aaaa, edns: DNSEDNS(udpPayloadSize: 4096)).encoded(),
        ]
        var views = 0
        for step in 0..<20_000 {
            var bytes = seeds[step % seeds.count]
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator)) }
            guard let view = DNSQueryView(bytes[...]) else { continue }
            views += 1
            let decoded = try DNSMessage(decoding: bytes)
            let question = try #require(decoded.question)
            #expect(question.name.wire[...] == view.name(in: bytes[...]) && question.type == view.type && question.recordClass == view.recordClass)
            #expect(decoded.header.id == view.id && !decoded.header.isResponse && decoded.header.opcode == 0)
            #expect(decoded.answers.isEmpty && decoded.authorities.isEmpty && decoded.additionals.isEmpty)
            #expect(decoded.edns?.version ?? 0 == 0)
            #expect(decoded.maximumResponseSize(overTCP: false) == view.maximumResponseSize(overTCP: false))
            #expect(decoded.edns?.dnssecOK ?? false == view.dnssecOK)
        }
        #expect(views > 1_000, "enough mutations keep the common shape to test: \(views)")
    }
}
