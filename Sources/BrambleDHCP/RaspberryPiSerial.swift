/// A Raspberry Pi's 32-bit serial number, as the boot firmware reports it in option 97.
///
/// Its text form is the firmware's TFTP directory prefix: 8 lowercase hex digits with
/// leading zeros (`f34fdaa9/start4.elf` in the Pi 4 field log; "serial: 8 lowercase hex
/// digits" in boot-net.adoc for bootcode.bin).
public struct RaspberryPiSerial: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Reads the serial from option 97, where every Pi firmware writes it least significant
    /// byte first (see ``RaspberryPiClientIdentity`` for the evidence).
    init(littleEndian bytes: ArraySlice<UInt8>) {
        value = littleEndianUInt32(bytes)
    }

    /// The TFTP prefix directory name, e.g. `f34fdaa9`.
    public var description: String { hex32(value) }
}

/// Four bytes, least significant first: how the Pi firmware writes every number in option 97.
func littleEndianUInt32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
}
