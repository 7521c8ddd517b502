/// Option 43 (PXE vendor options) for Raspberry Pi clients.
///
/// The Pi firmware does not do PXE, but it only takes an OFFER whose option 43 holds a PXE
/// boot menu entry with the text it expects. This is the value dnsmasq builds for
/// `pxe-service=0,"Raspberry Pi Boot"` (boot-net.adoc; fixtures.md F2), sub-option by
/// sub-option:
///
/// ```
/// 06 01 03               PXE_DISCOVERY_CONTROL = 3 (no broadcast/multicast discovery)
/// 0a 04 00 50 58 45      PXE_MENU_PROMPT: timeout 0, "PXE"
/// 09 LL 00 00 NN text    PXE_BOOT_MENU: server type 0, description of NN bytes
/// ff                     end of vendor options
/// ```
public struct RaspberryPiBootMenu: Hashable, Sendable {
    /// What the firmware matches (the Pi 4's `PXE_OPTION43` default).
    public static let unpaddedText = Array("Raspberry Pi Boot".utf8)
    /// The 3B ROM miscounts the text and needs three trailing spaces (boot-net.adoc;
    /// firmware#871's working configuration). bramble sends this form to every Pi; it
    /// appears in public dnsmasq set-ups beyond the 3B, but that the 3B+, Pi 4 and Pi 5
    /// accept it is not yet verified on hardware (docs/raspberry-pi-netboot.md, option 43).
    public static let paddedText = unpaddedText + Array("   ".utf8)
    /// A boot menu sub-option holds 2 type bytes, a length byte and the text in 255 bytes.
    public static let maximumTextLength = 252

    /// The menu with the padded text: the one bramble sends by default.
    public static let padded = RaspberryPiBootMenu(validText: paddedText)
    /// Exactly dnsmasq's bytes, for Pis configured or known to need them.
    public static let unpadded = RaspberryPiBootMenu(validText: unpaddedText)

    /// The boot menu entry's text: what the firmware compares with its expected string.
    public let text: [UInt8]

    /// A menu with a custom text, for Pi 4s whose `PXE_OPTION43` was changed.
    public init(text: String) throws(RaspberryPiBootMenuError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maximumTextLength else {
            throw .textTooLong(length: bytes.count)
        }
        self.init(validText: bytes)
    }

    /// The option 43 value, built once: every offer to a Pi carries it.
    public let vendorSpecificInformation: [UInt8]

    private init(validText: [UInt8]) {
        text = validText
        var bytes: [UInt8] = [0x06, 0x01, 0x03, 0x0a, 0x04, 0x00, 0x50, 0x58, 0x45]
        bytes.reserveCapacity(bytes.count + 6 + validText.count)
        bytes.append(contentsOf: [0x09, UInt8(3 + validText.count), 0x00, 0x00, UInt8(validText.count)])
        bytes.append(contentsOf: validText)
        bytes.append(0xff)
        vendorSpecificInformation = bytes
    }
}

/// Why a boot menu cannot be built.
public enum RaspberryPiBootMenuError: Error, Equatable, Sendable, CustomStringConvertible {
    case textTooLong(length: Int)

    public var description: String {
        switch self {
        case .textTooLong(let length):
            "boot menu text of \(length) bytes exceeds the \(RaspberryPiBootMenu.maximumTextLength) bytes option 43 can hold"
        }
    }
}
