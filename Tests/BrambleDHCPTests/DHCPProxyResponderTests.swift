@testable import BrambleDHCP
import BrambleNodeMap
import BrambleWire
import Testing

/// `dhcp-mode = proxy`: boot options for the map's boot clients, nothing for anyone else.
@Suite struct DHCPProxyResponderTests {
    static let hub = IPv4Interface("10.42.0.250/24")!
    static let router = IPv4Address(10, 42, 0, 1)
    static let now: Int64 = 1_800_000_000
    static let pi4MAC = MACAddress("2c:cf:67:7c:d4:67")!
    static let pi5MAC = MACAddress("2c:cf:67:00:00:55")!
    static let plainMAC = MACAddress("02:00:00:00:00:42")!
    /// Option 97 of a Pi 5: `RPi5` as the bootloader sends it (least significant byte first),
    /// revision d04170 (Pi 5B 8GB), the MAC's low 4 bytes, the serial.
    static let pi5GUID: [UInt8] = [0x00, 0x35, 0x69, 0x50, 0x52, 0x70, 0x41, 0xd0, 0x00, 0x67, 0x00, 0x00, 0x55, 0x01, 0x02, 0x03, 0x04]

    func responder(_ extra: String = "", mode: DHCPMode = .proxy, bootFiles: [UInt16: String] = [:]) throws -> DHCPResponder {
        let text = """
            5   b8:27:eb:00:00:05  web05
            7   b8:27:eb:00:00:07  disabled
            37  b8:27:eb:9d:c1:5a
            40  \(Self.pi4MAC)
            50  \(Self.pi5MAC)
            60  \(Self.plainMAC)
            """ + "\n" + extra
        let settings = DHCPResponderSettings(
            hub: Self.hub, domain: "cluster", leaseSeconds: 43200, bootFileByArchitecture: bootFiles, mode: mode)
        return DHCPResponder(settings: settings, nodeMap: try NodeMap(parsing: text, fileName: "nodes", subnet: Self.hub.subnet))
    }

    func message(_ type: DHCPMessageType, mac: MACAddress, xid: UInt32 = 0x1234, ciaddr: IPv4Address = .any,
                 options extra: [(DHCPOptionCode, [UInt8])] = []) -> DHCPMessage {
        var options = DHCPOptions()
        options[.messageType] = [type.rawValue]
        for (code, value) in extra { options[code] = value }
        return DHCPMessage(operation: .request, transactionID: xid, clientMAC: mac, clientAddress: ciaddr, options: options)
    }

    func decodeFrame(_ bytes: [UInt8]) throws -> DHCPMessage {
        try DHCPMessage(decoding: EthernetUDPFrame(decoding: bytes).payload)
    }

    /// What no proxy offer may hold: it must not compete with the network server's offer.
    func expectNoAddressing(_ offer: DHCPMessage) {
        #expect(offer.yourAddress == .any, "yiaddr 0.0.0.0")
        #expect(offer.clientAddress == .any)
        for code: DHCPOptionCode in [.subnetMask, .router, .domainNameServer, .ipAddressLeaseTime, .renewalTime, .rebindingTime, .hostName, .domainName, .broadcastAddress, .rootPath] {
            #expect(offer.options[code] == nil, "option \(code) in a proxy offer")
        }
    }

    @Test func pi4DiscoverGetsAProxyOfferLikeDnsmasqs() throws {
        var responder = try responder()
        let discover = try decodeFrame(ReconstructedFrames.pi4BootloaderDiscover)
        let response = responder.respond(to: discover, now: Self.now)
        let reply = try #require(response.reply)
        let offer = reply.message
        expectNoAddressing(offer)
        #expect(offer.options.messageType == .offer)
        #expect(offer.transactionID == discover.transactionID)
        #expect(offer.serverAddress == Self.hub.address, "siaddr is the TFTP server")
        #expect(offer.options.serverIdentifier == Self.hub.address)
        #expect(offer.options[.vendorClassIdentifier] == Array("PXEClient".utf8))
        #expect(offer.options[.vendorSpecificInformation] == RaspberryPiBootMenu.padded.vendorSpecificInformation)
        #expect(offer.options[.clientMachineIdentifier] == discover.options[.clientMachineIdentifier], "option 97 echoed")
        #expect(offer.options[.tftpServerName] == Array("10.42.0.250".utf8))
        #expect(offer.bootFileName.allSatisfy { $0 == 0 }, "Pi firmware ignores the file; none is sent")
        #expect(reply.destination == .broadcast, "the client has no address yet: broadcast, as dnsmasq's proxy does")
        #expect(response.journal == nil && response.arpEntry == nil)
        #expect(response.event?.outcome == .replied(.offer, address: nil))
        #expect(response.event?.nodeID == 40)
        #expect(responder.serial(of: Self.pi4MAC)?.description == "f34fdaa9", "TFTP still gets the serial")
        #expect(responder.pool == nil)
    }

