@testable import BrambleDNS
import BrambleNodeMap
import BrambleWire
import Testing

/// Queries built to stop or stall the server, and the limits that hold against them.
@Suite struct HostileDNSInputTests {
    static let node = IPv4Address(10, 42, 0, 7)
    static let outsider = IPv4Address(192, 0, 2, 99)

    static func zone() throws -> ClusterZone {
        ClusterZone(nodeMap: try nodeMap(["7 b8:27:eb:00:00:07"]), hub: hubInterface, domain: clusterDomain)
    }

    /// The issue's attack: a query of many questions read through compression pointers,
    /// each name expanding to far more than its two bytes.
    ///
    /// The ID is 0, so a pointer to offset 0 reads the root. Each of `regions` questions
    /// has a 254-byte name of four labels ending in that pointer, whose bytes are all 1...63
    /// and never more than their distance to the pointer: read from any of its bytes, not
    /// just its label starts, they make a valid name that ends at the pointer. Then one
    /// question per byte of those names points at it: 6 bytes of query per question, each
    /// a name of up to 253 bytes that no earlier name has as a suffix.
    static func oversizedEchoQuery(regions: Int = 10, seed: UInt64 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes: [UInt8] = [0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        var starts: [Int] = []
        for _ in 0..<regions {
            let start = bytes.count
            starts.append(start)
            let pointer = start + 3 * 64 + 61
            for index in start..<pointer {
                let labelStart = index == start || index == start + 64 || index == start + 128 || index == start + 192
                let length = index == start + 192 ? 60 : 63
                bytes.append(labelStart ? UInt8(length) : UInt8.random(in: 1...UInt8(min(63, pointer - index)), using: &generator))
            }
            bytes += [0xc0, 0x00, 0x00, 0x10, 0x00, 0x01]
        }
        for start in starts {
            for position in start..<(start + 3 * 64 + 61) {
                bytes += [0xc0 | UInt8(position >> 8), UInt8(position & 0xff), 0x00, 0x01, 0x00, 0x01]
            }
        }
        let questions = (bytes.count - 12 - regions * 259) / 6 + regions
        bytes[4] = UInt8(questions >> 8)
        bytes[5] = UInt8(questions & 0xff)
        return bytes
    }

    @Test func theOversizedEchoQueryGetsASmallReplyOverTCPAndUDP() throws {
        let bytes = Self.oversizedEchoQuery()
        #expect(bytes.count > 17_000 && bytes.count < 19_000, "the issue's 18.6 KB")
        let query = try DNSMessage(decoding: bytes)
        #expect(query.questions.count > 2_500)
        // What the old reply was: every question echoed. It cannot be encoded even within
        // TCP's 65535 bytes, which is where LengthPrefixedFramer used to trap.
        var echo = DNSMessage(responseTo: query, code: .formatError)
        echo.questions = query.questions
        #expect(throws: DNSEncodingError.questionsDoNotFit(questionCount: query.questions.count, limit: 65_535)) {
            try echo.encoded(limit: 65_535)
        }
        let zone = try Self.zone()
        for (client, code) in [(Self.node, DNSResponseCode.formatError), (Self.outsider, .refused)] {
            guard case .answer(let response) = zone.respond(to: query, from: client) else {
                Issue.record("no answer for \(client)")
                continue
            }
            #expect(response.responseCode == code && response.questions.isEmpty)
            for overTCP in [false, true] {
                let reply = try response.encoded(limit: query.maximumResponseSize(overTCP: overTCP))
                #expect(reply.count == DNSMessage.headerLength, "header only, far below the query's \(bytes.count) bytes")
                let decoded = try DNSMessage(decoding: reply)
                #expect(decoded.responseCode == code && decoded.header.id == 0 && decoded.questions.isEmpty)
            }
        }
    }

