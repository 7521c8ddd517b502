/// Byte-level text handling for dnsmasq files.
///
/// Everything here cuts only at ASCII bytes, which never occur inside a multi-byte UTF-8
/// sequence: any input, however broken, splits without trapping, and a separator cannot hide
/// inside a grapheme cluster (`,` followed by a combining mark is still a comma to dnsmasq).
enum DnsmasqText {
    /// C's `isspace`, which dnsmasq uses: space, tab, LF, VT, FF, CR.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// The physical lines of a file: split at LF, with a CR before the LF dropped so files
    /// written on Windows read the same. A final line break does not start another line.
    static func lines(of text: String) -> [Substring] {
        var lines: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                lines.append(droppingCarriageReturn(text[start..<index]))
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if start != bytes.endIndex { lines.append(droppingCarriageReturn(text[start...])) }
        return lines
    }

    /// The line without its comment. Like dnsmasq, `#` opens a comment only at the start of the
    /// line or after whitespace, and never inside double quotes (`pxe-service=0,"Pi #1"`).
    static func strippingComment(_ line: Substring) -> Substring {
        var inQuotes = false
        var afterWhitespace = true
        for index in line.utf8.indices {
            let byte = line.utf8[index]
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if byte == UInt8(ascii: "#"), afterWhitespace, !inQuotes {
                return line[..<index]
            }
            afterWhitespace = isWhitespace(byte)
        }
        return line
    }

    static func trimmed(_ text: Substring) -> Substring {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// The text with one pair of surrounding double quotes removed, as dnsmasq removes them.
    static func unquoted(_ text: Substring) -> Substring {
        let bytes = text.utf8
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else {
            return text
        }
        return text[bytes.index(after: bytes.startIndex)..<bytes.index(before: bytes.endIndex)]
    }

    /// Fields between separators, each trimmed and unquoted; empty fields are kept so that the
    /// caller decides what an empty field means.
    static func fields(of text: Substring, separatedBy separator: UInt8) -> [Substring] {
        text.utf8.split(separator: separator, omittingEmptySubsequences: false).map {
            unquoted(trimmed(text[$0.startIndex..<$0.endIndex]))
        }
    }

    /// Runs of non-whitespace: the fields of an /etc/ethers or /etc/hosts line.
    static func words(of text: Substring) -> [Substring] {
        text.utf8.split(whereSeparator: isWhitespace).map { text[$0.startIndex..<$0.endIndex] }
    }

    static func hasPrefix(_ text: Substring, _ prefix: String) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    /// The text after an ASCII prefix the caller has checked with ``hasPrefix(_:_:)``.
    static func droppingPrefix(_ text: Substring, _ prefix: String) -> Substring {
        text[text.utf8.index(text.startIndex, offsetBy: prefix.utf8.count)...]
    }

    /// Whether the text could be a dnsmasq long option name (`dhcp-host`, `enable-tftp`): a
    /// letter, then letters, digits and hyphens. Anything else is not read as an option.
    static func isOptionName(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, isLetter(first) else { return false }
        return text.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// ASCII letters only: setting bit 5 folds `A-Z` onto `a-z` and moves no other byte there.
    static func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte | 0x20) }
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (0x61...0x66).contains(byte | 0x20) }

    private static func droppingCarriageReturn(_ line: Substring) -> Substring {
        guard line.utf8.last == UInt8(ascii: "\r") else { return line }
        return line[..<line.utf8.index(before: line.endIndex)]
    }
}
