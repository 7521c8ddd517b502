import BrambleTestSupport

/// The IPv4 header of the Pi 3B ROM's DHCPDISCOVER (raspberrypi/firmware#862): TTL 128,
/// id 0, 0.0.0.0 to 255.255.255.255, total length 348, checksum 0x3992.
let pi3BROMIPv4Header = hex("45 00 01 5c 00 00 00 00 80 11 39 92 00 00 00 00 ff ff ff ff")
