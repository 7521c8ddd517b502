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
