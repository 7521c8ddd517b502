@testable import BrambleDHCP
import BrambleNodeMap
import BrambleWire
import PropertyBased
import Testing

/// Requests no genuine client sends: forged addressing, oversized option 57, and replies
/// whose options cannot all fit.
@Suite struct DHCPHostileRequestTests {
    static let hub = IPv4Interface("10.42.0.250/24")!

    func responder() throws -> DHCPResponder {
        let map = try NodeMap(parsing: "5   b8:27:eb:00:00:05  web05\n", fileName: "nodes", subnet: Self.hub.subnet)
        let pool = LeasePool(first: IPv4Address(10, 42, 0, 100), last: IPv4Address(10, 42, 0, 120), reserved: [])
        return DHCPResponder(settings: DHCPResponderSettings(hub: Self.hub, domain: "cluster", leaseSeconds: 43200), nodeMap: map, pool: pool)
    }

    func discover(chaddr: [UInt8], ciaddr: IPv4Address = .any, giaddr: IPv4Address = .any, options extra: [(DHCPOptionCode, [UInt8])] = []) -> DHCPMessage {
        var options = DHCPOptions()
        options[.messageType] = [DHCPMessageType.discover.rawValue]
        for (code, value) in extra { options[code] = value }
        var message = DHCPMessage(
            operation: .request, transactionID: 7, clientMAC: MACAddress("b8:27:eb:00:00:05")!, clientAddress: ciaddr,
            relayAgentAddress: giaddr, options: options)
        message.clientHardwareAddress = chaddr + [UInt8](repeating: 0, count: 10)
        return message
    }

    static let node5: [UInt8] = [0xb8, 0x27, 0xeb, 0, 0, 5]

    @Test(arguments: [
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] as [UInt8],
        [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01],
        [0x33, 0x33, 0x00, 0x00, 0x00, 0x01],
        [0, 0, 0, 0, 0, 0],
    ])
    func unusableHardwareAddressesAreIgnored(_ chaddr: [UInt8]) throws {
        var responder = try responder()
        let response = responder.respond(to: discover(chaddr: chaddr), now: 1_800_000_000)
        #expect(response.reply == nil)
        #expect(response.journal == nil)
        #expect(response.event?.outcome == .ignored(.unusableHardwareAddress(MACAddress(bytes: chaddr)!)))
        #expect(responder.pool?.lease(for: MACAddress(bytes: chaddr)!) == nil)
    }

    @Test(arguments: [
        ("ciaddr", IPv4Address(255, 255, 255, 255)), ("ciaddr", IPv4Address(224, 0, 0, 1)), ("ciaddr", IPv4Address(127, 0, 0, 1)),
        ("ciaddr", IPv4Address(0, 0, 0, 5)), ("ciaddr", IPv4Address(240, 0, 0, 1)), ("ciaddr", IPv4Address(10, 42, 0, 255)),
        ("giaddr", IPv4Address(255, 255, 255, 255)), ("giaddr", IPv4Address(239, 1, 2, 3)), ("giaddr", IPv4Address(127, 0, 0, 53)),
        ("giaddr", IPv4Address(0, 255, 0, 1)), ("giaddr", IPv4Address(10, 42, 0, 255)),
    ])
    func nonUnicastAddressFieldsAreIgnored(_ field: String, _ address: IPv4Address) throws {
        var responder = try responder()
        let request = field == "ciaddr" ? discover(chaddr: Self.node5, ciaddr: address) : discover(chaddr: Self.node5, giaddr: address)
        let response = responder.respond(to: request, now: 1_800_000_000)
        #expect(response.reply == nil)
        #expect(response.event?.outcome == .ignored(.unusableAddressField(field: field, address)))
    }

    /// 0.0.0.0 means "none" in both fields and a unicast address is answered as before.
    @Test func zeroAndUnicastAddressFieldsAreServed() throws {
        var responder = try responder()
        #expect(responder.respond(to: discover(chaddr: Self.node5), now: 1_800_000_000).reply != nil)
        #expect(responder.respond(to: discover(chaddr: Self.node5, ciaddr: IPv4Address(10, 42, 0, 5)), now: 1_800_000_000).reply != nil)
        let relayed = responder.respond(to: discover(chaddr: Self.node5, giaddr: IPv4Address(10, 42, 0, 1)), now: 1_800_000_000)
        #expect(relayed.reply?.destination == .relay(IPv4Address(10, 42, 0, 1)))
    }

    /// Option 57 is the client's word: a reply is never larger than the Ethernet MTU.
    @Test func option57AboveTheMTUIsClampedToIt() throws {
        var responder = try responder()
        let request = discover(chaddr: Self.node5, options: [(.maximumMessageSize, [0xff, 0xff])])
        let reply = try #require(responder.respond(to: request, now: 1_800_000_000).reply)
        #expect(reply.maximumMessageSize == DHCPResponder.maximumReplySize)
    }

    /// Any options, any limit: the encoder fits the message within the limit (IP and UDP
    /// headers included) by overload or by dropping optional options, or fails typed;
    /// what it sends decodes back to the options it kept.
    @Test func encodedRepliesNeverExceedTheirLimit() async {
        let option = zip(Gen.int(in: 1...254), Gen.int(in: 0...700))
        await propertyCheck(count: 200, input: option.array(of: 0...12), Gen.int(in: 0...2000), Gen.bool) { options, limit, longFile in
            var message = DHCPMessage(operation: .reply, transactionID: 1, clientMAC: MACAddress("b8:27:eb:00:00:05")!)
            if longFile { message.bootFileName = Array(repeating: UInt8(ascii: "f"), count: 127) }
            message.options[.messageType] = [DHCPMessageType.offer.rawValue]
            message.options[.serverIdentifier] = [10, 42, 0, 250]
            for (code, length) in options where code != 52 && code != 53 && code != 54 {
                message.options[DHCPOptionCode(rawValue: UInt8(code))] = [UInt8](repeating: UInt8(code), count: length)
            }
            do {
                let encoded = try message.encoded(maximumMessageSize: limit)
                let effective = min(max(limit, DHCPMessage.minimumMaximumMessageSize), Int(UInt16.max))
                #expect(encoded.bytes.count + 28 <= effective)
                let decoded = try DHCPMessage(decoding: encoded.bytes[...])
                for kept in message.options where !encoded.droppedOptions.contains(kept.code) {
                    #expect(decoded.options[kept.code] == kept.value, "option \(kept.code)")
                }
            } catch let error as DHCPEncodingError {
                #expect(error == .optionsDoNotFit(maximumMessageSize: min(max(limit, 576), 65535)))
            } catch {
                Issue.record("decoding our own reply failed: \(error)")
            }
        }
    }
}
