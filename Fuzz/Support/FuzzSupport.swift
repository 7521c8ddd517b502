import Glibc

/// What every harness shares: turning libFuzzer's buffer into bytes, reading structured
/// choices out of those bytes, and failing loudly when an invariant breaks.
///
/// A broken invariant aborts the process rather than returning an error: libFuzzer treats
/// the abort like any crash, writes the input that caused it to the artifact folder, and
/// `scripts/fuzz` reports it. The message on stderr says which invariant and why.

/// The fuzzer's input as an array (libFuzzer may pass a null pointer for an empty input).
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run with a message when `condition` is false.
func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    guard !condition() else { return }
    fputs("INVARIANT FAILED at \(file):\(line): \(message())\n", stderr)
    abort()
}

/// Bytes as lower-case hex, for invariant messages a developer pastes into a unit test.
func hexText(_ bytes: some Collection<UInt8>, limit: Int = 256) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    for byte in bytes.prefix(limit) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return bytes.count > limit ? text + "... (\(bytes.count) bytes)" : text
}

/// Reads choices from the front of a fuzz input: past the end every read returns zero or
/// nothing, so a harness never needs to check lengths and short inputs still run.
struct FuzzReader {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint16() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }

    mutating func bytes(_ count: Int) -> ArraySlice<UInt8> {
        let end = min(bytes.count, position + max(0, count))
        defer { position = end }
        return bytes[min(position, end)..<end]
    }

    /// A piece prefixed with its 16-bit big-endian length.
    mutating func chunk() -> ArraySlice<UInt8> { bytes(Int(uint16())) }

    mutating func rest() -> ArraySlice<UInt8> { bytes(bytes.count - position) }
}
