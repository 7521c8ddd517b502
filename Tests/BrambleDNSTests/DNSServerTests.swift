import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

/// The core the daemon and replay share, without sockets: what one query, an upstream's
/// answer or a passing deadline makes it send.
@Suite struct DNSServerTests {
    static let node = IPv4Address(10, 42, 0, 5)
    static let client = DNSClient.datagram(node, port: 40_000)
    static let stranger = IPv4Address(198, 51, 100, 7)
    static let primary = UpstreamServer(address: IPv4Address(10, 42, 0, 240))
    static let secondary = UpstreamServer(address: IPv4Address(10, 42, 0, 241))
    static let start = at(7_000_000_000)

    struct Harness {
        var server: DNSServer
        var generator = SplitMix64(seed: 3)
        var reply: [UInt8] = []

        init(upstreams: [UpstreamServer] = [DNSServerTests.primary]) throws {
            server = DNSServer(
                settings: .init(hub: hubInterface, domain: clusterDomain, upstreams: upstreams),
                nodeMap: try nodeMap(["5 b8:27:eb:00:00:05 web05"]), wallClockSeconds: 1_700_000_000, hashSeed: 11)
        }

        mutating func ask(
            _ bytes: [UInt8], from client: DNSClient = DNSServerTests.client, address: IPv4Address = DNSServerTests.node,
            at now: MonotonicInstant = DNSServerTests.start
        ) -> DNSQueryOutcome {
            server.answer(query: bytes[...], from: client, address: address, now: now, generator: &generator, reply: &reply)
        }

        mutating func upstreamAnswers(
            _ sent: UpstreamQuery, records: Int = 1, from source: UpstreamServer? = nil, at now: MonotonicInstant = DNSServerTests.start
        ) throws -> [DNSServerAction] {
            let question = try DNSMessage(decoding: sent.bytes)
            var answer = DNSMessage(responseTo: question, code: .noError)
            answer.header.recursionAvailable = true
            answer.answers = (0..<records).map {
                DNSResourceRecord(name: question.questions[0].name, ttl: 300, data: .a(IPv4Address(192, 0, 2, UInt8($0 % 250))))
            }
            return server.receiveUpstream(
                try answer.encoded(limit: 65535)[...], from: source ?? sent.upstream, now: now, generator: &generator)
        }

        mutating func expire(at now: MonotonicInstant) -> [DNSServerAction] {
            server.expire(now: now, generator: &generator)
        }
    }

    static func bytes(_ text: String, _ type: DNSRecordType, id: UInt16 = 0x1234, edns: DNSEDNS? = nil) throws -> [UInt8] {
        try query(text, type, id: id, edns: edns).encoded(limit: 512)
    }

    /// The one upstream query a forwarded query starts.
    static func sentUpstream(_ outcome: DNSQueryOutcome) -> UpstreamQuery? {
        guard case .forwarder(let actions) = outcome.disposition, actions.count == 1, case .sendUpstream(let sent) = actions[0] else { return nil }
        return sent
    }

    @Test func theZoneAnswersANodeNameThenItsMemoDoesByteForByte() throws {
        var harness = try Harness()
        let first = harness.ask(try Self.bytes("web05.cluster", .a, id: 1))
        #expect(first.disposition == .answer(.zone, code: .noError))
        let answer = try DNSMessage(decoding: harness.reply)
        #expect(answer.header.id == 1 && answer.header.isAuthoritative)
        #expect(answer.answers == [DNSResourceRecord(name: name("web05.cluster"), ttl: 0, data: .a(Self.node))])
        let full = harness.reply

        let again = harness.ask(try Self.bytes("WEB05.cluster", .a, id: 2))
        #expect(again.disposition == .answer(.zone, code: .noError))
        var expected = full
        expected[1] = 2
        expected.replaceSubrange(12..<18, with: Array("\u{5}WEB05".utf8))
        #expect(harness.reply == expected, "the memo's copy with the query's ID and case, as the encoder writes it")
    }

