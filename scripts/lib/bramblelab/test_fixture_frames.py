"""The frames bramblelab builds equal Fixtures/frames/ byte for byte, and fakepi.py prints
the same ones (`--print-frame`). Run by FakePiFrameTests (so by `swift test` and
scripts/test) as

    python3 -m unittest discover -s scripts/lib -t scripts/lib -p 'test_*.py'

Every file in Fixtures/frames/ must be built here: a new fixture without a builder fails.
"""
import os
import subprocess
import sys
import unittest

from . import dhcp, frames

LIB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(LIB)), "Fixtures", "frames")

# fixture: (fakepi --print-frame, --model, MAC, serial, xid, the builder)
CASES = {
    "pi3b-rom-discover": ("rom", "3b", "b8:27:eb:9d:c1:5a", "00000000", "0",
                          lambda mac, serial, xid: dhcp.rom_discover(mac, dhcp.rom_guid())),
    "pi3bplus-rom-discover": ("rom", "3b+", "b8:27:eb:6c:4c:16", "b66c4c16", "0",
                              lambda mac, serial, xid: dhcp.rom_discover(mac, dhcp.serial_guid(serial))),
    "bootcode-discover": ("bootcode", "3b+", "b8:27:eb:6c:4c:16", "b66c4c16", "0",
                          lambda mac, serial, xid: dhcp.rom_discover(mac, dhcp.serial_guid(serial), bootcode=True)),
    "pi4-bootloader-discover": ("pi4", "4", "2c:cf:67:7c:d4:67", "f34fdaa9", "c3304c5b",
                                lambda mac, serial, xid: dhcp.eeprom_discover(mac, xid, dhcp.EEPROM_BOARDS["4"], serial)),
    "linux-kernel-discover": ("kernel", "3b+", "b8:27:eb:6c:4c:16", "b66c4c16", "12345678",
                              lambda mac, serial, xid: dhcp.kernel_message(mac, xid, 0)),
    "pi5-bootloader-discover": ("eeprom", "5b", "2c:cf:67:fe:01:02", "9ffefdef", "5a5a0001",
                                lambda mac, serial, xid: dhcp.eeprom_discover(mac, xid, dhcp.EEPROM_BOARDS["5b"], serial)),
    "cm4-bootloader-discover": ("eeprom", "cm4", "e4:5f:01:94:24:f8", "5d3c71e7", "7c1d3e01",
                                lambda mac, serial, xid: dhcp.eeprom_discover(mac, xid, dhcp.EEPROM_BOARDS["cm4"], serial)),
}


def fixture(name):
    return frames.read_hexdump(os.path.join(FIXTURES, name + ".hex"))


class FixtureFrameTests(unittest.TestCase):
    def assertSameBytes(self, built, expected, what):
        """Equal, or a failure naming the first differing offset."""
        if built == expected:
            return
        first = next((i for i, (a, b) in enumerate(zip(built, expected)) if a != b), min(len(built), len(expected)))
        self.fail("%s: %d bytes built, %d in the fixture; first difference at offset 0x%04x (built %s, fixture %s)"
                  % (what, len(built), len(expected), first, built[first:first + 8].hex(), expected[first:first + 8].hex()))

    def test_every_fixture_has_a_builder(self):
        names = sorted(f[:-4] for f in os.listdir(FIXTURES) if f.endswith(".hex"))
        self.assertEqual(names, sorted(CASES))

    def test_the_package_builds_each_fixture(self):
        for name, (_, _, mac, serial, xid, build) in CASES.items():
            with self.subTest(fixture=name):
                expected = fixture(name)
                self.assertGreater(len(expected), 42 + 240)
                self.assertSameBytes(build(frames.mac_bytes(mac), serial, int(xid, 16)), expected, name)

    def test_fakepi_prints_each_fixture(self):
        script = os.path.join(LIB, "fakepi.py")
        for name, (kind, model, mac, serial, xid, _) in CASES.items():
            with self.subTest(fixture=name):
                result = subprocess.run([sys.executable, script, "--print-frame", kind, "--model", model, "--serial", serial,
                                         "--mac", mac, "--xid", xid], capture_output=True, text=True, timeout=20, cwd="/")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertSameBytes(bytes.fromhex(result.stdout.strip()), fixture(name), "fakepi.py --print-frame %s --model %s" % (kind, model))

    def test_the_ip_header_checksum_verifies(self):
        """RFC 1071: the checksum over a header holding its own checksum is 0."""
        for name in CASES:
            with self.subTest(fixture=name):
                self.assertEqual(frames.checksum(fixture(name)[14:34]), 0)

    def test_a_built_frame_parses_back(self):
        frame = dhcp.kernel_message(frames.mac_bytes("b8:27:eb:6c:4c:16"), 0x12345678, 0)
        udp = frames.parse_udp(frame)
        self.assertEqual((udp.source, udp.destination, udp.source_port, udp.destination_port),
                         ("0.0.0.0", "255.255.255.255", 68, 67))
        self.assertEqual(udp.source_mac, frames.mac_bytes("b8:27:eb:6c:4c:16"))
        self.assertEqual(dhcp.parse_options(udp.payload), [(53, b"\x01"), (55, bytes(dhcp.KERNEL_PARAMETERS))])
        reply = bytearray(udp.payload)
        reply[0] = 2
        parsed = dhcp.parse_reply(bytes(reply))
        self.assertEqual((parsed.type, parsed.xid), (dhcp.DISCOVER, 0x12345678))
        self.assertIsNone(dhcp.parse_reply(bytes(reply[:250]) + b"\x0c\x20abc"))


if __name__ == "__main__":
    unittest.main()
