import BrambleControl
import BrambleDHCP
import BrambleNodeMap
@testable import BrambleServer
import BrambleWire
import Glibc
import Logging
import Testing

/// DHCPService over a real packet ring, in a namespace of the test's own: requests queued
/// deeper than the shedding depth are read, new exchanges among them shed and REQUESTs
/// answered; requests older than the stale limit are not answered at all.
@Suite(.enabled(if: TestNetworkNamespace.shouldRun, "needs root to create a network namespace (CI sets BRAMBLE_REQUIRE_NETNS=1)"))
struct DHCPServiceSheddingTests {
    static let hub = IPv4Interface("10.42.0.250/24")!
    static let relay = IPv4Address(10, 42, 0, 200)
    static let ids = Array(1...199) + Array(201...249)
    static let map = try! NodeMap(
        parsing: ids.map { "\($0) b8:27:eb:00:00:\(String($0, radix: 16))\n" }.joined(), fileName: "nodes", subnet: hub.subnet)

    let namespace: TestNetworkNamespace
    let loop: EventLoop
    let service: DHCPService
    let sender: PacketSocket

    init() throws {
        namespace = try TestNetworkNamespace()
        let loop = try EventLoop()
        self.loop = loop
        (service, sender) = try namespace.inside {
            let responder = DHCPResponder(settings: DHCPResponderSettings(hub: Self.hub, domain: "cluster", leaseSeconds: 3600), nodeMap: Self.map)
            let service = try DHCPService(
                interface: "lo", hub: Self.hub, responder: responder, journal: nil, capture: nil, loop: loop, logger: Logger(label: "test"))
            // Sends frames on lo; its filter keeps nothing of what it would receive.
            let sender = try PacketSocket(interface: "lo", filter: .dropEverything, ringFrames: 2)
            return (service, sender)
        }
    }

    /// A relayed DISCOVER, or a REQUEST for the node's own address from this server, from node `id`.
    static func frame(_ type: DHCPMessageType, id: Int) -> [UInt8] {
        let mac = MACAddress(bytes: [0xb8, 0x27, 0xeb, 0, 0, UInt8(id)])!
        var options = DHCPOptions()
        options[.messageType] = [type.rawValue]
        if type == .request {
            options[.requestedIPAddress] = IPv4Address(10, 42, 0, UInt8(id)).bytes
            options[.serverIdentifier] = hub.address.bytes
        }
        let message = DHCPMessage(operation: .request, transactionID: UInt32(id), clientMAC: mac, hops: 1, relayAgentAddress: relay, options: options)
        return EthernetUDPFrame(
            sourceMAC: mac, destinationMAC: MACAddress(bytes: [0, 0, 0, 0, 0, 0])!, sourceAddress: relay, destinationAddress: IPv4Address(127, 0, 0, 1),
            sourcePort: 67, destinationPort: 67, payload: try! message.encoded().bytes[...]
        ).encoded()
    }

    func send(_ frame: [UInt8]) {
        #expect(throws: Never.self) { try sender.send(frame: frame) }
    }

    /// Runs the loop until nothing was read for a while (bounded: 3 s at most).
    func serveUntilQuiet() throws {
        var lastCount = -1
        var checks = 0
        func check() {
            checks += 1
            if service.requestsHandled == lastCount || checks > 60 {
                loop.stop()
                return
            }
            lastCount = service.requestsHandled
            loop.schedule(afterMilliseconds: 50) { check() }
        }
        loop.schedule(afterMilliseconds: 50) { check() }
        try loop.run()
    }

    /// 200 DISCOVERs then 40 REQUESTs wait in the 256-slot ring. Read in order, each of the
    /// first 47 DISCOVERs has more than 192 requests behind it: shed. The other DISCOVERs
    /// and every REQUEST are answered.
    @Test func aBacklogShedsNewExchangesAndAnswersEveryRequest() throws {
        for id in Self.ids.prefix(200) { send(Self.frame(.discover, id: id)) }
        for id in Self.ids.suffix(40) { send(Self.frame(.request, id: id)) }
        try serveUntilQuiet()
        let counters = service.tally.snapshot(pool: nil)
        #expect(counters.received["discover"] == 200 && counters.received["request"] == 40)
        #expect(counters.ignored["shed_backlog"] == 47)
        #expect(counters.replies["offer"] == 153)
        #expect(counters.replies["ack"] == 40)
    }

    @Test func aKeptUpServiceShedsNothing() throws {
        for id in Self.ids.prefix(100) { send(Self.frame(.discover, id: id)) }
        try serveUntilQuiet()
        let counters = service.tally.snapshot(pool: nil)
        #expect(counters.replies["offer"] == 100)
        #expect(counters.ignored.values.reduce(0, +) == 0)
    }

    /// Requests arriving a millisecond apart are read by polling the ring, far fewer
    /// wake-ups than requests, every one answered; once they stop, the socket is watched
    /// again and a lone request is answered as it comes.
    @Test func closeRequestsAreReadByPollingAndALoneOneWakesTheLoop() throws {
        let burst = Array(Self.ids.prefix(60))
        for (index, id) in burst.enumerated() {
            loop.schedule(afterMilliseconds: index) { self.send(Self.frame(.discover, id: id)) }
        }
        try serveUntilQuiet()
        var counters = service.tally.snapshot(pool: nil)
        #expect(counters.replies["offer"] == burst.count)
        #expect(service.readinessWakeUps < burst.count / 2, "\(service.readinessWakeUps) wake-ups for \(burst.count) requests")
        #expect(!service.polling)
        let wakeUps = service.readinessWakeUps
        send(Self.frame(.discover, id: Self.ids.last!))
        try serveUntilQuiet()
        counters = service.tally.snapshot(pool: nil)
        #expect(counters.replies["offer"] == burst.count + 1)
        // Its reply, to the relay's address through the socket bound to `lo`, comes back
        // over `lo` into the ring as well: a second wake-up, not a poll.
        #expect(service.readinessWakeUps <= wakeUps + 2)
        #expect(!service.polling)
    }

    /// Requests that waited past the stale limit are not answered, whatever their type;
    /// what arrives after them is.
    @Test func staleRequestsAreNotAnswered() throws {
        service.shedding.staleAfterMilliseconds = 100
        for id in Self.ids.prefix(10) { send(Self.frame(.discover, id: id)) }
        for id in Self.ids.prefix(10) { send(Self.frame(.request, id: id)) }
        usleep(300_000)
        send(Self.frame(.discover, id: 77))
        try serveUntilQuiet()
        let counters = service.tally.snapshot(pool: nil)
        #expect(counters.ignored["shed_stale"] == 20)
        #expect(counters.replies["offer"] == 1 && counters.replies["ack"] == 0)
    }
}
