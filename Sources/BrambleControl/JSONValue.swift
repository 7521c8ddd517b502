/// A JSON value (RFC 8259, https://www.rfc-editor.org/rfc/rfc8259): what ``JSONReader``
/// reads a line into and ``JSONValueEncoder`` builds from an `Encodable`, before
/// ``JSONValueDecoder`` or ``write(to:indent:)`` take it on.
///
/// The control socket's JSON is coded here rather than with Foundation's `JSONEncoder` and
/// `JSONDecoder` so that `bramble serve` links no Foundation: FoundationEssentials kept
/// its pages resident in a daemon whose only JSON is these lines (docs/benchmarks.md,
/// "Memory: what is resident").
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number as written, already checked against RFC 8259's grammar; converted when a
    /// decoder asks for a particular type, so no precision is lost on the way.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// What the value is, for error messages: "a string", "an object".
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Appends the value's JSON text: object keys sorted by their UTF-8 bytes (so the same
    /// value is always the same line), `/` not escaped, every control character escaped (so
    /// a value never holds a raw newline, the control socket's line end). With `indent`, one
    /// member or element a line, indented by two spaces a level, `"key" : value` as
    /// Foundation's `.prettyPrinted` writes it.
    func write(to output: inout [UInt8], indent: Int? = nil) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.newline(&output, indent.map { $0 + 1 })
                element.write(to: &output, indent: indent.map { $0 + 1 })
            }
            if !elements.isEmpty { Self.newline(&output, indent) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.newline(&output, indent.map { $0 + 1 })
                Self.writeString(key, to: &output)
                output.append(contentsOf: (indent == nil ? ":" : " : ").utf8)
                members[key, default: .null].write(to: &output, indent: indent.map { $0 + 1 })
            }
            if !keys.isEmpty { Self.newline(&output, indent) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ output: inout [UInt8], _ indent: Int?) {
        guard let indent else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 8259 section 7: `"` and `\` escaped, control characters (below U+0020) as their
    /// short escape or `\u00XX`; everything else as its UTF-8 bytes.
    private static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
