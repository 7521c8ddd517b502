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
        self.init(options: options, option97: options[.clientMachineIdentifier].map(RaspberryPiOption97.init))
    }

    /// With option 97 already decoded (`options`' own), so a request's GUID is read once.
    init(options: DHCPOptions, option97: RaspberryPiOption97?) {
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

/// Option 97 (client machine identifier, RFC 4578) decoded in every layout a Raspberry Pi
/// firmware sends, and typed for what no Pi sends, so logs can show any value as it is.
///
/// Layouts (type byte 0, then 16 bytes; docs/raspberry-pi-netboot.md has the sources):
/// - **Pi 3B boot ROM**: sixteen 0x44 bytes (raspberrypi/documentation `boot-net.adoc`:
///   "DHCP UUID constant", fixed in the 3B+).
/// - **Serial repeated four times**, least significant byte first: the 3B+ ROM,
///   bootcode.bin, and Pi 4 EEPROMs before 2020-03 or set to `DHCP_OPTION97=0`
///   (rpi-eeprom#87; piserver#125's `00:2e:2a:5e:e7:2e:2a:5e:e7...` from MAC b8:27:eb:5e:2a:2e).
/// - **Bootloader GUID** (`eeprom-bootloader.adoc`, `DHCP_OPTION97`): FourCC `RPi4` on the
///   Pi 4 family, `RPi5` on the Pi 5 family (raspberrypi/documentation#3586), in either
///   byte order; then the board revision, the MAC's low 4 bytes and the serial.
public enum RaspberryPiOption97: Hashable, Sendable, CustomStringConvertible {
    case pi3BConstant
    case repeatedSerial(RaspberryPiSerial)
    case bootloaderGUID(RaspberryPiBootloaderGUID)
    /// A 16-byte type-0 GUID in no Pi layout (a PC's SMBIOS UUID, a Pi 4 with a custom
    /// `DHCP_OPTION97`, an unknown FourCC): its first four bytes, to show.
    case otherGUID(leadingBytes: [UInt8])
    /// Not type 0 with 16 bytes, which RFC 4578 section 2.3 requires.
    case unexpectedLayout(type: UInt8?, length: Int)

    static let pi3BConstantGUIDByte: UInt8 = 0x44

    /// The option's raw value (type byte included).
    public init(_ value: [UInt8]) {
        guard value.count == 17, let type = value.first, type == 0 else {
            self = .unexpectedLayout(type: value.first, length: value.count)
            return
        }
        let guid = value.dropFirst()
        if guid.allSatisfy({ $0 == Self.pi3BConstantGUIDByte }) {
            self = .pi3BConstant
        } else if let bootloader = RaspberryPiBootloaderGUID(guid: guid) {
            self = .bootloaderGUID(bootloader)
        } else if let serial = Self.repeatedSerial(guid) {
            self = .repeatedSerial(serial)
        } else {
            self = .otherGUID(leadingBytes: Array(guid.prefix(4)))
        }
    }

    /// Whether the layout is one only Raspberry Pi firmware sends.
    public var isRaspberryPi: Bool {
        switch self {
        case .pi3BConstant, .repeatedSerial, .bootloaderGUID: true
        case .otherGUID, .unexpectedLayout: false
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

    public var description: String {
        switch self {
        case .pi3BConstant: "Pi 3B ROM constant"
        case .repeatedSerial(let serial): "serial \(serial) repeated"
        case .bootloaderGUID(let guid): guid.description
        case .otherGUID(let leading): "GUID " + leading.map(hex8).joined() + "..."
        case .unexpectedLayout(let type?, let length): "type \(type), \(length) bytes"
        case .unexpectedLayout(nil, _): "empty"
        }
    }
}

/// The Pi 4/5 bootloader's default option 97 GUID: FourCC `RPiN`, board revision, MAC, serial.
///
/// Recognised by the FourCC family `RPi` plus one printable character, so the next model's
/// bootloader is recognised without a new entry here. Byte order of the numbers, checked
/// against two logs: `00:34:69:50:52:15:31:c0:00:67:7c:d4:67:a9...` from a Pi 4B (board
/// revision c03115, MAC 2c:cf:67:7c:d4:67, TFTP prefix f34fdaa9) and
/// `00:52:50:69:34:40:31:c0:00:01:94:24:f8:e7...` from a CM4 (c03140, MAC e4:5f:01:94:24:f8;
/// cmprovision#5): the FourCC comes in both byte orders, the board revision is
/// little-endian in both, the MAC bytes are in wire order, and the serial starts with its
/// least significant byte (`a9` of f34fdaa9; the logs truncate after it, so its other
/// three bytes are inferred from the little-endian order of every other field).
public struct RaspberryPiBootloaderGUID: Hashable, Sendable, CustomStringConvertible {
    /// Byte order of the FourCC on the wire; both occur.
    public enum FourCCOrder: Hashable, Sendable {
        /// `34 69 50 52`: the characters reversed, i.e. the documented number 0x34695052
        /// written most significant byte first (a Pi 4B's dnsmasq log).
        case reversed
        /// `52 50 69 34`: "RPi4" in reading order, i.e. 0x34695052 written least significant
        /// byte first like the board revision after it (CM4 in cmprovision#5 and #16).
        case text
    }

    static let fourCCFamily: [UInt8] = Array("RPi".utf8)

    public var fourCCOrder: FourCCOrder
    /// The character after `RPi`: `4` on the Pi 4 family, `5` on the Pi 5 family.
    public var generation: Character
    /// The revision code `cat /proc/cpuinfo` shows, e.g. 0xc03115 for a Pi 4B 4GB rev 1.5.
    public var boardRevision: RaspberryPiBoardRevision
    /// The MAC address's last four bytes, in wire order.
    public var macLowBytes: [UInt8]
    public var serial: RaspberryPiSerial

    init?(guid: ArraySlice<UInt8>) {
        guard guid.count == 16 else { return nil }
        let fourCC = Array(guid.prefix(4))
        let generationByte: UInt8
        if fourCC.prefix(3).elementsEqual(Self.fourCCFamily) {
            fourCCOrder = .text
            generationByte = fourCC[3]
        } else if fourCC.reversed().prefix(3).elementsEqual(Self.fourCCFamily) {
            fourCCOrder = .reversed
            generationByte = fourCC[0]
        } else {
            return nil
        }
        guard (0x21...0x7e).contains(generationByte) else { return nil }
        generation = Character(Unicode.Scalar(generationByte))
        let start = guid.startIndex
        boardRevision = RaspberryPiBoardRevision(littleEndianUInt32(guid[(start + 4)..<(start + 8)]))
        macLowBytes = Array(guid[(start + 8)..<(start + 12)])
        serial = RaspberryPiSerial(littleEndian: guid[(start + 12)..<(start + 16)])
    }

    public var description: String { "RPi\(generation) \(boardRevision) serial \(serial)" }
}

func hex8(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}

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