    static func message(questions count: Int, opcode: UInt8 = 0, edns: DNSEDNS? = nil) -> DNSMessage {
        DNSMessage(
            header: DNSHeader(id: 0x4242, opcode: opcode, recursionDesired: true),
            questions: (0..<count).map { DNSQuestion(name: name("n\($0).example.com"), type: .a) }, edns: edns)
    }

    /// As BIND answers them: an empty question section, whatever the error, and never
    /// more than ``DNSMessage/maximumErrorResponseSize``.
    @Test(arguments: [0, 2, 1000])
    func repliesToQueriesWithoutExactlyOneQuestionEchoNone(count: Int) throws {
        let zone = try Self.zone()
        let cases: [(DNSMessage, IPv4Address, DNSResponseCode)] = [
            (Self.message(questions: count), Self.node, .formatError),
            (Self.message(questions: count, edns: DNSEDNS(version: 1)), Self.node, .formatError),
            (Self.message(questions: count, opcode: 4), Self.node, .notImplemented),
            (Self.message(questions: count), Self.outsider, .refused),
        ]
        for (query, client, code) in cases {
            guard case .answer(let response) = zone.respond(to: query, from: client) else {
                Issue.record("no answer")
                continue
            }
            #expect(response.responseCode == code && response.questions.isEmpty)
            let reply = try response.encoded(limit: query.maximumResponseSize(overTCP: true))
            #expect(reply.count <= DNSMessage.headerLength + 11)
            #expect(try DNSMessage(decoding: reply).questions.isEmpty)
        }
        var forwarder = DNSForwarder<Int>(configuration: .init(upstreams: [UpstreamServer(address: IPv4Address(192, 0, 2, 1))]))
        var generator = SplitMix64(seed: 1)
        let actions = forwarder.forward(Self.message(questions: count), from: 1, source: Self.node, overTCP: false, now: at(0), generator: &generator)
        guard case .respond(_, let message, _)? = actions.first else {
            Issue.record("no FORMERR from the forwarder: \(actions)")
            return
        }
        #expect(message.responseCode == .formatError && message.questions.isEmpty)
    }

    /// Every error reply the zone gives a one-question query is within the bound, even for
    /// the longest name and an OPT record.
    @Test func errorRepliesAreSmall() throws {
        let longest = try DNSName(labels: [[UInt8](repeating: 0x61, count: 63), [UInt8](repeating: 0x62, count: 63),
                                           [UInt8](repeating: 0x63, count: 63), [UInt8](repeating: 0x64, count: 61)])
        #expect(longest.wire.count == 255)
        let zone = try Self.zone()
        var queries = [DNSMessage(header: DNSHeader(id: 1), questions: [DNSQuestion(name: longest, type: .a)],
                                  edns: DNSEDNS(options: [UInt8](repeating: 0, count: 4000)))]
        queries.append(queries[0])
        queries[1].header.opcode = 5
        for (query, client) in [(queries[0], Self.outsider), (queries[1], Self.node)] {
            guard case .answer(let response) = zone.respond(to: query, from: client) else {
                Issue.record("no answer")
                continue
            }
            let reply = try response.encoded(limit: query.maximumResponseSize(overTCP: true))
            #expect(reply.count <= DNSMessage.maximumErrorResponseSize)
            #expect(reply.count == DNSMessage.maximumErrorResponseSize, "the bound is exact: 12 + 259 + 11")
        }
    }

    // MARK: Truncation

