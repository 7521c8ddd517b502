/// How long the DHCP server waits before answering a Pi 3B boot ROM.
///
/// An answer that comes too fast can be ignored by the 3B ROM (raspberrypi/firmware#934:
/// a Raspberry Pi engineer suggests 2 s; piserver used 1 s; dnsmasq users set
/// `dhcp-reply-delay=2`). The ROM retries 5 times, 5 s apart, so the delay must stay well
/// under 5 s. The default, 1 s, is piserver's. Written `0`, `500ms` or `2s`; at most 4s.
public struct ReplyDelay: Hashable, Sendable, CustomStringConvertible {
    public let milliseconds: Int

    public static let maximumMilliseconds = 4000
    public static let piserverDefault = ReplyDelay(validMilliseconds: 1000)

    private init(validMilliseconds: Int) { milliseconds = validMilliseconds }

    public init(parsing text: String) throws(InvalidConfigValue) {
        let digits: Substring
        let scale: Int
        if text.hasSuffix("ms") {
            digits = text.dropLast(2)
            scale = 1
        } else if text.hasSuffix("s") {
            digits = text.dropLast()
            scale = 1000
        } else {
            digits = Substring(text)
            scale = 1000
        }
        guard !digits.isEmpty, digits.utf8.count <= 6, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(digits) else {
            throw InvalidConfigValue("'\(text)' is not a delay: write 0, 500ms or 2s")
        }
        guard value * scale <= Self.maximumMilliseconds else {
            throw InvalidConfigValue("\(text) is too long: the Pi 3B ROM gives up after 5 tries 5 s apart; use at most 4s")
        }
        milliseconds = value * scale
    }

    public var description: String { milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms" }
}

/// The text of the Raspberry Pi boot menu in DHCP option 43, which the firmware matches.
///
/// The default is "Raspberry Pi Boot" followed by three spaces: the 3B ROM miscounts the
/// string and needs the padding; later firmware matches the prefix (docs/raspberry-pi-netboot.md). A Pi 4
/// configured with another `PXE_OPTION43` needs that text here.
public struct BootMenuText: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public static let padded = BootMenuText(validText: "Raspberry Pi Boot   ")

    private init(validText: String) { text = validText }

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard !text.isEmpty, text.utf8.count <= 252 else {
            throw InvalidConfigValue("the boot menu text must be 1-252 characters (it is sent in DHCP option 43)")
        }
        guard text.utf8.allSatisfy({ (0x20...0x7e).contains($0) }) else {
            throw InvalidConfigValue("the boot menu text must be printable ASCII")
        }
        self.text = text
    }

    public var description: String { "\"\(text)\"" }
}
