/// Cuts the bytes read from the serial line into lines: CR, LF and CR LF all end one, blank
/// lines are dropped, and a line longer than ``maximumLineLength`` is cut there, so a line
/// that never ends (noise, a wrong baud rate) cannot grow without bound.
public struct BMCLineReader: Sendable {
    /// Far longer than any reply the reference shows (`   09 ff 1 1b 6c` is 16 bytes).
    public static let maximumLineLength = 256

    private var pending: [UInt8] = []

    public init() {}

    /// The lines completed by `bytes`; a partial line waits for the next call.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                flush(into: &lines)
            } else {
                pending.append(byte)
                if pending.count == Self.maximumLineLength { flush(into: &lines) }
            }
        }
        return lines
    }

    /// The partial line held back, handed out when the caller gives up waiting for its end.
    public mutating func remainder() -> [UInt8]? {
        var lines: [[UInt8]] = []
        flush(into: &lines)
        return lines.first
    }

    private mutating func flush(into lines: inout [[UInt8]]) {
        defer { pending.removeAll(keepingCapacity: true) }
        guard pending.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return }
        lines.append(pending)
    }
}
