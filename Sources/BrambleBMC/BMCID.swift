/// A node's address on the Edge Rack's BMC bus: one byte, written as two hexadecimal digits.
///
/// Hexadecimal, not decimal, because the BMC itself prints every field of its status reply as
/// hexadecimal bytes (`09 ff 1 1b 6c`: slave marker `ff`, current `1b`, fan `6c`), the node's
/// ID among them, and the select command takes the ID in the same two-digit form (`[09]|`;
/// geekdojo, "Assembling BitScope's 24-Node Raspberry Pi Cluster",
/// https://geekdojo.com/inspiration/reviews/bitscope-edgerack/index.html). Bay 10 is therefore `0a`.
public struct BMCID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt8

    public init(_ value: UInt8) { self.value = value }

    /// The ID for a bay number when the node map names no `bmc=`; nil beyond one byte.
    public init?(bay: Int) {
        guard let value = UInt8(exactly: bay) else { return nil }
        self.value = value
    }

    /// One or two hexadecimal digits, either case (`9`, `09`, `0A`).
    public init?(hex text: some StringProtocol) {
        guard (1...2).contains(text.utf8.count), text.utf8.allSatisfy(BMCReply.isHexDigit), let value = UInt8(text, radix: 16) else { return nil }
        self.value = value
    }

    /// Two lower-case hexadecimal digits, as the BMC prints them.
    public var description: String { BMCHex.byte(value) }

    public static func < (lhs: BMCID, rhs: BMCID) -> Bool { lhs.value < rhs.value }
}

/// In JSON as the BMC writes it, `"0a"`, so a reader of `bramble bmc status --json` sees the
/// same ID as on the serial console.
extension BMCID: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = BMCID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a BMC ID (two hexadecimal digits)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Lower-case hexadecimal for the BMC's fields.
enum BMCHex {
    static let digits = Array("0123456789abcdef")

    static func byte(_ value: UInt8) -> String {
        String([digits[Int(value >> 4)], digits[Int(value & 0x0f)]])
    }
}
