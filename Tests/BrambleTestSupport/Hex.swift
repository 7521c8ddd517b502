/// Bytes from hex text: `"63 82 53 63"`, `"63825363"` or over several lines; whitespace is
/// ignored. For test vectors written in the test, so malformed text is a bug in the test
/// and traps (with the offending text); text from elsewhere goes through ``hexBytes(_:)``.
public func hex(_ text: String) -> [UInt8] {
    guard let bytes = hexBytes(text) else { preconditionFailure("not an even number of hex digits: \(text)") }
    return bytes
}

/// Bytes from hex text (whitespace ignored), or nil when it is not an even number of hex
/// digits: for text a tool printed, such as a script's hex dump of a packet.
public func hexBytes(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count / 2)
    var high: UInt8?
    for character in text.utf8 {
        if character == 0x20 || (0x09...0x0d).contains(character) { continue }
        guard let nibble = hexDigitValue(character) else { return nil }
        if let first = high {
            bytes.append(first << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return high == nil ? bytes : nil
}

/// Bytes from `offset  xx xx ...` hex dump lines (`od`/`xxd`-like, as in
/// Fixtures/frames/reconstructed-frames.txt): the first field of each line is its offset.
public func hexdump(_ text: String) -> [UInt8] {
    text.split(separator: "\n").flatMap { line in
        hex(line.split(separator: " ").dropFirst().joined())
    }
}

/// Bytes as lowercase hex, two digits each, joined by `separator`: `"63 82 53 63"`.
public func hexText(_ bytes: some Sequence<UInt8>, separator: String = " ") -> String {
    let digits = Array("0123456789abcdef")
    return bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]]) }.joined(separator: separator)
}

private func hexDigitValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
}