    /// A forwarded answer of 100 A records: within 512 bytes without EDNS and within the
    /// client's EDNS size with it, TC set and the answers cut cleanly; whole over TCP.
    @Test func bigAnswersAreTruncatedWithTCToTheClientsLimit() throws {
        let upstream = UpstreamServer(address: IPv4Address(192, 0, 2, 1))
        for (edns, udpLimit) in [(nil, 512), (DNSEDNS(udpPayloadSize: 900), 900), (DNSEDNS(udpPayloadSize: 65_000), 1232)] as [(DNSEDNS?, Int)] {
            for overTCP in [false, true] {
                var forwarder = DNSForwarder<Int>(configuration: .init(upstreams: [upstream]))
                var generator = SplitMix64(seed: 3)
                let asked = query("many.example.com", .a, edns: edns)
                let actions = forwarder.forward(asked, from: 1, source: Self.node, overTCP: overTCP, now: at(0), generator: &generator)
                guard case .sendUpstream(let sent)? = actions.first else {
                    Issue.record("not forwarded")
                    continue
                }
                var answer = DNSMessage(responseTo: try DNSMessage(decoding: sent.bytes), code: .noError)
                answer.answers = (0..<100).map {
                    DNSResourceRecord(name: name("many.example.com"), ttl: 60, data: .a(IPv4Address(198, 51, 100, UInt8($0))))
                }
                let replies = forwarder.receive(answer, from: upstream, now: at(1), generator: &generator)
                guard case .respond(_, let message, let maximumSize)? = replies.last else {
                    Issue.record("no reply")
                    continue
                }
                #expect(maximumSize == (overTCP ? 65_535 : udpLimit))
                let bytes = try message.encoded(limit: maximumSize)
                let decoded = try DNSMessage(decoding: bytes)
                #expect(bytes.count <= maximumSize)
                #expect(decoded.question == asked.question && (decoded.edns != nil) == (edns != nil))
                if overTCP {
                    #expect(!decoded.header.isTruncated && decoded.answers.count == 100)
                } else {
                    #expect(decoded.header.isTruncated && decoded.answers.isEmpty, "TC and no partial answer section")
                }
            }
        }
    }

    // MARK: Compression and decoding cost

    /// Names of 127 labels that share no suffix (each ends in its own label): the worst case
    /// for a list of written suffixes, which compares every suffix of every name with every
    /// suffix written so far, some 10^8 comparisons for 64 KB. Interned suffixes cost at
    /// most two probes per label: a lookup that misses, then the insert.
    @Test func compressionCostsAtMostTwoProbesPerLabel() throws {
        var writer = DNSMessageWriter(ByteWriter(limit: 65_535))
        let headerFits = writer.appendHeaderSpace()
        #expect(headerFits)
        var labels = 0
        var index = 0
        while writer.size < 65_535 - 300 {
            let tail: [UInt8] = [UInt8(index >> 8 & 0xff) | 0x80, UInt8(index & 0xff)]
            let name = try DNSName(labels: Array(repeating: [UInt8(ascii: "a")], count: 125) + [tail])
            let fits = writer.append(record: DNSResourceRecord(name: name, ttl: 0, data: .a(IPv4Address(10, 42, 0, 1))))
            #expect(fits)
            labels += name.labelCount
            index += 1
        }
        #expect(index > 240)
        #expect(writer.suffixProbes <= 2 * labels, "\(writer.suffixProbes) probes for \(labels) labels")

        // The same names a second time all compress to a pointer: one probe per label,
        // while their first copies lie within pointer range.
        var again = DNSMessageWriter(ByteWriter(limit: 65_535))
        let name = try DNSName(labels: Array(repeating: [UInt8(ascii: "b")], count: 127))
        let headerWritten = again.appendHeaderSpace()
        let firstWritten = again.append(name: name)
        let first = again.suffixProbes
        let secondWritten = again.append(name: name)
        #expect(headerWritten && firstWritten && secondWritten)
        #expect(first == 1 + 127, "one lookup misses, then 127 inserts")
        #expect(again.suffixProbes - first == 127)
        let written = again.finish().bytes
        #expect(Array(written.suffix(2)) == [0xc0, 0x0c])
    }

