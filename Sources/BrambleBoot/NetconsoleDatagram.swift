import BrambleWire

/// One UDP datagram of the Pi 4/5 bootloader's netconsole (`NETCONSOLE=` in its EEPROM
/// config; docs/netconsole.md), decoded into the log lines it carries.
///
/// The bootloader sends its debug log as plain text, a line or a few per datagram, e.g.
/// `  2.52 Boot mode: NETWORK (02) order f21`. Anyone on the cluster network can send to the
/// port too, so decoding is total and bounded: at most ``maximumLength`` bytes and
/// ``maximumLines`` lines, lines split at LF, CR LF or a lone CR, blank lines dropped,
/// surrounding spaces trimmed, tabs made spaces. Terminal escape sequences (ESC `[` ...
/// final byte) and every other control character are removed, and bytes that are not UTF-8
/// become U+FFFD, so a line can neither start a new log line nor drive the terminal of
/// whoever follows the log; what remains is still escaped by ``BootLogLine``. A datagram
/// that is mostly control bytes or not UTF-8 is no log text and is refused whole.
public struct NetconsoleDatagram: Hashable, Sendable {
    /// A UDP payload that fits one Ethernet frame: the bootloader's are far shorter.
    public static let maximumLength = 1472
    public static let maximumLines = 64

    public let lines: [String]

    public init(decoding bytes: some Collection<UInt8>) throws(NetconsoleDecodingError) {
        let length = bytes.count
        guard length > 0 else { throw .empty }
        guard length <= Self.maximumLength else { throw .tooLong(length: length) }
        let text = String(decoding: bytes, as: UTF8.self)
        var unreadable = 0
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        var escape = EscapeState.none
        func endLine() throws(NetconsoleDecodingError) {
            let trimmed = String(String(line).trimmingSpaces)
            line = String.UnicodeScalarView()
            guard !trimmed.isEmpty else { return }
            guard lines.count < Self.maximumLines else { throw .tooManyLines(maximum: Self.maximumLines) }
            lines.append(trimmed)
        }
        for scalar in text.unicodeScalars {
            switch escape {
            case .started:
                escape = scalar == "[" ? .controlSequence : .none
                continue
            case .controlSequence:
                if (0x40...0x7e).contains(scalar.value) { escape = .none }
                if !(0x20...0x7e).contains(scalar.value) { unreadable += 1 }
                continue
            case .none:
                break
            }
            switch scalar.value {
            case 0x0a, 0x0d: try endLine()
            case 0x09: line.append(" ")
            case 0x1b: escape = .started
            case 0x00...0x1f, 0x7f...0x9f, 0xfffd: unreadable += 1
            default: line.append(scalar)
            }
        }
        try endLine()
        // A few stray bytes in a line are noise; a datagram a quarter of which is unreadable
        // is a binary packet that found the port.
        guard unreadable * 4 <= length else { throw .notText(unreadableCharacters: unreadable, length: length) }
        guard !lines.isEmpty else { throw .blank }
        self.lines = lines
    }

    private enum EscapeState {
        case none
        case started
        case controlSequence
    }
}

/// Why a netconsole datagram carries no log line; the service counts these and logs them
/// rate-limited, naming the sender.
public enum NetconsoleDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(length: Int)
    case tooManyLines(maximum: Int)
    case notText(unreadableCharacters: Int, length: Int)
    /// Only spaces, newlines and removed control characters.
    case blank

    public var description: String {
        switch self {
        case .empty: "an empty datagram"
        case .tooLong: "longer than the \(NetconsoleDatagram.maximumLength) bytes a netconsole datagram holds"
        case .tooManyLines(let maximum): "more than \(maximum) lines in one datagram"
        case .notText(let unreadable, let length): "not log text: \(unreadable) of \(length) bytes are control characters or not UTF-8"
        case .blank: "no text, only blanks and control characters"
        }
    }
}
