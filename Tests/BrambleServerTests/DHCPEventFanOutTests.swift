import BrambleBoot
import BrambleControl
@testable import BrambleDHCP
@testable import BrambleServer
import BrambleWire
import Logging
import Testing

/// The boot-event spine's DHCP fan-out (docs/architecture.md): every consumer sees every
/// event, in the documented order, however the daemon's lines connecting them are ordered.
@Suite struct DHCPEventFanOutTests {
    static let map = BootRecorderTests.map

    /// Events built as the translation tests build them (one place that knows the memberwise init).
    static func event(_ received: DHCPMessageType, nodeID: Int?, mac: String) -> DHCPEvent {
        var event = BootEventTranslationTests().event(received, .pi3BBootROM, .replied(received == .discover ? .offer : .ack, address: IPv4Address(10, 42, 0, 5)))
        event.nodeID = nodeID
        event.mac = MACAddress(mac)!
        return event
    }

    @Test(arguments: [
        DHCPEventFanOut.Consumer.allCases,
        DHCPEventFanOut.Consumer.allCases.reversed(),
        [.bootRecorder, .discoveryFollowers, .dnsBootWatch],
    ])
    func everyConsumerSeesEveryEventInTheDocumentedOrder(connectionOrder: [DHCPEventFanOut.Consumer]) {
        let fanOut = DHCPEventFanOut()
        final class Log { var seen: [(DHCPEventFanOut.Consumer, UInt32)] = [] }
        let log = Log()
        for consumer in connectionOrder {
            fanOut.connect(consumer) { log.seen.append((consumer, $0.transactionID)) }
        }
        #expect(fanOut.connected == [.dnsBootWatch, .bootRecorder, .discoveryFollowers])
        let events = (1...3).map { id in
            var event = Self.event(.discover, nodeID: 5, mac: "b8:27:eb:00:00:05")
            event.transactionID = UInt32(id)
            return event
        }
        for event in events { fanOut.dispatch(event) }
        let expected = events.flatMap { event in DHCPEventFanOut.Consumer.allCases.map { ($0, event.transactionID) } }
        #expect(log.seen.map(\.0) == expected.map(\.0))
        #expect(log.seen.map(\.1) == expected.map(\.1))
    }

    /// A consumer connected twice keeps one slot: the second connection replaces the first,
    /// so no event is delivered twice to it.
    @Test func reconnectingAConsumerReplacesItsSlot() {
        let fanOut = DHCPEventFanOut()
        var first = 0
        var second = 0
        fanOut.connect(.bootRecorder) { _ in first += 1 }
        fanOut.connect(.bootRecorder) { _ in second += 1 }
        fanOut.dispatch(Self.event(.discover, nodeID: 5, mac: "b8:27:eb:00:00:05"))
        #expect(first == 0 && second == 1 && fanOut.connected == [.bootRecorder])
    }

    /// The real consumers behind the slots: a node's DISCOVER becomes its boot record (and
    /// reaches a follower through the recorder); a MAC outside the map reaches the client
    /// enrolling nodes and leaves no record.
    @Test func theRecorderAndTheControlSocketGetTheirEvents() throws {
        let harness = try ControlServerTests.Harness()
        let recorder = BootRecorder(nodeMap: Self.map, logs: nil, logger: Logger(label: "test"))
        let fanOut = DHCPEventFanOut()
        fanOut.connect(.discoveryFollowers) { [unowned server = harness.server] in server.publishDiscovery(of: $0, time: 42) }
        fanOut.connect(.bootRecorder) { recorder.record($0, time: 1_000) }
        recorder.onRecord = { [unowned server = harness.server] in server.publish($0) }
        let enrolling = try ControlServerTests.Client(path: harness.path)
        enrolling.send(#"{"command":"discoveries"}"# + "\n")
        let following = try ControlServerTests.Client(path: harness.path)
        following.send(#"{"command":"follow"}"# + "\n")
        try harness.turn()
        #expect(try enrolling.response()?.message == "discoveries")
        #expect(try following.response()?.message == "following")

        fanOut.dispatch(Self.event(.discover, nodeID: 5, mac: "b8:27:eb:00:00:05"))
        fanOut.dispatch(Self.event(.discover, nodeID: nil, mac: "b8:27:eb:12:34:56"))
        try harness.turn()
        let record = try #require(try following.response()?.event)
        #expect(record.nodeID == 5 && record.time == 1_000 && record.stage == BootStage.addressed.description)
        #expect(following.line() == nil, "the unknown MAC leaves no boot record")
        let discovery = try #require(try enrolling.response()?.discovery)
        #expect(discovery.mac == "b8:27:eb:12:34:56" && discovery.time == 42 && discovery.firmware)
        #expect(enrolling.line() == nil, "the node's own DISCOVER is no discovery")
        #expect(recorder.timeline(ofNode: 5).stage == .addressed)
    }
}
