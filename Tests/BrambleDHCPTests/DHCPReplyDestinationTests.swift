@testable import BrambleDHCP
import BrambleNodeMap
import BrambleWire
import Testing

/// Where the one DHCP path sends each reply: the address, port and (for a raw frame) MAC
/// that the daemon sends to and replay records, for each RFC 2131 section 4.1 case.
@Suite struct DHCPReplyDestinationTests {
    static let hub = IPv4Interface("10.42.0.250/24")!
    static let start = MonotonicInstant(nanoseconds: 5_000_000_000)
    static let wallClock: Int64 = 1_800_000_000
    static let node5 = MACAddress("b8:27:eb:00:00:05")!
    static let pi3B = MACAddress("b8:27:eb:9d:c1:5a")!
    static let relay = IPv4Address(10, 42, 0, 1)

    func responder(mode: DHCPMode = .server, pool: LeasePool? = nil) throws -> DHCPResponder {
        let text = """
            5   b8:27:eb:00:00:05  web05
            7   b8:27:eb:00:00:07  disabled
            37  b8:27:eb:9d:c1:5a
            """ + "\n"
        let settings = DHCPResponderSettings(hub: Self.hub, domain: "cluster", leaseSeconds: 43200, mode: mode)
        return DHCPResponder(settings: settings, nodeMap: try NodeMap(parsing: text, fileName: "nodes", subnet: Self.hub.subnet), pool: pool)
    }

    func message(_ type: DHCPMessageType, mac: MACAddress, ciaddr: IPv4Address = .any, giaddr: IPv4Address = .any,
                 broadcast: Bool = false, options extra: [(DHCPOptionCode, [UInt8])] = []) -> DHCPMessage {
        var options = DHCPOptions()
        options[.messageType] = [type.rawValue]
        for (code, value) in extra { options[code] = value }
        var message = DHCPMessage(operation: .request, transactionID: 0x1234, clientMAC: mac, clientAddress: ciaddr, relayAgentAddress: giaddr, options: options)
        message.isBroadcast = broadcast
        return message
    }

    func reply(_ request: DHCPMessage, from responder: inout DHCPResponder) throws -> DHCPReply {
        try #require(responder.respond(to: request, now: Self.start, wallClock: Self.wallClock).reply)
    }

    @Test func aClientWithoutAnAddressGetsARawFrameToItsMAC() throws {
        var responder = try responder()
        let destination = try reply(message(.discover, mac: Self.node5), from: &responder).destination
        #expect(destination == .clientHardware(Self.node5, IPv4Address(10, 42, 0, 5)))
        #expect(destination.address == IPv4Address(10, 42, 0, 5) && destination.port == 68 && destination.frameMAC == Self.node5)
    }

    @Test func theBroadcastFlagGetsABroadcastFrame() throws {
        var responder = try responder()
        let destination = try reply(message(.discover, mac: Self.node5, broadcast: true), from: &responder).destination
        #expect(destination == .broadcast)
        #expect(destination.address == .broadcast && destination.port == 68 && destination.frameMAC == .broadcast)
    }

    @Test func aRenewingClientGetsAUDPDatagramToItsAddress() throws {
        var responder = try responder()
        let mine = IPv4Address(10, 42, 0, 5)
        let destination = try reply(message(.request, mac: Self.node5, ciaddr: mine), from: &responder).destination
        #expect(destination == .clientAddress(mine))
        #expect(destination.address == mine && destination.port == 68 && destination.frameMAC == nil, "routed by the kernel")
    }

    @Test func aRelayedRequestGoesToTheRelaysServerPort() throws {
        var responder = try responder()
        let destination = try reply(message(.discover, mac: Self.node5, giaddr: Self.relay, broadcast: true), from: &responder).destination
        #expect(destination == .relay(Self.relay))
        #expect(destination.address == Self.relay && destination.port == 67 && destination.frameMAC == nil)
    }

