/// What kind of DHCP client a request came from, as the boot log and the options care.
public enum DHCPClientKind: Hashable, Sendable, CustomStringConvertible {
    case pi3BBootROM
    /// Pi 3B+ ROM or bootcode.bin (the serial, repeated, in option 97).
    case piSerialROM
    /// The Pi 4/5 EEPROM bootloader, with the character after `RPi` in its option 97 FourCC.
    case piBootloader(generation: Character)
    /// A PXE ROM that is not a Pi's, with its option 93 architecture.
    case pxe(architecture: UInt16?)
    /// iPXE, already loaded (option 175).
    case iPXE
    /// The kernel's ip=dhcp, dhclient, dhcpcd, udhcpc, NetworkManager ...
    case plain

    public var description: String {
        switch self {
        case .pi3BBootROM: "Pi 3B ROM"
        case .piSerialROM: "Pi ROM/bootcode"
        case .piBootloader(let generation): "Pi \(generation) bootloader"
        case .pxe(let architecture): architecture.map { "PXE arch \($0)" } ?? "PXE"
        case .iPXE: "iPXE"
        case .plain: "DHCP client"
        }
    }

    public var isRaspberryPiFirmware: Bool {
        switch self {
        case .pi3BBootROM, .piSerialROM, .piBootloader: true
        case .pxe, .iPXE, .plain: false
        }
    }

    public var isPXE: Bool {
        switch self {
        case .plain: false
        default: true
        }
    }
}
