/// JSON text (RFC 8259) to and from `Codable` values without Foundation: the control
/// socket's lines (``ControlLine``) and the CLI's `--json` output. Objects are written with
/// their keys sorted and `/` unescaped, as the protocol's lines always were.
public enum JSONText {
    /// The value as one JSON text; with `pretty`, one member or element a line, indented by
    /// two spaces (Foundation's `.prettyPrinted` layout). Throws `EncodingError` for a value
    /// JSON cannot hold (a NaN or infinite number).
    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        var output: [UInt8] = []
        try JSONValueEncoder.encode(value).write(to: &output, indent: pretty ? 0 : nil)
        return output
    }

    /// The value `text` holds. Throws `DecodingError`: `dataCorrupted` with a
    /// ``JSONSyntaxError`` underneath when the bytes are not one JSON text, the other cases
    /// when they are JSON of another shape than `type`'s.
    public static func decode<Value: Decodable>(_ type: Value.Type, from text: some Collection<UInt8>) throws -> Value {
        let value: JSONValue
        do {
            value = try JSONReader.read(text)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: error.description, underlyingError: error))
        }
        return try JSONValueDecoder.decode(type, from: value)
    }
}
