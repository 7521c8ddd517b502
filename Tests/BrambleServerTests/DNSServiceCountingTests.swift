import BrambleControl
import BrambleDNS
import BrambleNodeMap
@testable import BrambleServer
import BrambleWire
import Logging
import Testing

/// The DNS service on loopback, with a test socket as its upstream: each answer is counted
/// by where it came from (zone, its memo, upstream, cache, the server's own FORMERR), and
/// the upstream's answer time is measured.
@Suite struct DNSServiceCountingTests {
    static let loopback = IPv4Address(127, 0, 0, 1)

    @Test func answersAreCountedBySourceAndCodeAndTheUpstreamIsTimed() throws {
        let loop = try EventLoop()
        let upstream = try UDPSocket(address: Self.loopback, port: 0)
        let hub = try #require(IPv4Interface("127.0.0.1/8"))
        var settings = DNSService.Settings(
            hub: hub, domain: try DomainName(parsing: "cluster"), upstreams: [UpstreamServer(address: Self.loopback, port: upstream.localPort)])
        settings.port = 0
        let service = try DNSService(
            settings: settings, nodeMap: try NodeMap(parsing: "", fileName: "nodes", subnet: hub.subnet), loop: loop, logger: Logger(label: "test"))
        let client = try UDPSocket(address: Self.loopback, port: 0)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        func turn() throws {
            loop.schedule(afterMilliseconds: 50) { [loop] in loop.stop() }
            try loop.run()
        }
        func ask(_ query: [UInt8]) throws -> DNSMessage {
            #expect(client.send(query, to: Self.loopback, port: service.localPort))
            try turn()
            if let forwarded = upstream.receive(into: &buffer) {
                let question = try DNSMessage(decoding: forwarded.payload)
                var answer = DNSMessage(responseTo: question, code: .noError)
                answer.answers = question.questions.map { DNSResourceRecord(name: $0.name, ttl: 300, data: .a(IPv4Address(192, 0, 2, 1))) }
                #expect(upstream.send(try answer.encoded(), to: forwarded.source, port: forwarded.sourcePort))
                try turn()
            }
            return try DNSMessage(decoding: try #require(client.receive(into: &buffer)).payload)
        }
        let soa = try DNSServiceHostileInputTests.soaQuery(id: 1)
        #expect(try ask(soa).answers.count == 1)
        #expect(try ask(soa).answers.count == 1, "the second time from the zone's memo")
        let elsewhere = try DNSMessage(header: DNSHeader(id: 2), questions: [DNSQuestion(name: DNSName(parsing: "example.org"), type: .a)]).encoded()
        #expect(try ask(elsewhere).responseCode == .noError)
        #expect(try ask(elsewhere).responseCode == .noError, "the second time from the cache")
        let noQuestion: [UInt8] = [0, 9, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        #expect(try ask(noQuestion).responseCode == .formatError)

        let counters = service.counters()
        #expect(counters.answers["zone"]?["noerror"] == 2 && counters.answers["upstream"]?["noerror"] == 1)
        #expect(counters.answers["cache"]?["noerror"] == 1 && counters.answers["local"]?["formerr"] == 1)
        #expect(counters.answers.values.flatMap(\.values).reduce(0, +) == 5)
        #expect(counters.queries == 5 && counters.cacheEntries == 1)
        #expect(counters.upstreamLatency.count == 1 && counters.upstreamLatency.sumMicroseconds > 0)
    }
}
