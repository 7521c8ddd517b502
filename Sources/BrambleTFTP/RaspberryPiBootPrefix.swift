import BrambleWire

/// The directory prefix the Pi firmware puts before every file name it asks for: its serial
/// number (`9ffefdef/start4.elf`, the default) or, with the Pi 4 `TFTP_PREFIX=2` setting,
/// its MAC address written with dashes (`dc-a6-32-01-36-c2/start4.elf`).
///
/// Matched exactly as the firmware writes them, lowercase: the tree is case-sensitive and
/// an uppercase directory is the operator's own name, not a prefix.
public enum RaspberryPiBootPrefix: Hashable, Sendable, CustomStringConvertible {
    case serial(String)
    case mac(MACAddress)

    public init?(_ component: Substring) {
        let utf8 = component.utf8
        if utf8.count == 8, utf8.allSatisfy(Self.isLowercaseHexDigit) {
            self = .serial(String(component))
            return
        }
        let isMACStyle = utf8.count == 17 && utf8.enumerated().allSatisfy { index, byte in
            index % 3 == 2 ? byte == UInt8(ascii: "-") : Self.isLowercaseHexDigit(byte)
        }
        guard isMACStyle, let mac = MACAddress(String(component)) else { return nil }
        self = .mac(mac)
    }

    public var description: String {
        switch self {
        case .serial(let serial): serial
        case .mac(let mac): mac.formatted(separator: "-")
        }
    }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
