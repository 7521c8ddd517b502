import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct DNSForwarderTests {
    typealias Forwarder = DNSForwarder<String>
    static let primary = UpstreamServer(address: IPv4Address(192, 0, 2, 1))
    static let secondary = UpstreamServer(address: IPv4Address(192, 0, 2, 2), port: 5353)
    static let second: UInt64 = 1_000_000_000
    static let address = IPv4Address(93, 184, 216, 34)

    var forwarder = Forwarder(configuration: .init(upstreams: [Self.primary, Self.secondary]))
    var generator = SplitMix64(seed: 7)

    mutating func forward(_ query: DNSMessage, from client: String = "client", source: IPv4Address = IPv4Address(10, 42, 0, 9), at now: UInt64 = 0) -> [Forwarder.Action] {
        forwarder.forward(query, from: client, source: source, overTCP: false, now: at(now), generator: &generator)
    }

    mutating func receive(_ response: DNSMessage, from source: UpstreamServer, at now: UInt64 = 0) -> [Forwarder.Action] {
        forwarder.receive(response, from: source, now: at(now), generator: &generator)
    }

    mutating func expire(at now: UInt64) -> [Forwarder.Action] {
        forwarder.expire(now: at(now), generator: &generator)
    }

    static func sent(_ actions: [Forwarder.Action]) -> UpstreamQuery? {
        for case .sendUpstream(let query) in actions { return query }
        return nil
    }

    static func responses(_ actions: [Forwarder.Action]) -> [(client: String, message: DNSMessage)] {
        actions.compactMap {
            if case .respond(let client, let message, _) = $0 { (client, message) } else { nil }
        }
    }

    /// The upstream's answer to a query it received: its ID and question echoed.
    static func upstreamAnswer(
        to sent: UpstreamQuery, code: DNSResponseCode = .noError, answers: [DNSResourceRecord]? = nil,
        authorities: [DNSResourceRecord] = []
    ) throws -> DNSMessage {
        let query = try DNSMessage(decoding: sent.bytes)
        var response = DNSMessage(responseTo: query, code: code)
        response.header.recursionAvailable = true
        response.answers = answers ?? [DNSResourceRecord(name: query.questions[0].name, ttl: 300, data: .a(Self.address))]
        response.authorities = authorities
        return response
    }

    @Test mutating func happyPath() throws {
        let actions = forward(query("WWW.Example.com", .a, id: 0x1111))
        let sent = try #require(Self.sent(actions))
        #expect(actions.count == 1)
        #expect(sent.upstream == Self.primary && !sent.overTCP)
        let upstreamQuery = try DNSMessage(decoding: sent.bytes)
        #expect(upstreamQuery.header.id == sent.id && upstreamQuery.header.recursionDesired)
        #expect(upstreamQuery.question == DNSQuestion(name: name("www.example.com"), type: .a))
        #expect(upstreamQuery.edns?.udpPayloadSize == DNSEDNS.advertisedPayloadSize)

        let answered = receive(try Self.upstreamAnswer(to: sent), from: Self.primary)
        #expect(answered.contains(.closeUpstream(id: sent.id)))
        let reply = try #require(Self.responses(answered).first)
        #expect(reply.client == "client")
        #expect(reply.message.header.id == 0x1111 && reply.message.header.isResponse && reply.message.header.recursionAvailable)
        #expect(reply.message.questions.first?.name.isIdentical(to: name("WWW.Example.com")) == true)
        #expect(reply.message.answers.first?.data == .a(Self.address))
        #expect(forwarder.pendingQueryCount == 0)
    }

    @Test mutating func eachUpstreamQueryGetsItsOwnRandomID() throws {
        let ids = try (0..<20).map { index in
            try #require(Self.sent(forward(query("host\(index).example", .a, id: 1)))).id
        }
        #expect(Set(ids).count == ids.count)
        #expect(!ids.allSatisfy { $0 == 1 }, "the client's ID is not reused upstream")
    }

    @Test mutating func mismatchedAnswersAreRejected() throws {
        let sent = try #require(Self.sent(forward(query("example.com", .a))))
        var wrongID = try Self.upstreamAnswer(to: sent)
        wrongID.header.id = sent.id &+ 1
        #expect(receive(wrongID, from: Self.primary) == [.discarded(.unknownID(sent.id &+ 1))])

        let right = try Self.upstreamAnswer(to: sent)
        #expect(receive(right, from: Self.secondary) == [.discarded(.wrongSource(Self.secondary, expected: Self.primary))])
        let otherPort = UpstreamServer(address: Self.primary.address, port: 5300)
        #expect(receive(right, from: otherPort) == [.discarded(.wrongSource(otherPort, expected: Self.primary))])

        var otherQuestion = right
        otherQuestion.questions = [DNSQuestion(name: name("evil.example"), type: .a)]
        #expect(receive(otherQuestion, from: Self.primary) == [.discarded(.questionMismatch(id: sent.id))])
        var otherType = right
        otherType.questions = [DNSQuestion(name: name("example.com"), type: .aaaa)]
        #expect(receive(otherType, from: Self.primary) == [.discarded(.questionMismatch(id: sent.id))])
        var notAResponse = right
        notAResponse.header.isResponse = false
        #expect(receive(notAResponse, from: Self.primary) == [.discarded(.questionMismatch(id: sent.id))])

        var caseChanged = right
        caseChanged.questions = [DNSQuestion(name: name("EXAMPLE.com"), type: .a)]
        #expect(Self.responses(receive(caseChanged, from: Self.primary)).count == 1, "the genuine answer still gets through")
    }

    @Test mutating func timeoutFailsOverToTheNextUpstream() throws {
        let first = try #require(Self.sent(forward(query("example.com", .a))))
        #expect(forwarder.nextDeadline == at(1_500_000_000))
        #expect(expire(at: 1_499_999_999).isEmpty)
        let actions = expire(at: 1_500_000_000)
        #expect(actions.first == .closeUpstream(id: first.id))
        let second = try #require(Self.sent(actions))
        #expect(second.upstream == Self.secondary && second.id != first.id)

        #expect(receive(try Self.upstreamAnswer(to: first), from: Self.primary) == [.discarded(.unknownID(first.id))],
                "a late answer from the first upstream is no longer accepted")
        let answered = receive(try Self.upstreamAnswer(to: second), from: Self.secondary, at: 2 * Self.second)
        #expect(Self.responses(answered).first?.message.answers.first?.data == .a(Self.address))
    }

    @Test mutating func allUpstreamsFailingGivesServfailBriefly() throws {
        _ = try #require(Self.sent(forward(query("example.com", .a, id: 9))))
        _ = try #require(Self.sent(expire(at: 2 * Self.second)))
        let failed = expire(at: 4 * Self.second)
        let reply = try #require(Self.responses(failed).first)
        #expect(reply.message.responseCode == .serverFailure && reply.message.header.id == 9)
        #expect(forwarder.pendingQueryCount == 0)

        let retry = forward(query("example.com", .a, id: 10), at: 5 * Self.second)
        #expect(Self.responses(retry).first?.message.responseCode == .serverFailure, "answered from the brief SERVFAIL cache")
        #expect(Self.sent(retry) == nil)
        #expect(Self.sent(forward(query("example.com", .a, id: 11), at: 7 * Self.second)) != nil, "tried again after it expired")
    }

    @Test mutating func upstreamServfailFailsOver() throws {
        let first = try #require(Self.sent(forward(query("example.com", .a))))
        let actions = receive(try Self.upstreamAnswer(to: first, code: .serverFailure, answers: []), from: Self.primary)
        #expect(Self.sent(actions)?.upstream == Self.secondary)
        #expect(Self.responses(actions).isEmpty)
    }

    @Test mutating func noUpstreamsAnswersServfail() {
        var lonely = Forwarder(configuration: .init(upstreams: []))
        let actions = lonely.forward(query("example.com", .a), from: "c", source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(0), generator: &generator)
        #expect(Self.responses(actions).first?.message.responseCode == .serverFailure)
    }

    @Test mutating func identicalQueriesShareOneUpstreamQuery() throws {
        let sent = try #require(Self.sent(forward(query("example.com", .a, id: 1), from: "a")))
        #expect(forward(query("EXAMPLE.com", .a, id: 2), from: "b").isEmpty)
        #expect(forward(query("example.com", .a, id: 1), from: "a").isEmpty, "a retransmission joins too")
        let replies = Self.responses(receive(try Self.upstreamAnswer(to: sent), from: Self.primary))
        #expect(replies.map(\.client) == ["a", "b"])
        #expect(replies.map(\.message.header.id) == [1, 2])
        #expect(replies[1].message.questions[0].name.isIdentical(to: name("EXAMPLE.com")))
    }

    @Test mutating func answersFromTheCacheWithReducedTTL() throws {
        let sent = try #require(Self.sent(forward(query("example.com", .a))))
        _ = receive(try Self.upstreamAnswer(to: sent), from: Self.primary)
        let cached = forward(query("Example.com", .a, id: 77), at: 100 * Self.second)
        #expect(Self.sent(cached) == nil)
        let reply = try #require(Self.responses(cached).first)
        #expect(reply.message.header.id == 77)
        #expect(reply.message.answers.first?.ttl == 200)
        #expect(reply.message.questions[0].name.isIdentical(to: name("Example.com")))
    }

    @Test mutating func truncatedAnswersAreRetriedOverTCP() throws {
        let sent = try #require(Self.sent(forward(query("example.com", .txt))))
        var truncated = try Self.upstreamAnswer(to: sent, answers: [])
        truncated.header.isTruncated = true
        let actions = receive(truncated, from: Self.primary)
        let retry = try #require(Self.sent(actions))
        #expect(retry.overTCP && retry.upstream == Self.primary)
        #expect(actions.first == .closeUpstream(id: sent.id))
    }

    @Test mutating func pendingQueriesAreBounded() throws {
        var small = Forwarder(configuration: .init(upstreams: [Self.primary], maximumPendingQueries: 2))
        for index in 0..<2 {
            #expect(Self.sent(small.forward(query("h\(index).example", .a), from: "c", source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(0), generator: &generator)) != nil)
        }
        #expect(small.forward(query("h9.example", .a), from: "c", source: IPv4Address(10, 42, 0, 9), overTCP: false, now: at(0), generator: &generator)
            == [.discarded(.tooManyPendingQueries)])
    }
}
