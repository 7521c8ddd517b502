/// Bytes from hex text: `"63 82 53 63"` or `"63825363"`. Test vectors only, so malformed
/// text is a bug in the test and traps.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Bytes from `offset  xx xx ...` hexdump lines, as in reconstructed-frames.txt.
func hexdump(_ text: String) -> [UInt8] {
    text.split(separator: "\n").flatMap { line in
        hex(line.split(separator: " ").dropFirst().joined())
    }
}
