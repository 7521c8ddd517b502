import BrambleControl
import BrambleDNS
import BrambleNodeMap
@testable import BrambleServer
import BrambleWire
import Logging
import Testing

/// The DNS service reads queries a batch at a time and sends the batch's replies together:
/// every query answered, in order, with hostile datagrams in the middle of the batch
/// answered or dropped as alone, and the counters the same as one query at a time.
@Suite struct DNSServiceBatchingTests {
    static let loopback = IPv4Address(127, 0, 0, 1)

    @Test func aBatchWithHostileDatagramsInTheMiddleAnswersEveryQueryInOrder() throws {
        let harness = try DNSServiceHostileInputTests.Harness()
        let first = try UDPSocket(address: Self.loopback, port: 0)
        let second = try UDPSocket(address: Self.loopback, port: 0)
        let port = harness.service.localPort
        var expected: [UInt16: [UInt16]] = [first.localPort: [], second.localPort: []]
        for id in UInt16(1)...40 {
            let client = id.isMultiple(of: 2) ? first : second
            #expect(client.send(try DNSServiceHostileInputTests.soaQuery(id: id), to: Self.loopback, port: port))
            expected[client.localPort, default: []].append(id)
            if id == 20 {
                #expect(first.send([], to: Self.loopback, port: port), "empty: dropped")
                #expect(first.send([0xde, 0xad, 0xbe], to: Self.loopback, port: port), "shorter than a header: dropped")
                #expect(second.send(DNSServiceHostileInputTests.oversizedEchoQuery(), to: Self.loopback, port: port), "larger than a slot: FORMERR")
            }
        }
        try harness.turn()
        #expect(harness.service.queriesReceived == 43)
        let replies = UDPSocket.ReceiveBatch(capacity: 64, slotSize: 512)
        #expect(first.receive(into: replies) == 20)
        #expect(try replies.datagrams.map { try DNSMessage(decoding: $0.payload).header.id } == expected[first.localPort])
        #expect(second.receive(into: replies) == 21)
        let messages = try replies.datagrams.map { try DNSMessage(decoding: $0.payload) }
        #expect(messages.filter { $0.responseCode == .noError && $0.answers.count == 1 }.map(\.header.id) == expected[second.localPort])
        #expect(messages.filter { $0.responseCode == .formatError }.count == 1)
        #expect(replies.datagrams[10].payload.count == DNSMessage.headerLength, "the FORMERR is where its query was: after query 19")
        let counters = harness.service.counters()
        #expect(counters.answers["zone"]?["noerror"] == 40)
        #expect(counters.answers.values.compactMap { $0["formerr"] }.reduce(0, +) == 1)
        #expect(counters.answers.values.flatMap(\.values).reduce(0, +) == 41, "the empty and the short datagram are not answered")
    }
}
