@testable import BrambleDHCP
import BrambleNodeMap
import BrambleTestSupport
import BrambleWire
import Testing

/// The model `bramble status`, `nodes list` and the boot log show, from option 97 as each
/// firmware sends it, through the responder that decodes it.
@Suite struct DHCPClientModelTests {
    static let hub = IPv4Interface("10.42.0.250/24")!
    let mac = MACAddress("2c:cf:67:fe:01:02")!

    func model(guid: [UInt8]?, vendorClass: Bool = true) throws -> DHCPClientModel? {
        let map = try NodeMap(parsing: "50 \(mac)\n", fileName: "nodes", subnet: Self.hub.subnet)
        var responder = DHCPResponder(settings: DHCPResponderSettings(hub: Self.hub, domain: "cluster", leaseSeconds: 3600), nodeMap: map, pool: nil)
        var options = DHCPOptions()
        options[.messageType] = [DHCPMessageType.discover.rawValue]
        if vendorClass { options[.vendorClassIdentifier] = Array("PXEClient:Arch:00000:UNDI:002001".utf8) }
        if let guid { options[.clientMachineIdentifier] = guid }
        let discover = DHCPMessage(operation: .request, transactionID: 7, clientMAC: mac, options: options)
        return try #require(responder.respond(to: discover, now: 1_800_000_000).event).model
    }

    /// The bootloader GUID (FourCC in either byte order, revision little-endian), one per
    /// family member: the revision code's type field names the board, its memory field the RAM.
    @Test(arguments: [
        ("00 52 50 69 35  70 41 d0 00  67 fe 01 02  ef fd fe 9f", "Pi 5B 8GB rev 1.0"),
        ("00 35 69 50 52  41 31 c0 00  67 fe 01 02  ef fd fe 9f", "CM4 4GB rev 1.1"),
        ("00 34 69 50 52  30 31 c0 00  67 fe 01 02  ef fd fe 9f", "Pi 400 4GB rev 1.0"),
        ("00 52 50 69 35  80 41 c0 00  67 fe 01 02  ef fd fe 9f", "CM5 4GB rev 1.0"),
        ("00 52 50 69 35  90 41 d0 00  67 fe 01 02  ef fd fe 9f", "Pi 500 8GB rev 1.0"),
    ])
    func bootloaderBoards(guid: String, name: String) throws {
        #expect(try model(guid: hex(guid)) == DHCPClientModel(name: name, isDefinite: true))
    }

    /// A board type no table knows yet, an old-style code, and a FourCC of a next
    /// generation: shown as what they are, never a crash.
    @Test(arguments: [
        ("00 52 50 69 35  f0 4f d0 00  67 fe 01 02  ef fd fe 9f", "RPi5 unknown board (revision 0x00d04ff0)"),
        ("00 52 50 69 34  0e 00 00 00  67 fe 01 02  ef fd fe 9f", "RPi4 unknown board (revision 0x0000000e)"),
        ("00 52 50 69 36  70 41 d0 00  67 fe 01 02  ef fd fe 9f", "Pi 5B 8GB rev 1.0"),
    ])
    func unknownRevisionsAndGenerations(guid: String, name: String) throws {
        #expect(try model(guid: hex(guid))?.name == name)
    }

    /// Option 97 in no Pi layout from a PXE client: an unknown FourCC, a wrong type byte, a
    /// short value. The model says so, with the bytes.
    @Test(arguments: [
        ("00 58 59 5a 35  70 41 d0 00  67 fe 01 02  ef fd fe 9f", "unknown board (option 97 GUID 58595a35...)"),
        ("01 52 50 69 35  70 41 d0 00  67 fe 01 02  ef fd fe 9f", "unknown board (option 97 type 1, 17 bytes)"),
        ("00 52 50 69", "unknown board (option 97 type 0, 4 bytes)"),
        ("", "unknown board (option 97 empty)"),
    ])
    func optionsInNoPiLayout(guid: String, name: String) throws {
        #expect(try model(guid: hex(guid)) == DHCPClientModel(name: name, isDefinite: true))
    }

    /// The 3B ROM's constant is definite; the repeated serial (3B+ ROM, bootcode.bin on any
    /// Pi 2/3) is a guess; the kernel's DHCP and a PXE client without option 97 name none.
    @Test func romsAndClientsThatNameNoBoard() throws {
        #expect(try model(guid: [0] + Array(repeating: 0x44, count: 16)) == DHCPClientModel(name: "Pi 3B", isDefinite: true))
        let serial = hex("2e 2a 5e e7")
        #expect(try model(guid: [0] + serial + serial + serial + serial) == DHCPClientModel(name: "Pi 3B+ or bootcode.bin", isDefinite: false))
        #expect(try model(guid: nil, vendorClass: false) == nil)
        #expect(try model(guid: nil) == nil)
    }
}
