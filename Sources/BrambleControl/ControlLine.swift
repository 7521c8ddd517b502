import FoundationEssentials

/// The control socket's framing: one JSON object per line, both ways.
public enum ControlLine {
    /// Longest line either side accepts. Requests are tiny; a status of 750 nodes is about
    /// 200 KB.
    public static let maximumRequestLength = 4096
    public static let maximumResponseLength = 4 << 20

    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    /// Decodes one line (without its newline).
    public static func decode<Value: Decodable>(_ type: Value.Type, from line: some Collection<UInt8>) throws -> Value {
        try JSONDecoder().decode(type, from: Data(line))
    }
}
