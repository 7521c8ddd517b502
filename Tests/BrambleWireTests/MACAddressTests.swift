import BrambleWire
import PropertyBased
import Testing

@Suite struct MACAddressTests {
    @Test(arguments: ["b8:27:eb:12:34:56", "B8:27:EB:12:34:56", "b8-27-eb-12-34-56", "b8:27:EB:12:34:56"])
    func parsesCommonForms(text: String) throws {
        let mac = try MACAddress(parsing: text)
        #expect(mac.description == "b8:27:eb:12:34:56")
    }

    @Test func acceptsOneDigitOctets() throws {
        #expect(try MACAddress(parsing: "b8:27:eb:1:2:3").description == "b8:27:eb:01:02:03")
    }

    @Test(arguments: [
        ("b8:27:eb:12:34", MACAddressParseError.wrongOctetCount(5)),
        ("b8:27:eb:12:34:56:78", .wrongOctetCount(7)),
        ("b8:27:eb:12:34:zz", .badOctet("zz")),
        ("b8:27:eb:12:34:567", .badOctet("567")),
        ("b8:27:eb::34:56", .badOctet("")),
    ])
    func rejectsMalformed(text: String, error: MACAddressParseError) {
        #expect(throws: error) { try MACAddress(parsing: text) }
    }

    @Test func classifiesSpecialAddresses() throws {
        #expect(MACAddress.broadcast.isBroadcast && MACAddress.broadcast.isMulticast)
        #expect(try MACAddress(parsing: "01:00:5e:00:00:01").isMulticast)
        #expect(try MACAddress(parsing: "00:00:00:00:00:00").isZero)
        #expect(try MACAddress(parsing: "b8:27:eb:00:00:01").isAssignable)
    }

    @Test func textRoundTrips() async {
        await propertyCheck(input: Gen.uint8().array(of: 6)) { octets in
            let mac = MACAddress(bytes: octets)!
            #expect(MACAddress(mac.description) == mac)
            #expect(MACAddress(mac.formatted(separator: "-")) == mac)
            #expect(mac.bytes == octets)
        }
    }
}