    @Test func aForwardedAnswerIsRelayedThenServedFromTheCache() throws {
        var harness = try Harness()
        let outcome = harness.ask(try Self.bytes("www.example.org", .a, id: 7))
        let sent = try #require(Self.sentUpstream(outcome))
        #expect(sent.upstream == Self.primary && !sent.overTCP)
        #expect(try DNSMessage(decoding: sent.bytes).question == DNSQuestion(name: name("www.example.org"), type: .a))
        #expect(harness.server.nextDeadline == Self.start + .milliseconds(1500))

        let actions = try harness.upstreamAnswers(sent)
        guard actions.count == 2, actions[0] == .closeUpstream(id: sent.id),
              case .reply(let client, let bytes, .upstream, .noError) = actions[1] else {
            Issue.record("not closed and relayed: \(actions)")
            return
        }
        #expect(client == Self.client)
        let relayed = try DNSMessage(decoding: bytes)
        #expect(relayed.header.id == 7 && relayed.header.recursionAvailable && relayed.answers.count == 1)

        let cached = harness.ask(try Self.bytes("www.example.org", .a, id: 8), at: Self.start + .seconds(100))
        #expect(cached.disposition == .answer(.cache, code: .noError))
        let hit = try DNSMessage(decoding: harness.reply)
        #expect(hit.header.id == 8 && hit.answers.first?.ttl == 200, "the TTL counts down in the cache")
        #expect(harness.server.cacheEntries == 1)
    }

    @Test func identicalQuestionsShareOneUpstreamQuery() throws {
        var harness = try Harness()
        let sent = try #require(Self.sentUpstream(harness.ask(try Self.bytes("www.example.org", .a, id: 1))))
        let other = DNSClient.datagram(IPv4Address(10, 42, 0, 6), port: 53_000)
        #expect(harness.ask(try Self.bytes("www.example.org", .a, id: 2), from: other, address: IPv4Address(10, 42, 0, 6)).disposition == .forwarder([]))
        let replies = try harness.upstreamAnswers(sent).compactMap { action -> DNSClient? in
            if case .reply(let client, _, _, _) = action { return client } else { return nil }
        }
        #expect(replies == [Self.client, other])
    }

    @Test func anUpstreamThatNeverAnswersFailsOverThenServfail() throws {
        var harness = try Harness(upstreams: [Self.primary, Self.secondary])
        let first = try #require(Self.sentUpstream(harness.ask(try Self.bytes("www.example.org", .a, id: 9))))
        #expect(harness.expire(at: Self.start + .milliseconds(1499)).isEmpty, "not before the deadline")
        let failover = harness.expire(at: Self.start + .milliseconds(1500))
        guard failover.count == 2, failover[0] == .closeUpstream(id: first.id), case .sendUpstream(let second) = failover[1] else {
            Issue.record("no failover: \(failover)")
            return
        }
        #expect(second.upstream == Self.secondary)
        let deadline = try #require(harness.server.nextDeadline)
        let last = harness.expire(at: deadline)
        guard last.count == 2, last[0] == .closeUpstream(id: second.id), case .reply(Self.client, let bytes, .upstream, .serverFailure) = last[1] else {
            Issue.record("no SERVFAIL: \(last)")
            return
        }
        let servfail = try DNSMessage(decoding: bytes)
        #expect(servfail.header.id == 9 && servfail.responseCode == .serverFailure && servfail.question?.name == name("www.example.org"))
        #expect(harness.server.nextDeadline == nil)
    }

    @Test func withoutUpstreamsNamesElsewhereAreServfailAtOnce() throws {
        var harness = try Harness(upstreams: [])
        let outcome = harness.ask(try Self.bytes("www.example.org", .a, id: 3))
        guard case .forwarder(let actions) = outcome.disposition, actions.count == 1,
              case .reply(Self.client, let bytes, .local, .serverFailure) = actions[0] else {
            Issue.record("not a local SERVFAIL: \(outcome)")
            return
        }
        #expect(try DNSMessage(decoding: bytes).header.id == 3)
    }

