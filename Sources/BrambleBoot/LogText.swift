/// Text from outside (a TFTP file name, a DHCP host name or vendor class, a DNS name) made
/// safe to write into a log line.
///
/// A client chooses these strings: left raw, a newline would forge a whole log line, an
/// ESC sequence would drive the operator's terminal, a bidi override would make a line read
/// differently from what it says. What is escaped, as `\xNN` (or `\u{NNNN}` above U+00FF):
/// C0 controls (tab and newline too), DEL, C1 controls, the backslash itself (so an escape
/// cannot be forged either), Unicode line and paragraph separators, bidi controls and the
/// byte order mark. Bytes that are not UTF-8 are escaped byte by byte (``escaped(bytes:)``).
public enum LogText {
    /// `text` escaped for one line. With `continuationIndent`, a newline is kept and the next
    /// line starts with the indent, so a multi-line message cannot start a line of its own.
    public static func escaped(_ text: String, continuationIndent: String? = nil) -> String {
        // Most text needs nothing escaped: checked over the contiguous UTF-8 (every native
        // string has it), which is several times faster than walking the UTF-8 view.
        let plain = { (byte: UInt8) in byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\\") }
        if text.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(plain) }) ?? text.utf8.allSatisfy(plain) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars { append(scalar, to: &result, continuationIndent: continuationIndent) }
        return result
    }

    /// Bytes that should be UTF-8 text (a file name from a packet), escaped as above, every
    /// byte that is not part of a valid UTF-8 sequence as `\xNN`.
    public static func escaped(bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var result = ""
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
            if length > 0, index + length <= bytes.count,
               let decoded = String(validating: bytes[index..<index + length], as: UTF8.self),
               let scalar = decoded.unicodeScalars.first {
                append(scalar, to: &result, continuationIndent: nil)
                index += length
            } else {
                result += hexEscape(UInt32(lead))
                index += 1
            }
        }
        return result
    }

    private static func append(_ scalar: Unicode.Scalar, to result: inout String, continuationIndent: String?) {
        if scalar == "\n", let continuationIndent {
            result += "\n" + continuationIndent
        } else if needsEscape(scalar) {
            result += hexEscape(scalar.value)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1f, 0x5c, 0x7f...0x9f: true
        case 0x2028, 0x2029, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069, 0xfeff: true
        default: false
        }
    }

    private static func hexEscape(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        if value <= 0xff { return "\\x" + (digits.count == 1 ? "0" : "") + digits }
        return "\\u{" + digits + "}"
    }
}
