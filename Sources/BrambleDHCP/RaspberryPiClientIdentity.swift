/// What kind of client sent a request, told from options 97, 60 and 93, so the responder
/// can pick the Pi boot menu, the reply delay, the boot file and the serial directory.
///
/// Option 97 decides first, because it is the only option that tells Pi models apart and
/// the only one a Pi 4 REQUEST is sure to share with its DISCOVER (it sends no option 60
/// there: rpi-eeprom#87). MAC prefixes are not used: the lists go stale with every model
/// (piserver#76).
///
/// Option 97 layouts (type byte 0, then 16 bytes), with their sources:
/// - **Pi 3B boot ROM**: sixteen 0x44 bytes (boot-net.adoc: "DHCP UUID constant", fixed in
///   the 3B+; tcpdump there prints it as `0.68.68...`).
/// - **Serial repeated four times**, least significant byte first. boot-net.adoc says the
///   3B+ sets "the 32-bit serial number"; dnsmasq logs show the layout: a 3B+ with MAC
///   b8:27:eb:6c:4c:16 sent `00:16:4c:6c:b6:...` (firmware#1605) and one with MAC
///   b8:27:eb:5e:2a:2e sent `00:2e:2a:5e:e7:2e:2a:5e:e7:2e...` (piserver#125). The byte
///   order is confirmed by the Pi 1-3 rule that the MAC's low 3 bytes are the serial's low
///   3 bytes (piserver#74): serials b66c4c16 and e75e2a2e. Sent by the 3B+ ROM and by
///   bootcode.bin, and by Pi 4 EEPROMs before 2020-03 or set to `DHCP_OPTION97=0`
///   (rpi-eeprom#87: "option 97 UUID just repeat serial no 4 times"; bcm2711-bootloader.adoc).
/// - **Pi 4 bootloader GUID** (bcm2711-bootloader.adoc, `DHCP_OPTION97`): FourCC "RPi4",
///   board revision, low 4 bytes of the MAC, serial. Checked against two logs:
///   `00:34:69:50:52:15:31:c0:00:67:7c:d4:67:a9...` from a Pi 4B with board revision c03115,
///   MAC 2c:cf:67:7c:d4:67 and TFTP prefix f34fdaa9 (pi4-dnsmasq-field-log.txt, 37 boots),
///   and `00:52:50:69:34:40:31:c0:00:01:94:24:f8:e7...` from a CM4 (board revision c03140)
///   with MAC e4:5f:01:94:24:f8 (cmprovision#5). So the FourCC comes in both byte orders,
///   the board revision is little-endian in both, the MAC bytes are in wire order, and the
///   serial starts with its least significant byte (`a9` of f34fdaa9; the log truncates
///   after it, so its other three bytes are inferred from the documented "4-byte serial
///   number" and the little-endian order of every other field).
///
/// A Pi 4 configured with a custom `DHCP_OPTION97` prefix cannot be recognised by option
/// 97 and classifies as ``pxeClient(architectures:)``.
public enum RaspberryPiClientIdentity: Hashable, Sendable {
    /// Pi 3B boot ROM: no serial on the wire. It needs the padded boot menu string and may
    /// need a reply delay (firmware#934).
    case pi3BBootROM
    /// Pi 3B+ boot ROM or bootcode.bin (or an older Pi 4 EEPROM): the serial, repeated.
    case serialGUID(RaspberryPiSerial)
    /// Pi 4 family EEPROM bootloader (Pi 4, Pi 400, CM4).
    case pi4Bootloader(RaspberryPi4BootloaderGUID)
    /// Another PXE client (vendor class `PXEClient...`), with its option 93 architectures.
    case pxeClient(architectures: [UInt16])
    /// Not a PXE client: the kernel's `ip=dhcp`, dhclient, dhcpcd, NetworkManager ...
    case nonPXE

    static let pi3BConstantGUIDByte: UInt8 = 0x44
    static let pxeVendorClassPrefix = Array("PXEClient".utf8)