    @Test func aLargeAnswerIsTruncatedOverUDPAndWholeOverTCP() throws {
        var harness = try Harness()
        let sent = try #require(Self.sentUpstream(harness.ask(try Self.bytes("big.example.org", .a, id: 1))))
        let actions = try harness.upstreamAnswers(sent, records: 40)
        guard case .reply(_, let udpBytes, .upstream, .noError)? = actions.last else {
            Issue.record("no reply: \(actions)")
            return
        }
        let udp = try DNSMessage(decoding: udpBytes)
        #expect(udpBytes.count <= 512 && udp.header.isTruncated && udp.answers.isEmpty, "TC: the client retries over TCP")

        let stream = DNSClient.stream(connection: 4)
        #expect(harness.ask(try Self.bytes("big.example.org", .a, id: 2), from: stream).disposition == .answer(.cache, code: .noError))
        let tcp = try DNSMessage(decoding: harness.reply)
        #expect(!tcp.header.isTruncated && tcp.answers.count == 40 && harness.reply.count > 512)

        let again = harness.ask(try Self.bytes("big.example.org", .a, id: 3))
        guard case .forwarder(let cached) = again.disposition, case .reply(Self.client, let bytes, .cache, .noError)? = cached.first else {
            Issue.record("a UDP cache hit that needs truncating takes the full path: \(again)")
            return
        }
        #expect(try bytes.count <= 512 && DNSMessage(decoding: bytes).header.isTruncated)
    }

