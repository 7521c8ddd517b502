import BrambleWire

/// Names the maker of a MAC address when it is one of the Raspberry Pi OUIs, so `bramble nodes
/// list` can flag a node whose MAC was mistyped into another vendor's range.
///
/// The list is what the IEEE registry holds for Raspberry Pi Foundation (Pi 1-3) and
/// Raspberry Pi Trading Ltd (Pi 4 onwards, Pico W, CM4/5). It will go stale as new models
/// ship, so it only ever labels; nothing decides on it (piserver#76; docs/raspberry-pi-netboot.md).
public enum RaspberryPiVendor {
    public static let ouis: [(oui: (UInt8, UInt8, UInt8), label: String)] = [
        ((0xb8, 0x27, 0xeb), "Raspberry Pi (1-3)"),
        ((0xdc, 0xa6, 0x32), "Raspberry Pi (4)"),
        ((0xe4, 0x5f, 0x01), "Raspberry Pi (4)"),
        ((0x28, 0xcd, 0xc1), "Raspberry Pi Trading"),
        ((0x2c, 0xcf, 0x67), "Raspberry Pi Trading"),
        ((0xd8, 0x3a, 0xdd), "Raspberry Pi Trading"),
    ]

    /// The label for an OUI given as its first three octets, or nil when it is not a Pi's.
    public static func label(oui: (UInt8, UInt8, UInt8)) -> String? {
        ouis.first { $0.oui == oui }?.label
    }

    public static func label(for mac: MACAddress) -> String? { label(oui: mac.oui) }
}