    public init(options: DHCPOptions) {
        if let identifier = options.clientMachineIdentifier, identifier.type == 0,
           identifier.identifier.count == 16, let pi = Self(guid: identifier.identifier[...]) {
            self = pi
        } else if let vendorClass = options[.vendorClassIdentifier],
                  vendorClass.starts(with: Self.pxeVendorClassPrefix) {
            self = .pxeClient(architectures: options.clientSystemArchitectures ?? [])
        } else {
            self = .nonPXE
        }
    }

    private init?(guid: ArraySlice<UInt8>) {
        if guid.allSatisfy({ $0 == Self.pi3BConstantGUIDByte }) {
            self = .pi3BBootROM
        } else if let bootloaderGUID = RaspberryPi4BootloaderGUID(guid: guid) {
            self = .pi4Bootloader(bootloaderGUID)
        } else if let serial = Self.repeatedSerial(guid) {
            self = .serialGUID(serial)
        } else {
            return nil
        }
    }

    /// The serial when the four 4-byte groups are equal. All-zero and all-ones GUIDs are
    /// what firmware without a real GUID sends, so they are not taken for a Pi.
    private static func repeatedSerial(_ guid: ArraySlice<UInt8>) -> RaspberryPiSerial? {
        let first = guid.prefix(4)
        guard guid.dropFirst(4).prefix(4).elementsEqual(first),
              guid.dropFirst(8).prefix(4).elementsEqual(first),
              guid.dropFirst(12).elementsEqual(first)
        else { return nil }
        let serial = RaspberryPiSerial(littleEndian: first)
        guard serial.value != 0, serial.value != .max else { return nil }
        return serial
    }

    public var isRaspberryPi: Bool {
        switch self {
        case .pi3BBootROM, .serialGUID, .pi4Bootloader: true
        case .pxeClient, .nonPXE: false
        }
    }

    /// The serial, whose hex form the firmware puts in front of TFTP paths.
    public var serial: RaspberryPiSerial? {
        switch self {
        case .serialGUID(let serial): serial
        case .pi4Bootloader(let guid): guid.serial
        case .pi3BBootROM, .pxeClient, .nonPXE: nil
        }
    }
}

/// The Pi 4 bootloader's default option 97 GUID: FourCC, board revision, MAC, serial.
public struct RaspberryPi4BootloaderGUID: Hashable, Sendable {
    /// Byte order of the FourCC on the wire; both occur (see ``RaspberryPiClientIdentity``).
    public enum FourCCOrder: Hashable, Sendable {
        /// `34 69 50 52`: the documented 0x34695052, little-endian (Pi 4B field log).
        case littleEndian
        /// `52 50 69 34`: "RPi4" in reading order (CM4 in cmprovision#5 and #16).
        case text
    }

    static let fourCCLittleEndian: [UInt8] = [0x34, 0x69, 0x50, 0x52]
    static let fourCCText: [UInt8] = [0x52, 0x50, 0x69, 0x34]

    public var fourCCOrder: FourCCOrder
    /// The revision code `cat /proc/cpuinfo` shows, e.g. 0xc03115 for a Pi 4B 4GB rev 1.5.
    public var boardRevision: UInt32
    /// The MAC address's last four bytes, in wire order.
    public var macLowBytes: [UInt8]
    public var serial: RaspberryPiSerial

    init?(guid: ArraySlice<UInt8>) {
        guard guid.count == 16 else { return nil }
        let fourCC = guid.prefix(4)
        if fourCC.elementsEqual(Self.fourCCLittleEndian) {
            fourCCOrder = .littleEndian
        } else if fourCC.elementsEqual(Self.fourCCText) {
            fourCCOrder = .text
        } else {
            return nil
        }
        let start = guid.startIndex
        boardRevision = littleEndianUInt32(guid[(start + 4)..<(start + 8)])
        macLowBytes = Array(guid[(start + 8)..<(start + 12)])
        serial = RaspberryPiSerial(littleEndian: guid[(start + 12)..<(start + 16)])
    }
}
