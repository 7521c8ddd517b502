/// A Raspberry Pi board revision code, as the Pi 4/5 bootloader sends it in option 97 and
/// `/proc/cpuinfo` shows it (`Revision : d04170`), decoded into model, memory and revision.
///
/// New-style codes pack fields into the bits `NOQuuuWuFMMMCCCCPPPPTTTTTTTTRRRR`
/// (raspberrypi/documentation, `documentation/asciidoc/computers/raspberry-pi/revision-codes.adoc`;
/// docs/raspberry-pi-netboot.md): F (bit 23) marks a new-style code, MMM the memory,
/// CCCC the manufacturer, PPPP the processor, TTTTTTTT the board type and RRRR the board
/// revision (1.RRRR). Raspberry Pi advises deciding by the type field, never by a list of
/// whole codes, so a new revision of a known board is named without a code change here.
///
/// Total: every 32-bit value describes itself; what is not a known new-style type is
/// "unknown board (revision 0x...)".
public struct RaspberryPiBoardRevision: Hashable, Sendable, CustomStringConvertible {
    public let code: UInt32

    public init(_ code: UInt32) { self.code = code }

    /// Bit 23: without it the code is one of the sequential old-style codes (Pi 1 era).
    public var isNewStyle: Bool { code & (1 << 23) != 0 }

    /// Bits 4-11.
    public var boardType: UInt8 { UInt8(truncatingIfNeeded: code >> 4) }

    /// Bits 0-3: the minor number of "rev 1.x".
    public var boardRevision: UInt8 { UInt8(truncatingIfNeeded: code & 0xf) }

    /// Bits 20-22: 256 MB shifted left by the field, or nil for 7 ("Other").
    public var memoryMegabytes: Int? {
        let field = Int((code >> 20) & 0x7)
        return field == 7 ? nil : 256 << field
    }

    /// Bits 16-19, by the documented table.
    public var manufacturer: String? {
        switch (code >> 16) & 0xf {
        case 0: "Sony UK"
        case 1: "Egoman"
        case 2, 4: "Embest"
        case 3: "Sony Japan"
        case 5: "Stadium"
        default: nil
        }
    }

    /// The model name for the board type, when the code is new-style and the type known.
    public var model: String? {
        guard isNewStyle else { return nil }
        return Self.modelNames[boardType]
    }

    /// The documented board types. 0x19 covers the 500 and the 500+ alike.
    static let modelNames: [UInt8: String] = [
        0x00: "Pi A", 0x01: "Pi B", 0x02: "Pi A+", 0x03: "Pi B+", 0x04: "Pi 2B", 0x06: "CM1",
        0x08: "Pi 3B", 0x09: "Pi Zero", 0x0a: "CM3", 0x0c: "Pi Zero W", 0x0d: "Pi 3B+", 0x0e: "Pi 3A+",
        0x10: "CM3+", 0x11: "Pi 4B", 0x12: "Pi Zero 2 W", 0x13: "Pi 400", 0x14: "CM4", 0x15: "CM4S",
        0x17: "Pi 5B", 0x18: "CM5", 0x19: "Pi 500", 0x1a: "CM5 Lite", 0x1b: "CM0",
    ]

    /// e.g. "Pi 5B 8GB rev 1.0", "CM4 4GB rev 1.1", "unknown board (revision 0x00123456)".
    public var description: String {
        guard let model else { return "unknown board (revision 0x\(hex32(code)))" }
        let memory = memoryMegabytes.map { $0 >= 1024 ? " \($0 / 1024)GB" : " \($0)MB" } ?? ""
        return "\(model)\(memory) rev 1.\(boardRevision)"
    }
}
