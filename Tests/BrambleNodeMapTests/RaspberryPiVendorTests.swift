import BrambleNodeMap
import BrambleWire
import Testing

@Suite struct RaspberryPiVendorTests {
    @Test func labelsPiOUIsOnly() throws {
        #expect(RaspberryPiVendor.label(for: try MACAddress(parsing: "b8:27:eb:00:00:01")) == "Raspberry Pi (1-3)")
        #expect(RaspberryPiVendor.label(for: try MACAddress(parsing: "dc:a6:32:00:00:01")) == "Raspberry Pi (4)")
        #expect(RaspberryPiVendor.label(for: try MACAddress(parsing: "f0:9f:c2:00:00:01")) == nil)
    }
}
