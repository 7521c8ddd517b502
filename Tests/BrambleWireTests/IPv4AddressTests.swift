import BrambleWire
import PropertyBased
import Testing

@Suite struct IPv4AddressTests {
    @Test(arguments: ["10.42.0.250", "0.0.0.0", "255.255.255.255"])
    func parsesDottedQuads(text: String) {
        #expect(IPv4Address(text)?.description == text)
    }

    @Test(arguments: ["10.42.0", "10.42.0.256", "10.42.0.01", "10.42.0.-1", "10.42..1", " 10.42.0.1", "a.b.c.d", "10.42.0.1.5"])
    func rejectsMalformed(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func textRoundTrips() async {
        await propertyCheck(input: Gen.uint32()) { value in
            #expect(IPv4Address(IPv4Address(value).description)?.value == value)
        }
    }

    @Test func subnetArithmetic() throws {
        let hub = try #require(IPv4Interface("10.42.0.250/24"))
        let subnet = hub.subnet
        #expect(subnet.base == IPv4Address(10, 42, 0, 0))
        #expect(subnet.broadcast == IPv4Address(10, 42, 0, 255))
        #expect(subnet.mask == IPv4Address(255, 255, 255, 0))
        #expect(subnet.maxHostNumber == 254)
        #expect(subnet.host(37) == IPv4Address(10, 42, 0, 37))
        #expect(subnet.host(0) == nil && subnet.host(255) == nil)
        #expect(subnet.hostNumber(of: IPv4Address(10, 42, 0, 201)) == 201)
        #expect(subnet.hostNumber(of: IPv4Address(10, 42, 1, 1)) == nil)
        let small = try #require(IPv4Interface("10.42.0.62/26")).subnet
        #expect(small.maxHostNumber == 62 && small.host(63) == nil)
    }

    @Test(arguments: ["10.42.0.250", "10.42.0.250/33", "10.42.0.250/", "10.42.0.250/2x", "/24"])
    func rejectsBadInterfaces(text: String) {
        #expect(IPv4Interface(text) == nil)
    }
}
