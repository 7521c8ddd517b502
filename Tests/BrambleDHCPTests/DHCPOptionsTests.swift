import BrambleDHCP
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct DHCPOptionsTests {
    @Test func settingKeepsPositionAndNilRemoves() {
        var options = DHCPOptions()
        options.messageType = .offer
        options.set(.subnetMask, address: IPv4Address(255, 255, 255, 0))
        options.set(.ipAddressLeaseTime, uint32: 43200)
        options.messageType = .ack
        #expect(options.map(\.code) == [.messageType, .subnetMask, .ipAddressLeaseTime])
        #expect(options[.messageType] == [5])
        #expect(options[.ipAddressLeaseTime] == hex("00 00 a8 c0"))
        options[.subnetMask] = nil
        #expect(options.map(\.code) == [.messageType, .ipAddressLeaseTime])
        #expect(options.count == 2 && !options.contains(.subnetMask))
    }

    @Test func appendConcatenatesLikeRFC3396() {
        var options = DHCPOptions([DHCPOption(.vendorClassIdentifier, Array("PXE".utf8)),
                                   DHCPOption(.hostName, []),
                                   DHCPOption(.vendorClassIdentifier, Array("Client".utf8))])
        #expect(options.vendorClassIdentifier == "PXEClient")
        options.append(.hostName, Array("node01".utf8))
        #expect(options.hostName == "node01")
        #expect(options.map(\.code) == [.vendorClassIdentifier, .hostName])
    }

    @Test func typedRequestFields() {
        var options = DHCPOptions()
        options.requestedIPAddress = IPv4Address(10, 42, 0, 7)
        options.serverIdentifier = IPv4Address(10, 42, 0, 250)
        options[.maximumMessageSize] = hex("05 dc")
        options[.clientIdentifier] = hex("01 b8 27 eb 01 02 03")
        options[.relayAgentInformation] = hex("01 04 65 74 68 30")
        options.set(.router, addresses: [IPv4Address(10, 42, 0, 250), IPv4Address(10, 42, 0, 251)])
        options.set(.tftpServerName, text: "10.42.0.250")
        #expect(options[.requestedIPAddress] == hex("0a 2a 00 07"))
        #expect(options.requestedIPAddress == IPv4Address(10, 42, 0, 7))
        #expect(options.serverIdentifier == IPv4Address(10, 42, 0, 250))
        #expect(options.maximumMessageSize == 1500)
        #expect(options.clientIdentifier == hex("01 b8 27 eb 01 02 03"))
        #expect(options.relayAgentInformation == hex("01 04 65 74 68 30"))
        #expect(options[.router] == hex("0a 2a 00 fa 0a 2a 00 fb"))
        #expect(options[.tftpServerName] == Array("10.42.0.250".utf8))
        #expect(!options.isFromIPXE)
        options[.iPXEEncapsulated] = hex("b1 01 01")
        #expect(options.isFromIPXE)
    }

    /// A garbled option reads like a missing one; the raw bytes stay available.
    @Test func malformedValuesReadAsNil() {
        let options = DHCPOptions([
            DHCPOption(.messageType, [9]), DHCPOption(.serverIdentifier, hex("0a 2a 00")),
            DHCPOption(.maximumMessageSize, hex("05")), DHCPOption(.clientSystemArchitecture, hex("00 00 07")),
            DHCPOption(.clientNetworkInterface, hex("01 02")), DHCPOption(.clientMachineIdentifier, []),
        ])
        #expect(options.messageType == nil && options.serverIdentifier == nil)
        #expect(options.maximumMessageSize == nil && options.clientSystemArchitectures == nil)
        #expect(options.clientNetworkInterface == nil && options.clientMachineIdentifier == nil)
        #expect(options[.messageType] == [9])
    }

    @Test func architecturesAreSixteenBitsEach() {
        let options = DHCPOptions([DHCPOption(.clientSystemArchitecture, hex("00 07 00 0b"))])
        #expect(options.clientSystemArchitectures == [7, 11])
    }

    @Test func codeNamesFollowDnsmasq() {
        #expect(DHCPOptionCode.clientMachineIdentifier.description == "97:client-machine-id")
        #expect(DHCPOptionCode(128).description == "128")
        #expect(DHCPMessageType.discover.description == "DHCPDISCOVER")
    }
}
