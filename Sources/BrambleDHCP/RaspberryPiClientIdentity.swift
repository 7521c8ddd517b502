/// What kind of client sent a request, told from options 97, 60 and 93, so the responder
/// can pick the Pi boot menu, the reply delay, the boot file and the serial directory.
///
/// Option 97 decides first, because it is the only option that tells Pi models apart and
/// the only one a Pi 4 REQUEST is sure to share with its DISCOVER (it sends no option 60
/// there: rpi-eeprom#87). MAC prefixes are not used: the lists go stale with every model
/// (piserver#76).
///
/// The option 97 layouts are decoded by ``RaspberryPiOption97`` (docs/raspberry-pi-netboot.md). The vendor class alone
/// never makes a Pi: `PXEClient:Arch:00000:UNDI:002001` is also what an x86 BIOS PXE ROM
/// sends (rpi-eeprom#182, firmware#1928), and the Pi boot menu in option 43 would make
/// such a PC boot locally.
///
/// A Pi 4 configured with a custom `DHCP_OPTION97` prefix cannot be recognised by option
/// 97 and classifies as ``pxeClient(architectures:)``.
public enum RaspberryPiClientIdentity: Hashable, Sendable {
    /// Pi 3B boot ROM: no serial on the wire. It needs the padded boot menu string and may
    /// need a reply delay (firmware#934).
    case pi3BBootROM
    /// Pi 3B+ boot ROM or bootcode.bin (or an older Pi 4 EEPROM): the serial, repeated.
    case serialGUID(RaspberryPiSerial)
    /// EEPROM bootloader with an `RPiN` GUID: Pi 4 family (Pi 4, Pi 400, CM4) or Pi 5
    /// family (Pi 5, Pi 500, CM5).
    case bootloader(RaspberryPiBootloaderGUID)
    /// Another PXE client (vendor class `PXEClient...`), with its option 93 architectures.
    case pxeClient(architectures: [UInt16])
    /// Not a PXE client: the kernel's `ip=dhcp`, dhclient, dhcpcd, NetworkManager ...
    case nonPXE

    static let pxeVendorClassPrefix = Array("PXEClient".utf8)

    public init(options: DHCPOptions) {
        let option97 = options[.clientMachineIdentifier].map(RaspberryPiOption97.init)
        switch option97 {
        case .pi3BConstant?:
            self = .pi3BBootROM
        case .repeatedSerial(let serial)?:
            self = .serialGUID(serial)
        case .bootloaderGUID(let guid)?:
            self = .bootloader(guid)
        case .otherGUID?, .unexpectedLayout?, nil:
            if let vendorClass = options[.vendorClassIdentifier], vendorClass.starts(with: Self.pxeVendorClassPrefix) {
                self = .pxeClient(architectures: options.clientSystemArchitectures ?? [])
            } else {
                self = .nonPXE
            }
        }
    }

    public var isRaspberryPi: Bool {
        switch self {
        case .pi3BBootROM, .serialGUID, .bootloader: true
        case .pxeClient, .nonPXE: false
        }
    }

    /// The serial, whose hex form the firmware puts in front of TFTP paths.
    public var serial: RaspberryPiSerial? {
        switch self {
        case .serialGUID(let serial): serial
        case .bootloader(let guid): guid.serial
        case .pi3BBootROM, .pxeClient, .nonPXE: nil
        }
    }

    /// The board revision a bootloader GUID carries; the ROMs send none.
    public var boardRevision: RaspberryPiBoardRevision? {
        if case .bootloader(let guid) = self { return guid.boardRevision }
        return nil
    }
}
