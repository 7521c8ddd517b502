import BrambleLab
import Foundation
import Testing

/// The simulated Pi (scripts/lib/fakepi.py) sends exactly the reconstructed DHCPDISCOVER
/// frames of Fixtures/frames/, byte for byte: the Pi 3B and 3B+ ROM, bootcode.bin, the Pi 4,
/// CM4 and Pi 5 bootloader and the Linux kernel's ip=dhcp. Needs python3, not root.
@Suite struct FakePiFrameTests {
    @Test("fakepi's DISCOVER frames equal the reconstructed fixtures", arguments: [
        ("rom", "3b", "b8:27:eb:9d:c1:5a", "00000000", "0", "pi3b-rom-discover"),
        ("rom", "3b+", "b8:27:eb:6c:4c:16", "b66c4c16", "0", "pi3bplus-rom-discover"),
        ("bootcode", "3b+", "b8:27:eb:6c:4c:16", "b66c4c16", "0", "bootcode-discover"),
        ("pi4", "4", "2c:cf:67:7c:d4:67", "f34fdaa9", "c3304c5b", "pi4-bootloader-discover"),
        ("kernel", "3b+", "b8:27:eb:6c:4c:16", "b66c4c16", "12345678", "linux-kernel-discover"),
        ("eeprom", "5b", "2c:cf:67:fe:01:02", "9ffefdef", "5a5a0001", "pi5-bootloader-discover"),
        ("eeprom", "cm4", "e4:5f:01:94:24:f8", "5d3c71e7", "7c1d3e01", "cm4-bootloader-discover"),
    ])
    func frame(kind: String, model: String, mac: String, serial: String, xid: String, fixture: String) throws {
        let script = ServerUnderTest.repository.appendingPathComponent("scripts/lib/fakepi.py").path
        let result = try NetworkLab.execute(
            ["python3", script, "--print-frame", kind, "--model", model, "--serial", serial, "--mac", mac, "--xid", xid], timeout: 20)
        #expect(result.status == 0, "\(result.output)")
        let dump = try String(contentsOf: ServerUnderTest.repository.appendingPathComponent("Fixtures/frames/\(fixture).hex"), encoding: .utf8)
        let expected = dump.split(separator: "\n").flatMap { $0.split(separator: " ").dropFirst() }.joined()
        #expect(!expected.isEmpty)
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }
}
