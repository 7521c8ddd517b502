import BrambleDHCP
import BrambleTestSupport
import Testing

@Suite struct RaspberryPiClientIdentityTests {
    private func options(guid: [UInt8]?, vendorClass: String? = nil, architectures: [UInt8]? = nil) -> DHCPOptions {
        var options = DHCPOptions()
        options[.clientMachineIdentifier] = guid
        if let vendorClass { options.set(.vendorClassIdentifier, text: vendorClass) }
        options[.clientSystemArchitecture] = architectures
        return options
    }

    /// cmprovision#5: a CM4 (MAC e4:5f:01:94:24:f8, board revision c03140) with the FourCC in
    /// reading order. The log cut the serial after its first byte; the rest is made up.
    @Test func cm4GUIDWithTextOrderFourCC() {
        let guid = hex("00 52 50 69 34 40 31 c0 00 01 94 24 f8 e7 12 34 56")
        let identity = RaspberryPiClientIdentity(options: options(guid: guid))
        guard case .bootloader(let parsed) = identity else {
            Issue.record("classified as \(identity)")
            return
        }
        #expect(parsed.fourCCOrder == .text)
        #expect(parsed.boardRevision.description == "CM4 4GB rev 1.0")
        #expect(parsed.macLowBytes == [0x01, 0x94, 0x24, 0xf8])
        #expect(parsed.serial.description == "563412e7")
    }

    /// piserver#125: a 3B+ (MAC b8:27:eb:5e:2a:2e) logged `00:2e:2a:5e:e7:2e:2a:5e:e7:2e...`.
    @Test func pi3BPlusGUIDFromPiserverLog() {
        let guid = hex("00") + Array(repeating: hex("2e 2a 5e e7"), count: 4).joined()
        let identity = RaspberryPiClientIdentity(options: options(guid: guid))
        #expect(identity == .serialGUID(RaspberryPiSerial(0xe75e_2a2e)))
        #expect(identity.serial?.description == "e75e2a2e")
    }

    @Test func serialKeepsLeadingZeros() {
        #expect(RaspberryPiSerial(0x0012_abcd).description == "0012abcd")
        #expect(RaspberryPiSerial(0).description == "00000000")
    }

    @Test(arguments: [
        hex("00") + Array(repeating: 0, count: 16),
        hex("00") + Array(repeating: 0xff, count: 16),
        hex("00 16 4c 6c b6 16 4c 6c b6 16 4c 6c b6 16 4c 6c b7"),
        hex("00 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44"),
        hex("01") + Array(repeating: 0x44, count: 16),
    ])
    func guidsThatAreNotAPi(guid: [UInt8]) {
        #expect(RaspberryPiClientIdentity(options: options(guid: guid)) == .nonPXE)
    }

    @Test func pxeClientWithoutAPiGUIDReportsItsArchitectures() {
        let pc = options(guid: hex("00 86 a9 f5 46 d3 1b 4b a2 9b bb 30 3b 61 bc f8 d1"),
                         vendorClass: "PXEClient:Arch:00007:UNDI:003016", architectures: [0x00, 0x07])
        #expect(RaspberryPiClientIdentity(options: pc) == .pxeClient(architectures: [7]))
        let noArchitecture = options(guid: nil, vendorClass: "PXEClient")
        #expect(RaspberryPiClientIdentity(options: noArchitecture) == .pxeClient(architectures: []))
        #expect(!RaspberryPiClientIdentity(options: noArchitecture).isRaspberryPi)
    }

    @Test func nonPXEClients() {
        #expect(RaspberryPiClientIdentity(options: DHCPOptions()) == .nonPXE)
        #expect(RaspberryPiClientIdentity(options: options(guid: nil, vendorClass: "dhcpcd-9.4.1:Linux")) == .nonPXE)
    }

    /// A Pi 4 REQUEST has no option 60 (rpi-eeprom#87): option 97 alone must be enough.
    @Test func piGUIDWinsWithoutVendorClass() {
        let guid = hex("00 34 69 50 52 15 31 c0 00 67 7c d4 67 a9 da 4f f3")
        let identity = RaspberryPiClientIdentity(options: options(guid: guid))
        #expect(identity.serial == RaspberryPiSerial(0xf34f_daa9))
    }
}
