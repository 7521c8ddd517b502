/// One line from the BMC, understood or not. Decoding is total: every byte sequence is one
/// of these, so a noisy or foreign line is logged by the caller and never stops it.
public enum BMCReply: Hashable, Sendable {
    case status(BMCStatus)
    /// Anything else, as printable text (see ``BMCUnparsedLine``) for the caller's log.
    case notUnderstood(BMCUnparsedLine)

    /// Decodes one line (without its line ending).
    public static func parse(_ line: some Collection<UInt8>) -> BMCReply {
        let bytes = Array(line)
        if bytes.count <= BMCLineReader.maximumLineLength,
           bytes.allSatisfy({ $0 == UInt8(ascii: "\t") || (0x20...0x7e).contains($0) }),
           let status = BMCStatus(fields: Substring(decoding: bytes, as: UTF8.self)) {
            return .status(status)
        }
        return .notUnderstood(BMCUnparsedLine(bytes: bytes))
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}

/// A line bramble did not understand, kept printable for a log: printable ASCII as is, any
/// other byte as `\xNN`, at most ``shownBytes`` bytes shown and the full length said.
public struct BMCUnparsedLine: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public let length: Int

    public static let shownBytes = 120

    public init(bytes: [UInt8]) {
        var text = ""
        for byte in bytes.prefix(Self.shownBytes) {
            if (0x20...0x7e).contains(byte) && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: "\\") {
                text += "\\\\"
            } else {
                text += "\\x" + BMCHex.byte(byte)
            }
        }
        self.text = text
        self.length = bytes.count
    }

    /// `'text'`, with the length when the text is cut short.
    public var description: String {
        length > Self.shownBytes ? "'\(text)...' (\(length) bytes)" : "'\(text)'"
    }
}
