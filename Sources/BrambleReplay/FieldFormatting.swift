import BrambleWire

/// How differing values are printed: text when it reads as text, dotted quads for
/// addresses, numbers for counters, hex otherwise.
enum FieldFormatting {
    static func bytes(_ value: [UInt8]?) -> String {
        guard let value else { return "absent" }
        if value.isEmpty { return "empty" }
        if value.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return "\"" + String(decoding: value, as: UTF8.self) + "\"" }
        return hex(value)
    }

    /// Addresses as dotted quads, times as seconds, the rest as ``bytes(_:)``.
    static func dhcpOption(_ code: UInt8, _ value: [UInt8]?) -> String {
        guard let value, !value.isEmpty else { return bytes(value) }
        if [1, 3, 6, 28, 42, 50, 54].contains(code), value.count % 4 == 0 {
            return stride(from: 0, to: value.count, by: 4).map { "\(IPv4Address(bytes: value[$0..<($0 + 4)])!)" }.joined(separator: ", ")
        }
        if [51, 58, 59].contains(code), value.count == 4 {
            return "\(value.reduce(0) { $0 << 8 | UInt32($1) }) s"
        }
        if code == 53, value.count == 1 {
            return ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"][safe: Int(value[0])] ?? "\(value[0])"
        }
        return bytes(value)
    }

    static func hex(_ value: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        let shown = value.prefix(48).map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xf)]]) }.joined()
        return value.count > 48 ? "\(shown)... (\(value.count) bytes)" : shown
    }

    /// `field: capture X, replay Y` when the two differ.
    static func compare<T: Equatable>(_ field: String, _ capture: T, _ replay: T, into lines: inout [String], show: (T) -> String = { "\($0)" }) {
        if capture != replay { lines.append("\(field): capture \(show(capture)), replay \(show(replay))") }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
