/// Whether a node is the rack's master (the one whose serial line reaches the BMC) or a slave.
public enum BMCRole: String, Hashable, Sendable, Codable {
    case master
    case slave
}

/// The power switch of a node's bay.
public enum BMCPowerState: String, Hashable, Sendable, Codable {
    case on
    case off
}

/// One reply to `=`: `   09 ff 1 1b 6c` is node 09, a slave (`ff`; `00` is the master),
/// powered (`1`), current 0x1b, fan 0x6c.
///
/// Current and fan stay raw: the article names the fields but the scale of neither (the
/// BitScope documentation it links defines them), so bramble reports the BMC's numbers as
/// they are, never a guessed milliampere or RPM value.
public struct BMCStatus: Hashable, Sendable, Codable {
    public let id: BMCID
    public let role: BMCRole
    public let power: BMCPowerState
    /// The current reading as the BMC reports it (raw units).
    public let currentRaw: UInt16
    /// The fan reading as the BMC reports it (raw units).
    public let fanRaw: UInt16

    public init(id: BMCID, role: BMCRole, power: BMCPowerState, currentRaw: UInt16, fanRaw: UInt16) {
        self.id = id
        self.role = role
        self.power = power
        self.currentRaw = currentRaw
        self.fanRaw = fanRaw
    }

    /// The line as the BMC prints it (three leading spaces, hexadecimal fields).
    public var line: String {
        "   \(id) \(role == .master ? "00" : "ff") \(power == .on ? "1" : "0") \(Self.hex(currentRaw)) \(Self.hex(fanRaw))"
    }

    /// A reading in hexadecimal as the BMC prints it: two digits at least (`1b`, `00`).
    public static func hex(_ reading: UInt16) -> String {
        reading <= 0xff ? BMCHex.byte(UInt8(reading)) : String(reading, radix: 16)
    }

    /// Parses the five fields of a status line; nil when the line is anything else.
    ///
    /// Tolerant where the article leaves room: any run of spaces or tabs between fields, an
    /// echoed `=` or a `> ` prompt before them, either case of hex digits, and readings of one
    /// to four digits. Strict where a wrong guess would mislead: exactly five fields, the
    /// role `00` or `ff`, the power `0` or `1`.
    init?(fields line: Substring) {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        while let first = fields.first, first == "=" || first == ">" { fields.removeFirst() }
        if let first = fields.first, first.count > 1, first.first == "=" || first.first == ">" {
            fields[0] = first.dropFirst()
        }
        guard fields.count == 5, let id = BMCID(hex: fields[0]) else { return nil }
        let role: BMCRole
        switch fields[1].lowercased() {
        case "00": role = .master
        case "ff": role = .slave
        default: return nil
        }
        let power: BMCPowerState
        switch fields[2] {
        case "0": power = .off
        case "1": power = .on
        default: return nil
        }
        guard let current = Self.reading(fields[3]), let fan = Self.reading(fields[4]) else { return nil }
        self.init(id: id, role: role, power: power, currentRaw: current, fanRaw: fan)
    }

    private static func reading(_ text: Substring) -> UInt16? {
        guard (1...4).contains(text.utf8.count), text.utf8.allSatisfy({ BMCReply.isHexDigit($0) }) else { return nil }
        return UInt16(text, radix: 16)
    }
}
