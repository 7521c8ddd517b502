/// Bytes from hex text such as `"45 00 01 5c"`. Test vectors only: malformed text traps.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// The IPv4 header of the Pi 3B ROM's DHCPDISCOVER (raspberrypi/firmware#862): TTL 128,
/// id 0, 0.0.0.0 to 255.255.255.255, total length 348, checksum 0x3992.
let pi3BROMIPv4Header = hex("45 00 01 5c 00 00 00 00 80 11 39 92 00 00 00 00 ff ff ff ff")
