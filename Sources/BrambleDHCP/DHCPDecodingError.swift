/// Why bytes are not a DHCP message. The descriptions go to the log beside the sender's
/// MAC address, so they name the field and the numbers that were wrong.
public enum DHCPDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the fixed BOOTP header plus the magic cookie.
    case truncated(length: Int)
    case unknownOperation(UInt8)
    case hardwareAddressTooLong(length: UInt8)
    /// A plain BOOTP message (or not BOOTP at all): no DHCP magic cookie.
    case badMagicCookie(found: UInt32)
    case optionOverrun(code: DHCPOptionCode, area: DHCPOptionArea)
    case missingEndOption
    case invalidOptionOverload(value: [UInt8])

    public var description: String {
        switch self {
        case .truncated(let length):
            "DHCP message of \(length) bytes is shorter than the 240-byte BOOTP header and magic cookie"
        case .unknownOperation(let op):
            "BOOTP op \(op) is neither 1 (request) nor 2 (reply)"
        case .hardwareAddressTooLong(let length):
            "hardware address length \(length) exceeds the 16-byte chaddr field"
        case .badMagicCookie(let found):
            "magic cookie 0x\(hex32(found)) is not DHCP's 0x63825363"
        case .optionOverrun(let code, let area):
            "option \(code) runs past the end of the \(area)"
        case .missingEndOption:
            "options field has no end option (255)"
        case .invalidOptionOverload(let value):
            "option overload (52) value \(value) is not one byte of 1, 2 or 3"
        }
    }
}

/// Why a message cannot be encoded.
public enum DHCPEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case hardwareAddressTooLong(length: Int)
    case serverNameTooLong(length: Int)
    case bootFileNameTooLong(length: Int)
    /// Even with every droppable option dropped and the `file` and `sname` fields used for
    /// options where free, the mandatory options exceed the size limit.
    case optionsDoNotFit(maximumMessageSize: Int)

    public var description: String {
        switch self {
        case .hardwareAddressTooLong(let length):
            "hardware address of \(length) bytes exceeds the 16-byte chaddr field"
        case .serverNameTooLong(let length):
            "server name of \(length) bytes exceeds the 64-byte sname field"
        case .bootFileNameTooLong(let length):
            "boot file name of \(length) bytes exceeds the 128-byte file field"
        case .optionsDoNotFit(let maximumMessageSize):
            "mandatory options do not fit a \(maximumMessageSize)-byte DHCP message"
        }
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = Array("0123456789abcdef")
    return String((0..<8).reversed().map { digits[Int(value >> (UInt32($0) * 4) & 0xf)] })
}