    @Test func pi3BROMGetsTheMenuAfterItsDelay() throws {
        var responder = try responder()
        let response = responder.respond(to: try decodeFrame(ReconstructedFrames.pi3BROMDiscover), now: Self.now)
        let offer = try #require(response.reply?.message)
        expectNoAddressing(offer)
        #expect(offer.options[.vendorSpecificInformation] == RaspberryPiBootMenu.padded.vendorSpecificInformation)
        #expect(response.delayMilliseconds == 1000)
        #expect(response.event?.client == .pi3BBootROM)
    }

    @Test func pi5DiscoverGetsTheMenuAndItsGUIDBack() throws {
        var responder = try responder()
        let discover = message(.discover, mac: Self.pi5MAC, options: [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.clientMachineIdentifier, Self.pi5GUID),
        ])
        let response = responder.respond(to: discover, now: Self.now)
        let offer = try #require(response.reply?.message)
        expectNoAddressing(offer)
        #expect(offer.options[.vendorSpecificInformation] == RaspberryPiBootMenu.padded.vendorSpecificInformation)
        #expect(offer.options[.clientMachineIdentifier] == Self.pi5GUID)
        #expect(responder.bootloaderGeneration(of: Self.pi5MAC) == 5)
    }

    @Test func plainClientsGetNothingAndUnknownOnesAreNotLogged() throws {
        var responder = try responder()
        let kernel = try decodeFrame(ReconstructedFrames.linuxKernelDiscover)
        let unknown = responder.respond(to: kernel, now: Self.now)
        #expect(unknown.reply == nil)
        #expect(unknown.event?.outcome == .ignored(.addressingLeftToNetwork))
        #expect(unknown.event?.worthLogging == false, "a LAN's phones must not fill the log")
        let node = responder.respond(to: message(.discover, mac: Self.plainMAC), now: Self.now)
        #expect(node.reply == nil)
        #expect(node.event?.outcome == .ignored(.addressingLeftToNetwork) && node.event?.worthLogging == true)
    }

    @Test func requestsToTheRouterAreNotAnsweredButTellTheNodesAddress() throws {
        var responder = try responder()
        let discover = try decodeFrame(ReconstructedFrames.pi4BootloaderDiscover)
        _ = responder.respond(to: discover, now: Self.now)
        let request = message(.request, mac: Self.pi4MAC, xid: discover.transactionID, options: [
            (.serverIdentifier, Self.router.bytes), (.requestedIPAddress, IPv4Address(10, 42, 0, 123).bytes),
            (.clientMachineIdentifier, discover.options[.clientMachineIdentifier] ?? []),
        ])
        let response = responder.respond(to: request, now: Self.now)
        #expect(response.reply == nil)
        #expect(response.event?.outcome == .ignored(.otherServerChosen(Self.router)))
        #expect(response.sighting == NodeAddressSighting(nodeID: 40, address: IPv4Address(10, 42, 0, 123)))
        // The kernel's REQUEST, renewing from its address (ciaddr).
        let renewal = responder.respond(to: message(.request, mac: Self.pi4MAC, xid: 9, ciaddr: IPv4Address(10, 42, 0, 124)), now: Self.now)
        #expect(renewal.reply == nil && renewal.event?.outcome == .ignored(.addressingLeftToNetwork))
        #expect(renewal.sighting == NodeAddressSighting(nodeID: 40, address: IPv4Address(10, 42, 0, 124)))
    }

    @Test func sightingsNeedAMapMACAndAHostAddressOfTheSubnet() throws {
        let map = try responder().nodeMap
        func sighting(_ mac: MACAddress, _ address: IPv4Address) -> NodeAddressSighting? {
            NodeAddressSighting.fromFrame(sourceMAC: mac, sourceAddress: address, nodeMap: map, hub: Self.hub)
        }
        #expect(sighting(Self.pi4MAC, IPv4Address(10, 42, 0, 77)) == NodeAddressSighting(nodeID: 40, address: IPv4Address(10, 42, 0, 77)))
        #expect(sighting(MACAddress("02:99:00:00:00:01")!, IPv4Address(10, 42, 0, 77)) == nil, "not a node")
        #expect(sighting(Self.pi4MAC, IPv4Address(192, 168, 1, 7)) == nil, "outside the cluster subnet")
        #expect(sighting(Self.pi4MAC, IPv4Address(10, 42, 0, 255)) == nil, "the subnet's broadcast")
        #expect(sighting(Self.pi4MAC, Self.hub.address) == nil, "the hub's own")
        #expect(sighting(Self.pi4MAC, IPv4Address(10, 42, 0, 0)) == nil, "the network address")
    }

    @Test func theServerModeIsUnchangedByTheSetting() throws {
        var responder = try responder(mode: .server)
        let offer = try #require(responder.respond(to: try decodeFrame(ReconstructedFrames.pi4BootloaderDiscover), now: Self.now).reply?.message)
        #expect(offer.yourAddress == IPv4Address(10, 42, 0, 40))
    }

    @Test func otherPXEClientsGetTheirBootFileAndDiscoveryControlOrNothing() throws {
        let pc = MACAddress("52:54:00:00:00:08")!
        let discover = message(.discover, mac: pc, options: [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00007:UNDI:003016".utf8)), (.clientSystemArchitecture, [0, 7]),
        ])
        var without = try responder("8 \(pc)")
        #expect(without.respond(to: discover, now: Self.now).event?.outcome == .ignored(.noBootFileForClient))
        var with = try responder("8 \(pc)", bootFiles: [7: "ipxe.efi"])
        let offer = try #require(with.respond(to: discover, now: Self.now).reply?.message)
        expectNoAddressing(offer)
        #expect(offer.options[.bootFileName] == Array("ipxe.efi".utf8))
        #expect(offer.options[.vendorSpecificInformation] == [0x06, 0x01, 0x08, 0xff], "PXE_DISCOVERY_CONTROL bit 3: boot this file")
    }

    @Test func disabledAndUnknownBootClientsGetNothing() throws {
        var responder = try responder()
        var discover = try decodeFrame(ReconstructedFrames.pi4BootloaderDiscover)
        discover.clientHardwareAddress = MACAddress("b8:27:eb:00:00:07")!.bytes + [UInt8](repeating: 0, count: 10)
        #expect(responder.respond(to: discover, now: Self.now).event?.outcome == .ignored(.disabledNode))
        discover.clientHardwareAddress = MACAddress("02:00:00:00:77:77")!.bytes + [UInt8](repeating: 0, count: 10)
        let response = responder.respond(to: discover, now: Self.now)
        #expect(response.reply == nil && response.event?.outcome == .ignored(.unknownMAC))
    }

    // MARK: hostile clients

    @Test(arguments: [[UInt8](), [0x00], [0x01] + [UInt8](repeating: 0x44, count: 16), [UInt8](repeating: 0, count: 18), [0x00] + Array("RPi5".utf8)])
    func malformedOption97IsIgnoredWithItsReason(_ option97: [UInt8]) throws {
        var responder = try responder()
        let discover = message(.discover, mac: Self.pi5MAC, options: [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.clientMachineIdentifier, option97),
        ])
        let response = responder.respond(to: discover, now: Self.now)
        #expect(response.reply == nil)
        #expect(response.event?.outcome == .ignored(.malformedClientMachineIdentifier(type: option97.first, length: option97.count)))
        #expect(responder.bootloaderGeneration(of: Self.pi5MAC) == nil)
    }

    @Test func aFloodOfForgedBootClientsHoldsNoStateBeyondTheUnknownReportBound() throws {
        var responder = try responder()
        let template = try decodeFrame(ReconstructedFrames.pi4BootloaderDiscover)
        func forged(_ index: Int) -> DHCPMessage {
            var discover = template
            discover.clientHardwareAddress = [0x02, 0x00, UInt8(index >> 16 & 0xff), UInt8(index >> 8 & 0xff), UInt8(index & 0xff), 0x01] + [UInt8](repeating: 0, count: 10)
            discover.transactionID = UInt32(index)
            return discover
        }
        var replies = 0
        for index in 0..<20_000 {
            let response = responder.respond(to: forged(index), now: Self.now + Int64(index / 1000))
            if response.reply != nil { replies += 1 }
            if let mac = forged(index).clientMAC { #expect(responder.serial(of: mac) == nil, "no client memory for a MAC outside the map") }
        }
        #expect(replies == 0, "no MAC of the flood is in the node map")
        // The first MAC asks again within its minute: it is reported again only because the
        // flood pushed the unknown-MAC table past its bound, which cleared it.
        let again = responder.respond(to: forged(0), now: Self.now + 30)
        #expect(again.event?.outcome == .ignored(.unknownMAC) && again.event?.worthLogging == true, "the table is bounded")
        let repeated = responder.respond(to: forged(0), now: Self.now + 31)
        #expect(repeated.event?.worthLogging == false, "a repeat within the minute is not reported")
        for index in 0..<20_000 {
            var request = message(.request, mac: MACAddress(0x02, 0x01, UInt8(index >> 16 & 0xff), UInt8(index >> 8 & 0xff), UInt8(index & 0xff), 0x01),
                                  options: [(.requestedIPAddress, IPv4Address(10, 42, 0, UInt8(index % 200 + 1)).bytes)])
            request.transactionID = UInt32(index)
            #expect(responder.respond(to: request, now: Self.now).sighting == nil)
        }
    }
}
