@testable import BrambleDHCP
import BrambleNodeMap
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct DHCPResponderTests {
    static let hub = IPv4Interface("10.42.0.250/24")!
    static let now: Int64 = 1_800_000_000
    let pi3B = MACAddress("b8:27:eb:9d:c1:5a")!
    let node5 = MACAddress("b8:27:eb:00:00:05")!
    let stranger = MACAddress("02:00:00:00:00:99")!

    func responder(map extra: String = "", pool: LeasePool? = nil, settings: ((inout DHCPResponderSettings) -> Void)? = nil) throws -> DHCPResponder {
        let text = """
            5   b8:27:eb:00:00:05  web05 root=/pxe/root/web05
            7   b8:27:eb:00:00:07  disabled
            37  b8:27:eb:9d:c1:5a
            """ + "\n" + extra
        var values = DHCPResponderSettings(hub: Self.hub, domain: "cluster", leaseSeconds: 43200)
        settings?(&values)
        return DHCPResponder(settings: values, nodeMap: try NodeMap(parsing: text, fileName: "nodes", subnet: Self.hub.subnet), pool: pool)
    }

    func message(_ type: DHCPMessageType, mac: MACAddress, xid: UInt32 = 0x1234, ciaddr: IPv4Address = .any, giaddr: IPv4Address = .any,
                 broadcast: Bool = false, options extra: [(DHCPOptionCode, [UInt8])] = []) -> DHCPMessage {
        var options = DHCPOptions()
        options[.messageType] = [type.rawValue]
        for (code, value) in extra { options[code] = value }
        var message = DHCPMessage(operation: .request, transactionID: xid, clientMAC: mac, clientAddress: ciaddr, relayAgentAddress: giaddr, options: options)
        message.isBroadcast = broadcast
        return message
    }

    func decodeFrame(_ bytes: [UInt8]) throws -> DHCPMessage {
        try DHCPMessage(decoding: EthernetUDPFrame(decoding: bytes).payload)
    }

    // MARK: Raspberry Pi firmware

    @Test func pi3BROMDiscoverGetsAnOfferWithTheExactBootMenu() throws {
        var responder = try responder()
        let discover = try decodeFrame(ReconstructedFrames.pi3BROMDiscover)
        let response = responder.respond(to: discover, now: Self.now)
        let reply = try #require(response.reply)
        let offer = reply.message
        #expect(offer.options.messageType == .offer)
        #expect(offer.transactionID == 0x26f3_0339)
        #expect(offer.yourAddress == IPv4Address(10, 42, 0, 37))
        #expect(offer.serverAddress == Self.hub.address, "siaddr is the TFTP server")
        #expect(offer.options.serverIdentifier == Self.hub.address)
        #expect(offer.options[.vendorClassIdentifier] == Array("PXEClient".utf8))
        #expect(offer.options[.vendorSpecificInformation] == [0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 0x50, 0x58, 0x45, 0x09, 0x17, 0x00, 0x00, 0x14]
            + Array("Raspberry Pi Boot   ".utf8) + [0xff])
        #expect(offer.options[.clientMachineIdentifier] == discover.options[.clientMachineIdentifier], "option 97 echoed")
        #expect(offer.options[.tftpServerName] == Array("10.42.0.250".utf8), "no trailing NUL")
        #expect(reply.destination == .clientHardware(pi3B, IPv4Address(10, 42, 0, 37)), "the ROM leaves the broadcast flag clear")
        #expect(response.arpEntry == DHCPResponse.ARPEntry(address: IPv4Address(10, 42, 0, 37), mac: pi3B))
        #expect(response.delayMilliseconds == 1000)
        #expect(response.event?.client == .pi3BBootROM && response.event?.nodeID == 37)
    }

    @Test func theUnpaddedMenuIsExactlyTheDocumentedBytes() throws {
        var responder = try responder { $0.bootMenu = .unpadded; $0.pi3BReplyDelayMilliseconds = 0 }
        let response = responder.respond(to: try decodeFrame(ReconstructedFrames.pi3BROMDiscover), now: Self.now)
        #expect(response.reply?.message.options[.vendorSpecificInformation] == [0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 0x50, 0x58, 0x45, 0x09, 0x14, 0x00, 0x00, 0x11]
            + Array("Raspberry Pi Boot".utf8) + [0xff])
        #expect(response.delayMilliseconds == 0)
    }

    @Test func pi4SerialIsRecordedAndItsRequestWithoutVendorClassGetsTheBootMenu() throws {
        let discover = try decodeFrame(ReconstructedFrames.pi4BootloaderDiscover)
        let mac = try #require(discover.clientMAC)
        var responder = try responder(map: "40 \(mac)\n")
        let offer = try #require(responder.respond(to: discover, now: Self.now).reply?.message)
        #expect(offer.options.messageType == .offer && offer.yourAddress == IPv4Address(10, 42, 0, 40))
        #expect(responder.serial(of: mac)?.description == "f34fdaa9")
        let request = message(.request, mac: mac, xid: discover.transactionID, options: [
            (.serverIdentifier, Self.hub.address.bytes), (.requestedIPAddress, IPv4Address(10, 42, 0, 40).bytes),
            (.parameterRequestList, [1, 3, 43, 60, 66, 67]),
        ])
        let response = responder.respond(to: request, now: Self.now)
        let ack = try #require(response.reply?.message)
        #expect(ack.options.messageType == .ack)
        #expect(ack.options[.vendorSpecificInformation] != nil, "the ACK carries option 43 too")
        #expect(response.event?.client == .piBootloader(generation: "4"))
        #expect(response.delayMilliseconds == 0)
    }

    /// A Pi 5 DISCOVER, reconstructed from the bootloader's documented fields (option 60 as
    /// every Pi's, option 97 = type 0, `RPi5` in reading order, board revision d04170
    /// little-endian as the Pi 4 family writes it, the MAC's low 4 bytes, the serial least
    /// significant byte first; docs/raspberry-pi-netboot.md). Before the FourCC family was
    /// recognised it classified as a generic PXE client and got no option 43, which the
    /// Pi 5 ignores. Its REQUEST, without option 60, gets the menu in the ACK too.
    @Test func pi5DiscoverGetsTheBootMenuAndItsBoardIsReported() throws {
        let mac = MACAddress("2c:cf:67:fe:01:02")!
        var responder = try responder(map: "50 \(mac)\n")
        let guid = hex("00 52 50 69 35  70 41 d0 00  67 fe 01 02  ef fd fe 9f")
        let discover = message(.discover, mac: mac, xid: 0x5a5a_0001, options: [
            (.parameterRequestList, [1, 3, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135]),
            (.clientSystemArchitecture, [0, 0]), (.clientNetworkInterface, [1, 2, 1]),
            (.clientMachineIdentifier, guid), (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)),
        ])
        let response = responder.respond(to: discover, now: Self.now)
        let offer = try #require(response.reply?.message)
        #expect(offer.options.messageType == .offer && offer.yourAddress == IPv4Address(10, 42, 0, 50))
        #expect(offer.options[.vendorSpecificInformation] == RaspberryPiBootMenu.padded.vendorSpecificInformation)
        #expect(offer.options[.clientMachineIdentifier] == guid, "option 97 echoed")
        #expect(offer.options.vendorClassIdentifier == "PXEClient")
        #expect(response.event?.client == .piBootloader(generation: "5"))
        #expect(response.event?.boardRevision?.description == "Pi 5B 8GB rev 1.0")
        #expect(responder.serial(of: mac)?.description == "9ffefdef")
        let request = message(.request, mac: mac, xid: 0x5a5a_0001, options: [
            (.serverIdentifier, Self.hub.address.bytes), (.requestedIPAddress, IPv4Address(10, 42, 0, 50).bytes),
            (.clientMachineIdentifier, guid),
        ])
        let ack = try #require(responder.respond(to: request, now: Self.now).reply?.message)
        #expect(ack.options.messageType == .ack && ack.options[.vendorSpecificInformation] != nil)
    }

    /// The vendor class alone is an x86 BIOS PXE ROM's as much as a Pi's (rpi-eeprom#182):
    /// a PC's SMBIOS UUID in option 97 keeps it a PXE client, without the Pi menu.
    /// The kernel's DHCP (a new transaction, no option 97) must not make TFTP forget the
    /// model: the Pi 5 prefix rule needs it for the whole boot.
    @Test func theBootloaderGenerationOutlivesTheKernelsDHCP() throws {
        let mac = MACAddress("2c:cf:67:fe:01:03")!
        var responder = try responder(map: "51 \(mac)\n")
        let guid = hex("00 35 69 50 52  70 41 d0 00  67 fe 01 03  ef fd fe 9f")
        _ = responder.respond(to: message(.discover, mac: mac, xid: 1, options: [(.clientMachineIdentifier, guid)]), now: Self.now)
        #expect(responder.bootloaderGeneration(of: mac) == 5)
        let kernel = responder.respond(to: message(.discover, mac: mac, xid: 2, options: [(.parameterRequestList, [1, 3, 6, 12])]), now: Self.now)
        #expect(kernel.event?.client == .plain)
        #expect(responder.bootloaderGeneration(of: mac) == 5 && responder.serial(of: mac)?.description == "9ffefdef")
    }

    @Test func aPCWithThePiVendorClassGetsNoPiMenu() throws {
        let mac = MACAddress("52:54:00:00:00:21")!
        var responder = try responder(map: "21 \(mac)\n")
        let pc = message(.discover, mac: mac, options: [
            (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.clientSystemArchitecture, [0, 0]),
            (.clientMachineIdentifier, hex("00 86 a9 f5 46 d3 1b 4b a2 9b bb 30 3b 61 bc f8 d1")),
        ])
        let response = responder.respond(to: pc, now: Self.now)
        #expect(response.reply?.message.options[.vendorSpecificInformation] == nil)
        #expect(response.event?.client == .pxe(architecture: 0) && response.event?.boardRevision == nil)
        #expect(response.event?.clientMachineIdentifier == .otherGUID(leadingBytes: hex("86 a9 f5 46")), "shown as it is")
    }

    @Test func theKernelsLaterDHCPIsAPlainClient() throws {
        var responder = try responder()
        _ = responder.respond(to: try decodeFrame(ReconstructedFrames.pi3BROMDiscover), now: Self.now)
        let kernel = message(.discover, mac: pi3B, xid: 0xabcdef, options: [(.parameterRequestList, [1, 3, 6, 12, 15, 17, 26, 40])])
        let response = responder.respond(to: kernel, now: Self.now)
        let offer = try #require(response.reply?.message)
        #expect(response.event?.client == .plain)
        #expect(offer.options[.vendorSpecificInformation] == nil && offer.options[.vendorClassIdentifier] == nil)
        #expect(offer.options[.rootPath] == Array("10.42.0.250:/pxe/root".utf8))
        #expect(offer.options.hostName == "node37")
    }

    // MARK: Static nodes

    @Test func staticNodeOptions() throws {
        var responder = try responder()
        let discover = message(.discover, mac: node5, broadcast: true, options: [(.parameterRequestList, [1, 3, 6, 12, 15, 17, 28])])
        let reply = try #require(responder.respond(to: discover, now: Self.now).reply)
        let options = reply.message.options
        #expect(reply.message.yourAddress == IPv4Address(10, 42, 0, 5))
        #expect(reply.destination == .broadcast)
        #expect(options.hostName == "web05")
        #expect(options[.domainName] == Array("cluster".utf8))
        #expect(options[.subnetMask] == [255, 255, 255, 0])
        #expect(options[.router] == Self.hub.address.bytes && options[.domainNameServer] == Self.hub.address.bytes)
        #expect(options[.broadcastAddress] == [10, 42, 0, 255])
        #expect(options[.ipAddressLeaseTime] == [0, 0, 0xa8, 0xc0])
        #expect(options[.renewalTime] == [0, 0, 0x54, 0x60] && options[.rebindingTime] == [0, 0, 0x93, 0xa8])
        #expect(options[.rootPath] == Array("10.42.0.250:/pxe/root/web05".utf8), "root= on the node's line")
    }

    @Test func unrequestedExtrasAreLeftOut() throws {
        var responder = try responder(map: "9 b8:27:eb:00:00:09\n")
        let discover = message(.discover, mac: MACAddress("b8:27:eb:00:00:09")!, options: [(.parameterRequestList, [1, 3])])
        let options = try #require(responder.respond(to: discover, now: Self.now).reply?.message.options)
        #expect(options[.rootPath] == nil && options[.tftpServerName] == nil)
        #expect(options[.subnetMask] != nil && options[.router] != nil, "1 and 3 always (firmware#1001)")
    }

    @Test func disabledAndUnknownMACsGetNoAnswer() throws {
        var responder = try responder()
        let disabled = responder.respond(to: message(.discover, mac: MACAddress("b8:27:eb:00:00:07")!), now: Self.now)
        #expect(disabled.reply == nil && disabled.event?.outcome == .ignored(.disabledNode) && disabled.event?.nodeID == 7)
        let first = responder.respond(to: message(.discover, mac: stranger), now: Self.now)
        let again = responder.respond(to: message(.discover, mac: stranger), now: Self.now + 5)
        let later = responder.respond(to: message(.discover, mac: stranger), now: Self.now + 61)
        #expect(first.reply == nil && first.event?.outcome == .ignored(.unknownMAC))
        #expect([first, again, later].map { $0.event?.worthLogging } == [true, false, true], "once per MAC per minute")
    }

    // MARK: REQUEST states (RFC 2131 4.3.2)

    @Test func selectingInitRebootRenewingRebinding() throws {
        var responder = try responder()
        let mine = IPv4Address(10, 42, 0, 5)
        let selecting = message(.request, mac: node5, options: [(.serverIdentifier, Self.hub.address.bytes), (.requestedIPAddress, mine.bytes)])
        #expect(responder.respond(to: selecting, now: Self.now).reply?.message.options.messageType == .ack)
        let otherServer = message(.request, mac: node5, options: [(.serverIdentifier, [10, 42, 0, 1]), (.requestedIPAddress, mine.bytes)])
        let ignored = responder.respond(to: otherServer, now: Self.now)
        #expect(ignored.reply == nil && ignored.event?.outcome == .ignored(.otherServerChosen(IPv4Address(10, 42, 0, 1))))
        let initReboot = message(.request, mac: node5, options: [(.requestedIPAddress, mine.bytes)])
        #expect(responder.respond(to: initReboot, now: Self.now).reply?.message.options.messageType == .ack)
        let wrongReboot = message(.request, mac: node5, options: [(.requestedIPAddress, [10, 42, 0, 6])])
        let nak = try #require(responder.respond(to: wrongReboot, now: Self.now).reply)
        #expect(nak.message.options.messageType == .nak && nak.destination == .broadcast && nak.message.yourAddress == .any)
        let renewing = message(.request, mac: node5, ciaddr: mine)
        let renewal = try #require(responder.respond(to: renewing, now: Self.now).reply)
        #expect(renewal.message.options.messageType == .ack && renewal.destination == .clientAddress(mine))
        #expect(renewal.message.clientAddress == mine)
        let wrongRenewal = message(.request, mac: node5, ciaddr: IPv4Address(10, 42, 0, 66))
        #expect(responder.respond(to: wrongRenewal, now: Self.now).reply?.message.options.messageType == .nak)
    }

    @Test func relayedRequestsGoBackToTheRelay() throws {
        var responder = try responder()
        let relay = IPv4Address(10, 42, 0, 200)
        let discover = message(.discover, mac: node5, giaddr: relay, broadcast: true)
        let reply = responder.respond(to: discover, now: Self.now)
        #expect(reply.reply?.destination == .relay(relay))
        #expect(reply.reply?.message.relayAgentAddress == relay)
        #expect(reply.arpEntry == nil, "the client is behind the relay")
        let foreign = responder.respond(to: message(.discover, mac: node5, giaddr: IPv4Address(192, 168, 1, 1)), now: Self.now)
        #expect(foreign.reply == nil && foreign.event?.outcome == .ignored(.foreignRelay(IPv4Address(192, 168, 1, 1))))
        let relayedNAK = responder.respond(to: message(.request, mac: node5, giaddr: relay, options: [(.requestedIPAddress, [10, 42, 0, 9])]), now: Self.now)
        let nak = try #require(relayedNAK.reply)
        #expect(nak.destination == .relay(relay) && nak.message.isBroadcast, "a relayed NAK sets the broadcast bit")
    }

    @Test func informGetsParametersWithoutALease() throws {
        var responder = try responder()
        let inform = message(.inform, mac: node5, ciaddr: IPv4Address(10, 42, 0, 5))
        let reply = try #require(responder.respond(to: inform, now: Self.now).reply)
        #expect(reply.message.options.messageType == .ack)
        #expect(reply.message.yourAddress == .any && reply.message.options[.ipAddressLeaseTime] == nil)
        #expect(reply.destination == .clientAddress(IPv4Address(10, 42, 0, 5)))
    }

    @Test func repliesFitTheClientsMaximumMessageSize() throws {
        var responder = try responder(map: "9 b8:27:eb:00:00:09 root=10.42.0.250:/\(String(repeating: "r", count: 250))\n")
        let discover = message(.discover, mac: MACAddress("b8:27:eb:00:00:09")!, options: [(.maximumMessageSize, [0x02, 0x40]), (.parameterRequestList, [1, 3, 17])])
        let reply = try #require(responder.respond(to: discover, now: Self.now).reply)
        #expect(reply.maximumMessageSize == 576)
        let encoded = try reply.message.encoded(maximumMessageSize: reply.maximumMessageSize)
        #expect(encoded.bytes.count + 28 <= 576)
    }

    /// Found with the `dhcp` fuzz target's MTU invariant (docs/fuzzing.md), from a hand-made
    /// input the fuzzer had not reached: option 57 of 65535 and an option 97 sent as several
    /// 255-byte pieces (concatenated, RFC 3396) that the reply echoes give a 2417-byte
    /// reply, which no 1500-byte Ethernet frame carries. The encoder's limit was the
    /// client's option 57 alone; the responder now caps it at the Ethernet MTU too.
    @Test func repliesFitTheEthernetMTUWhateverOption57Says() throws {
        var responder = try responder()
        let discover = message(.discover, mac: pi3B, options: [
            (.maximumMessageSize, [0xff, 0xff]), (.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)),
            (.clientMachineIdentifier, [0] + Array(repeating: 0x11, count: 2000)),
        ])
        let reply = try #require(responder.respond(to: discover, now: Self.now).reply)
        let encoded = try reply.message.encoded(maximumMessageSize: reply.maximumMessageSize)
        #expect(encoded.bytes.count + 28 <= 1500)
    }

    @Test func notRequestsAreIgnored() throws {
        var responder = try responder()
        var offer = message(.offer, mac: node5)
        #expect(responder.respond(to: offer, now: Self.now).reply == nil)
        offer.operation = .reply
        #expect(responder.respond(to: offer, now: Self.now).event == nil, "BOOTREPLY from another server")
    }

    // MARK: The pool

    @Test func poolClientsGetJournaledLeases() throws {
        let pool = LeasePool(first: IPv4Address(10, 42, 0, 100), last: IPv4Address(10, 42, 0, 101), reserved: [])
        var responder = try responder(map: "100 b8:27:eb:00:01:00\n", pool: pool)
        let offer = try #require(responder.respond(to: message(.discover, mac: stranger), now: Self.now).reply?.message)
        #expect(offer.yourAddress == IPv4Address(10, 42, 0, 101), ".100 belongs to a node")
        let request = message(.request, mac: stranger, options: [
            (.serverIdentifier, Self.hub.address.bytes), (.requestedIPAddress, offer.yourAddress.bytes), (.hostName, Array("Lab Laptop.local".utf8)),
        ])
        let response = responder.respond(to: request, now: Self.now)
        #expect(response.reply?.message.options.messageType == .ack)
        #expect(response.journal == .grant(Lease(mac: stranger, address: offer.yourAddress, expires: Self.now + 43200, hostname: "lab-laptop")))
        let other = MACAddress("02:00:00:00:00:98")!
        let none = responder.respond(to: message(.discover, mac: other), now: Self.now)
        #expect(none.reply == nil && none.event?.outcome == .ignored(.poolExhausted))
        let release = message(.release, mac: stranger, ciaddr: offer.yourAddress)
        #expect(responder.respond(to: release, now: Self.now).journal == .release(mac: stranger, address: offer.yourAddress))
    }

    @Test func aPiROMInThePoolIsBoundByItsOffer() throws {
        let pool = LeasePool(first: IPv4Address(10, 42, 0, 100), last: IPv4Address(10, 42, 0, 110), reserved: [])
        var responder = DHCPResponder(
            settings: DHCPResponderSettings(hub: Self.hub, domain: "cluster", leaseSeconds: 600),
            nodeMap: try NodeMap(parsing: "", fileName: "nodes", subnet: Self.hub.subnet), pool: pool)
        let response = responder.respond(to: try decodeFrame(ReconstructedFrames.pi3BROMDiscover), now: Self.now)
        guard case .grant(let lease)? = response.journal else {
            Issue.record("the ROM never REQUESTs: its OFFER must be journaled")
            return
        }
        #expect(lease.mac == pi3B && lease.address == response.reply?.message.yourAddress)
    }

    @Test func reloadingTheMapChangesAnswersWithoutRestart() throws {
        var responder = try responder()
        let newcomer = MACAddress("b8:27:eb:00:00:11")!
        #expect(responder.respond(to: message(.discover, mac: newcomer), now: Self.now).reply == nil)
        responder.replaceNodeMap(try NodeMap(parsing: "11 b8:27:eb:00:00:11\n", fileName: "nodes", subnet: Self.hub.subnet))
        #expect(responder.respond(to: message(.discover, mac: newcomer), now: Self.now).reply?.message.yourAddress == IPv4Address(10, 42, 0, 11))
    }

    @Test func otherPXEClientsGetTheBootFileForTheirArchitectureAndIPXEItsScript() throws {
        var responder = try responder(map: "20 52:54:00:00:00:20\n") {
            $0.bootFileByArchitecture = [0: "undionly.kpxe", 7: "ipxe.efi"]
            $0.iPXEBootFile = "boot.ipxe"
        }
        let mac = MACAddress("52:54:00:00:00:20")!
        let bios = message(.discover, mac: mac, options: [(.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.clientSystemArchitecture, [0, 0])])
        let biosOffer = try #require(responder.respond(to: bios, now: Self.now).reply?.message)
        #expect(String(decoding: biosOffer.bootFileName, as: UTF8.self) == "undionly.kpxe")
        #expect(biosOffer.options[.bootFileName] == Array("undionly.kpxe".utf8))
        #expect(biosOffer.options[.vendorSpecificInformation] == nil, "the Pi boot menu is for Pis only")
        let efi = message(.discover, mac: mac, xid: 2, options: [(.vendorClassIdentifier, Array("PXEClient:Arch:00007:UNDI:003016".utf8)), (.clientSystemArchitecture, [0, 7])])
        #expect(responder.respond(to: efi, now: Self.now).reply?.message.options[.bootFileName] == Array("ipxe.efi".utf8))
        let ipxe = message(.discover, mac: mac, xid: 3, options: [(.vendorClassIdentifier, Array("PXEClient:Arch:00000:UNDI:002001".utf8)), (.iPXEEncapsulated, [1, 1, 1])])
        let ipxeResponse = responder.respond(to: ipxe, now: Self.now)
        #expect(ipxeResponse.reply?.message.options[.bootFileName] == Array("boot.ipxe".utf8))
        #expect(ipxeResponse.event?.client == .iPXE)
        let unknownArchitecture = message(.discover, mac: mac, xid: 4, options: [(.vendorClassIdentifier, Array("PXEClient:Arch:00011".utf8)), (.clientSystemArchitecture, [0, 11])])
        #expect(responder.respond(to: unknownArchitecture, now: Self.now).reply?.message.options[.bootFileName] == nil)
    }

    @Test func hostnamesAreSanitisedToALabel() {
        #expect(DHCPResponder.sanitisedHostname("Lab_Laptop.example.org") == "lab-laptop")
        #expect(DHCPResponder.sanitisedHostname("--") == nil)
    }
}
