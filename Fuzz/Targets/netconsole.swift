import BrambleBoot

/// `netconsole`: the input as one datagram on the netconsole port, decoded as the sink does
/// (`NetconsoleDatagram`), each line then formatted into a boot log line as the recorder
/// writes it.
///
/// Invariants: decoding is total (lines or a typed error); an input over the length bound
/// is refused; lines are 1 to `maximumLines`, none empty, none with surrounding spaces, none
/// holding a C0 or C1 control character or DEL; each formatted log line is one printable
/// line (no control characters at all, no line or paragraph separator) no longer than
/// four times the datagram plus its fixed prefix.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetconsole(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let datagram: NetconsoleDatagram
    do {
        datagram = try NetconsoleDatagram(decoding: bytes)
    } catch {
        if bytes.count > NetconsoleDatagram.maximumLength {
            invariant(error == .tooLong(length: bytes.count), "\(bytes.count) bytes refused as \(error)")
        }
        return 0
    }
    invariant(bytes.count <= NetconsoleDatagram.maximumLength, "\(bytes.count) bytes accepted")
    invariant(!datagram.lines.isEmpty && datagram.lines.count <= NetconsoleDatagram.maximumLines, "\(datagram.lines.count) lines: \(hexText(bytes))")
    for line in datagram.lines {
        invariant(!line.isEmpty && line.first != " " && line.last != " ", "line '\(line)' is empty or untrimmed: \(hexText(bytes))")
        invariant(line.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) },
                  "line '\(line)' holds a control character: \(hexText(bytes))")
        let logLine = BootLogLine.format(time: 1_800_000_000_000, bootStarted: 1_799_999_990_000, node: "node05", stage: .firmware, failure: false,
                                         text: BootEvent.Kind.bootloaderLog(line: line).description)
        invariant(logLine.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) && $0.value != 0x2028 && $0.value != 0x2029 },
                  "log line '\(logLine)' is not one printable line: \(hexText(bytes))")
        invariant(logLine.utf8.count <= 4 * bytes.count + 128 + 12 * line.unicodeScalars.count, "log line of \(logLine.utf8.count) bytes from \(bytes.count): \(hexText(bytes))")
    }
    return 0
}