    @Test func hostileQueriesAreRefusedFormerrOrDropped() throws {
        var harness = try Harness()
        #expect(harness.ask([0x12, 0x34, 0x01]).disposition == .drop(.undecodable(.truncatedHeader(length: 3))), "shorter than a header")

        // A question whose name points at itself: FORMERR, ID and RD echoed, no question.
        let loop: [UInt8] = [0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]
        #expect(harness.ask(loop).disposition == .answer(.local, code: .formatError))
        let formerr = try DNSMessage(decoding: harness.reply)
        #expect(formerr.header.id == 0xabcd && formerr.header.recursionDesired && formerr.questions.isEmpty)

        var response = loop
        response[2] |= 0x80
        #expect(harness.ask(response).disposition == .drop(.undecodable(.pointerLoop(at: 12, target: 12))), "never answer a response")
        var decodableResponse = try Self.bytes("web05.cluster", .a)
        decodableResponse[2] |= 0x80
        #expect(harness.ask(decodableResponse).disposition == .drop(.response))

        #expect(harness.ask(loop, address: Self.stranger).disposition == .drop(.undecodable(.pointerLoop(at: 12, target: 12))),
                "no FORMERR to clients outside the subnet")
        #expect(harness.ask(try Self.bytes("web05.cluster", .a), address: Self.stranger).disposition == .answer(.zone, code: .refused))
        #expect(Self.sentUpstream(harness.ask(try Self.bytes("www.example.org", .a), address: Self.stranger)) == nil,
                "not an open resolver")

        let badVersion = harness.ask(try Self.bytes("web05.cluster", .a, edns: DNSEDNS(version: 1)))
        #expect(badVersion.disposition == .answer(.zone, code: .badVersion))
    }

    @Test func upstreamAnswersThatAreForgedOrGarbageAreDropped() throws {
        var harness = try Harness()
        let sent = try #require(Self.sentUpstream(harness.ask(try Self.bytes("www.example.org", .a))))
        #expect(harness.server.receiveUpstream([1, 2, 3][...], from: Self.primary, now: Self.start, generator: &harness.generator)
                == [.drop(.undecodableUpstreamAnswer(from: Self.primary, .truncatedHeader(length: 3)))])
        #expect(try harness.upstreamAnswers(sent, from: Self.secondary) == [.drop(.forwarder(.wrongSource(Self.secondary, expected: Self.primary)))])
        #expect(try harness.upstreamAnswers(sent).first == .closeUpstream(id: sent.id), "the real answer still counts")
    }

    @Test func aNodesFirstQuerySinceItsDiscoverIsItsOSUp() throws {
        var harness = try Harness()
        #expect(harness.ask(try Self.bytes("web05.cluster", .a)).firstQueryOf?.id == 5)
        #expect(harness.ask(try Self.bytes("web05.cluster", .a)).firstQueryOf == nil)
        harness.server.nodeRebooted(id: 5)
        #expect(harness.ask(try Self.bytes("www.example.org", .a)).firstQueryOf?.id == 5)
        #expect(harness.ask(try Self.bytes("hub.cluster", .a), address: hubInterface.address).firstQueryOf == nil)
    }

    /// The daemon's batch path (`answerStored`) answers what the memo and the cache hold,
    /// byte for byte as `answer` does, and leaves everything else to `answer`: a node's
    /// first query (its OS-up event), a client outside the subnet, a name not yet answered.
    @Test func theStoredAnswerPathAgreesWithTheFullPathAndLeavesTheRest() throws {
        var harness = try Harness()
        var stored: [UInt8] = []
        let query = try Self.bytes("web05.cluster", .a, id: 3)
        #expect(harness.server.answerStored(query: query[...], overTCP: false, address: Self.node, now: Self.start, reply: &stored) == nil,
                "nothing remembered yet, and it is the node's first query")
        #expect(harness.ask(query).firstQueryOf?.id == 5, "the first query still reports the node's OS up")
        let full = harness.reply
        let answered = harness.server.answerStored(query: query[...], overTCP: false, address: Self.node, now: Self.start, reply: &stored)
        #expect(answered?.source == .zone && answered?.code == .noError)
        #expect(stored == full)

        #expect(harness.server.answerStored(query: query[...], overTCP: false, address: Self.stranger, now: Self.start, reply: &stored) == nil,
                "outside the subnet: refused by the full path")
        let sent = try #require(Self.sentUpstream(harness.ask(try Self.bytes("www.example.org", .a, id: 4))))
        _ = try harness.upstreamAnswers(sent)
        let cachedQuery = try Self.bytes("www.EXAMPLE.org", .a, id: 5, edns: DNSEDNS(udpPayloadSize: 1232))
        let cached = harness.server.answerStored(query: cachedQuery[...], overTCP: false, address: Self.node, now: Self.start, reply: &stored)
        #expect(cached?.source == .cache)
        #expect(harness.ask(cachedQuery).disposition == .answer(.cache, code: .noError))
        #expect(stored == harness.reply)

        harness.server.nodeRebooted(id: 5)
        #expect(harness.server.answerStored(query: query[...], overTCP: false, address: Self.node, now: Self.start, reply: &stored) == nil,
                "after a reboot the next query is a first query again")
        #expect(harness.ask(query).firstQueryOf?.id == 5)
    }

    @Test func leaseNamesJoinTheZoneAndANewZoneForgetsTheMemo() throws {
        var harness = try Harness()
        let laptop = try Self.bytes("laptop.cluster", .a)
        #expect(harness.ask(laptop).disposition == .answer(.zone, code: .nameError))
        let serial = harness.server.zone.serial
        harness.server.replace(dynamicHosts: [DynamicHost(hostname: Array("laptop".utf8), address: IPv4Address(10, 42, 0, 100))], wallClockSeconds: 0)
        #expect(harness.server.zone.serial == serial + 1, "a later zone has a larger serial even when the clock says otherwise")
        #expect(harness.ask(laptop).disposition == .answer(.zone, code: .noError))
        #expect(try DNSMessage(decoding: harness.reply).answers.first?.data == .a(IPv4Address(10, 42, 0, 100)))
    }
}
