import BrambleDHCP
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct RaspberryPiBootMenuTests {
    /// fixtures.md F2: dnsmasq's option 43 for `pxe-service=0,"Raspberry Pi Boot"`.
    static let dnsmasqOption = hex("""
        2b 20 06 01 03 0a 04 00 50 58 45 09 14 00 00 11 52 61 73 70 62 65 72 72 79 20 50 69 20 42 6f 6f 74 ff
        """)
    /// fixtures.md F2b: the same with three trailing spaces, for the 3B ROM.
    static let paddedOption = hex("""
        2b 23 06 01 03 0a 04 00 50 58 45 09 17 00 00 14 52 61 73 70 62 65 72 72 79 20 50 69 20 42 6f 6f 74 20 20 20 ff
        """)

    @Test func unpaddedMenuIsDnsmasqsBytes() {
        let value = RaspberryPiBootMenu.unpadded.vendorSpecificInformation
        #expect(value.count == 32)
        #expect([0x2b, UInt8(value.count)] + value == Self.dnsmasqOption)
    }

    @Test func paddedMenuAddsThreeSpacesAndAdjustsLengths() {
        let value = RaspberryPiBootMenu.padded.vendorSpecificInformation
        #expect(value.count == 35)
        #expect([0x2b, UInt8(value.count)] + value == Self.paddedOption)
    }

    @Test func menuInAnEncodedMessageIsOneOption43() throws {
        var options = DHCPOptions()
        options.messageType = .offer
        options[.vendorSpecificInformation] = RaspberryPiBootMenu.padded.vendorSpecificInformation
        let message = DHCPMessage(operation: .reply, transactionID: 1, clientMAC: .broadcast, options: options)
        let bytes = try message.encoded().bytes
        #expect(bytes[243...].starts(with: Self.paddedOption))
    }

    @Test func customText() throws {
        let menu = try RaspberryPiBootMenu(text: "Cluster Boot")
        #expect(menu.vendorSpecificInformation == hex("06 01 03 0a 04 00 50 58 45 09 0f 00 00 0c") + Array("Cluster Boot".utf8) + [0xff])
        let longest = try RaspberryPiBootMenu(text: String(repeating: "x", count: 252))
        #expect(longest.vendorSpecificInformation[10] == 255)
    }

    @Test func textTooLongForOption43() {
        #expect(throws: RaspberryPiBootMenuError.textTooLong(length: 253)) {
            try RaspberryPiBootMenu(text: String(repeating: "x", count: 253))
        }
    }
}