    /// Compression keeps the encoder's output byte for byte on ordinary messages: a
    /// suffix is found wherever the old list found it, the earliest copy is the target,
    /// and nothing past 0x3fff is ever pointed at.
    @Test func compressionPointsOnlyWithinReachAndRoundTrips() throws {
        var answers: [DNSResourceRecord] = []
        for index in 0..<600 {
            answers.append(DNSResourceRecord(
                name: name("host\(index % 97).rack\(index % 7).example.com"), ttl: 1,
                data: .cname(name("alias\(index).rack\(index % 5).example.com"))))
        }
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true),
            questions: [DNSQuestion(name: name("Host1.Rack1.Example.COM"), type: .cname)], answers: answers)
        let bytes = try message.encoded(limit: 65_535)
        #expect(bytes.count > 0x3fff, "names land beyond pointer range too")
        #expect(try DNSMessage(decoding: bytes) == message)
    }

    /// 64 KB of questions, each a pointer to the end of a chain of 126 one-label names:
    /// 127 hops each, 10^6 in all without a per-message budget. The decoder stops after
    /// one hop per byte of the message.
    @Test func pointerChainsAreBoundedPerMessage() throws {
        var bytes: [UInt8] = [0, 1, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        // The chain: 126 questions, each "a" then a pointer to the previous one's name (the
        // first to offset 0, the ID's high byte 0: the root). A pointer to the last is a
        // name of 126 labels read in 127 hops, the most one name may take.
        var previous = 0
        for _ in 0..<126 {
            let here = bytes.count
            bytes += [1, UInt8(ascii: "a"), 0xc0 | UInt8(previous >> 8), UInt8(previous & 0xff), 0, 1, 0, 1]
            previous = here
        }
        let head = previous
        var questions = 126
        while bytes.count + 6 <= 65_535 {
            bytes += [0xc0 | UInt8(head >> 8), UInt8(head & 0xff), 0, 1, 0, 1]
            questions += 1
        }
        bytes[4] = UInt8(questions >> 8)
        bytes[5] = UInt8(questions & 0xff)
        do {
            _ = try DNSMessage(decoding: bytes)
            Issue.record("\(questions) questions of 127 hops each decoded")
        } catch {
            guard case .tooManyPointersInMessage(let offset) = error else {
                Issue.record("expected the per-message budget, got \(error)")
                return
            }
            // The chain costs 126 * 127 / 2 hops, then each question 127: the budget of one
            // hop per byte ends it at the 454th of some 10,700 questions.
            #expect(offset == 12 + 126 * 8 + 453 * 6)
        }
    }

    /// What a real encoder writes, a pointer per repeated owner name, stays far inside
    /// the budget: 4000 answers of one name, 1 hop each.
    @Test func ordinaryCompressionIsWithinThePointerBudget() throws {
        let answers = (0..<4000).map { DNSResourceRecord(name: name("x.example"), ttl: 1, data: .a(IPv4Address(UInt32($0)))) }
        let message = DNSMessage(header: DNSHeader(id: 1, isResponse: true), questions: [DNSQuestion(name: name("x.example"), type: .a)],
                                 answers: answers)
        let bytes = try message.encoded(limit: 65_535)
        #expect(try DNSMessage(decoding: bytes).answers.count == 4000)
    }

    // MARK: Forwarding

    /// One address may have 32 queries waiting upstream; the 33rd is dropped, others
    /// are still served, and an answer frees a place.
    @Test func oneClientCannotFillTheForwardersSlots() throws {
        let upstream = UpstreamServer(address: IPv4Address(192, 0, 2, 1))
        var forwarder = DNSForwarder<Int>(configuration: .init(upstreams: [upstream]))
        #expect(forwarder.configuration.maximumPendingQueriesPerClient == 32)
        var generator = SplitMix64(seed: 5)
        var sent: [UpstreamQuery] = []
        for index in 0..<32 {
            let actions = forwarder.forward(query("h\(index).example", .a), from: index, source: Self.node, overTCP: false, now: at(0), generator: &generator)
            guard case .sendUpstream(let query)? = actions.first else {
                Issue.record("query \(index) not forwarded: \(actions)")
                return
            }
            sent.append(query)
        }
        #expect(forwarder.pendingQueryCount(from: Self.node) == 32)
        #expect(forwarder.forward(query("h32.example", .a), from: 99, source: Self.node, overTCP: false, now: at(0), generator: &generator)
                == [.discarded(.tooManyQueriesFromClient(Self.node))])
        let neighbour = IPv4Address(10, 42, 0, 8)
        #expect(forwarder.forward(query("h0.example", .a), from: 100, source: neighbour, overTCP: false, now: at(0), generator: &generator).isEmpty,
                "another address joins the same question in flight")
        guard case .sendUpstream? = forwarder.forward(query("other.example", .a), from: 101, source: neighbour, overTCP: false, now: at(0), generator: &generator).first
        else {
            Issue.record("another address is still forwarded")
            return
        }
        #expect(forwarder.forward(query("h1.example", .a), from: 102, source: Self.node, overTCP: false, now: at(0), generator: &generator)
                == [.discarded(.tooManyQueriesFromClient(Self.node))], "joining counts too")

        var answer = DNSMessage(responseTo: try DNSMessage(decoding: sent[0].bytes), code: .noError)
        answer.answers = [DNSResourceRecord(name: name("h0.example"), ttl: 60, data: .a(IPv4Address(198, 51, 100, 1)))]
        _ = forwarder.receive(answer, from: upstream, now: at(1), generator: &generator)
        #expect(forwarder.pendingQueryCount(from: Self.node) == 31 && forwarder.pendingQueryCount(from: neighbour) == 1)
        guard case .sendUpstream? = forwarder.forward(query("h33.example", .a), from: 103, source: Self.node, overTCP: false, now: at(1), generator: &generator).first
        else {
            Issue.record("a freed place is usable again")
            return
        }
        // Timeouts free places too, once every upstream has failed.
        _ = forwarder.expire(now: at(10_000_000_000), generator: &generator)
        #expect(forwarder.pendingQueryCount(from: Self.node) == 0 && forwarder.pendingQueryCount(from: neighbour) == 0)
    }

    /// dnsmasq's domain-needed and bogus-priv: answered NXDOMAIN here, never forwarded.
    @Test func singleLabelAndPrivateReverseNamesAreNotForwarded() throws {
        let zone = try Self.zone()
        let notForwarded: [(String, DNSRecordType)] = [
            ("foo", .a), ("printer", .aaaa), ("wpad", .any), ("node99", .txt),
            ("1.1.168.192.in-addr.arpa", .ptr), ("9.1.42.10.in-addr.arpa", .ptr), ("10.in-addr.arpa", .soa),
            ("7.20.172.in-addr.arpa", .ptr), ("1.0.0.127.in-addr.arpa", .ptr), ("3.254.169.in-addr.arpa", .ptr),
            ("5.70.64.100.in-addr.arpa", .ptr), ("9.2.0.192.in-addr.arpa", .ptr), ("x.y.168.192.in-addr.arpa", .ptr),
        ]
        for (text, type) in notForwarded {
            guard case .answer(let response) = zone.respond(to: query(text, type), from: Self.node) else {
                Issue.record("\(text) \(type) was forwarded")
                continue
            }
            #expect(response.responseCode == .nameError && response.answers.isEmpty && response.question?.name == name(text),
                    "\(text) \(type)")
        }
        let forwarded: [(String, DNSRecordType)] = [
            ("example.com", .a), ("com", .ds), ("org", .dnskey), ("net", .soa), ("com", .ns),
            ("34.216.184.93.in-addr.arpa", .ptr), ("172.in-addr.arpa", .ns), ("5.32.172.in-addr.arpa", .ptr),
            ("in-addr.arpa", .soa), ("8.8.8.8.in-addr.arpa", .ptr),
        ]
        for (text, type) in forwarded {
            #expect(zone.respond(to: query(text, type), from: Self.node) == .forward, "\(text) \(type)")
        }
        #expect(zone.respond(to: query("node07", .a), from: Self.node) != .forward, "a host's short name is still answered")
    }
}
