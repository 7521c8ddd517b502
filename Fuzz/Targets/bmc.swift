import BrambleBMC

/// `bmc`: the input as bytes from the Edge Rack BMC's serial line, cut into lines by
/// `BMCLineReader` (in two reads, split where the first byte says) and each decoded by
/// `BMCReply.parse`, as `bramble bmc` reads its replies.
///
/// Invariants: decoding is total (a status or a not-understood line, never a trap); no line
/// is longer than `maximumLineLength` or holds a CR or LF; a status re-rendered as the BMC
/// prints it parses back to the same status; a not-understood line's text is printable
/// ASCII and says its length.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBMC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzReader(fuzzBytes(data, size))
    let split = Int(input.byte())
    let bytes = Array(input.rest())
    var reader = BMCLineReader()
    let cut = min(split, bytes.count)
    var lines = reader.append(bytes[..<cut]) + reader.append(bytes[cut...])
    if let rest = reader.remainder() { lines.append(rest) }
    for line in lines {
        invariant(!line.isEmpty && line.count <= BMCLineReader.maximumLineLength, "line of \(line.count) bytes: \(hexText(bytes))")
        invariant(!line.contains(13) && !line.contains(10), "line holds a line ending: \(hexText(line))")
        switch BMCReply.parse(line) {
        case .status(let status):
            invariant(BMCReply.parse(Array(status.line.utf8)) == .status(status), "'\(status.line)' does not read back: \(hexText(line))")
        case .notUnderstood(let text):
            invariant(text.length == line.count, "length \(text.length) for \(line.count) bytes")
            invariant(text.text.utf8.allSatisfy { (0x20...0x7e).contains($0) }, "unprintable text '\(text.text)': \(hexText(line))")
        }
    }
    return 0
}