    @Test func aNAKIsBroadcastUnlessRelayed() throws {
        var responder = try responder()
        let wrong = [(DHCPOptionCode.requestedIPAddress, IPv4Address(10, 42, 0, 99).bytes)]
        let nak = try reply(message(.request, mac: Self.node5, options: wrong), from: &responder)
        #expect(nak.message.options.messageType == .nak && nak.destination.frameMAC == .broadcast && nak.destination.address == .broadcast)
        let relayed = try reply(message(.request, mac: Self.node5, giaddr: Self.relay, options: wrong), from: &responder)
        #expect(relayed.destination.address == Self.relay && relayed.destination.port == 67 && relayed.message.isBroadcast)
    }

    @Test func aProxyOfferIsBroadcastOrSentToTheRelay() throws {
        var responder = try responder(mode: .proxy)
        let rom = [(DHCPOptionCode.clientMachineIdentifier, [0] + [UInt8](repeating: 0x44, count: 16)),
                   (DHCPOptionCode.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8))]
        let direct = try reply(message(.discover, mac: Self.pi3B, options: rom), from: &responder).destination
        #expect(direct.address == .broadcast && direct.port == 68 && direct.frameMAC == .broadcast)
        let relayed = try reply(message(.discover, mac: Self.pi3B, giaddr: Self.relay, options: rom), from: &responder).destination
        #expect(relayed.address == Self.relay && relayed.port == 67 && relayed.frameMAC == nil)
    }

    @Test func theEncodedReplyIsTheMessageFittedToTheClientsLimit() throws {
        var responder = try responder()
        let reply = try reply(message(.discover, mac: Self.node5, options: [(.maximumMessageSize, [0x02, 0x40])]), from: &responder)
        #expect(reply.maximumMessageSize == 576)
        #expect(try reply.encoded() == reply.message.encoded(maximumMessageSize: 576))
    }

    @Test(arguments: [
        (MACAddress("b8:27:eb:00:00:07")!, IPv4Address.any, DHCPIgnoreReason.disabledNode),
        (MACAddress("02:00:00:00:00:99")!, IPv4Address.any, DHCPIgnoreReason.unknownMAC),
        (MACAddress("b8:27:eb:00:00:05")!, IPv4Address(192, 168, 1, 1), DHCPIgnoreReason.foreignRelay(IPv4Address(192, 168, 1, 1))),
        (MACAddress("b8:27:eb:00:00:05")!, IPv4Address(10, 42, 0, 255), DHCPIgnoreReason.unusableAddressField(field: "giaddr", IPv4Address(10, 42, 0, 255))),
        (MACAddress("ff:ff:ff:ff:ff:ff")!, IPv4Address.any, DHCPIgnoreReason.unusableHardwareAddress(.broadcast)),
    ])
    func ignoredRequestsSayWhyAndSendNothing(mac: MACAddress, giaddr: IPv4Address, reason: DHCPIgnoreReason) throws {
        var responder = try responder()
        let response = responder.respond(to: message(.discover, mac: mac, giaddr: giaddr), now: Self.start, wallClock: Self.wallClock)
        #expect(response.reply == nil && response.journal == nil && response.arpEntry == nil)
        #expect(response.event?.outcome == .ignored(reason))
    }

    @Test func anUnknownMACIsReportedOncePerMonotonicMinute() throws {
        var responder = try responder()
        let stranger = message(.discover, mac: MACAddress("02:00:00:00:00:99")!)
        func reported(after seconds: Int64, wallClock: Int64) -> Bool? {
            responder.respond(to: stranger, now: Self.start + .seconds(seconds), wallClock: wallClock).event?.worthLogging
        }
        #expect(reported(after: 0, wallClock: Self.wallClock) == true)
        // The wall clock stepped back an hour (NTP on a hub without an RTC): the minute is
        // still counted on the monotonic clock.
        #expect(reported(after: 30, wallClock: Self.wallClock - 3600) == false)
        #expect(reported(after: 61, wallClock: Self.wallClock - 3600) == true)
    }
}
