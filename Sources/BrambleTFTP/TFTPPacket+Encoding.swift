import BrambleWire

extension TFTPPacket {
    /// The UDP payload. Strings are written as UTF-8 followed by NUL; a string that itself
    /// contains NUL cannot be represented and would read back cut short, so callers only
    /// encode names, digits and messages of their own.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        NetworkByteOrder.append(opcode.rawValue, to: &bytes)
        switch self {
        case .readRequest(let request), .writeRequest(let request):
            Self.appendField(request.fileName, to: &bytes)
            Self.appendField(request.mode.rawValue, to: &bytes)
            Self.append(request.options, to: &bytes)
        case .data(let block, let payload):
            bytes.reserveCapacity(4 + payload.count)
            NetworkByteOrder.append(block, to: &bytes)
            bytes.append(contentsOf: payload)
        case .acknowledgement(let block):
            NetworkByteOrder.append(block, to: &bytes)
        case .error(let code, let message):
            NetworkByteOrder.append(code.rawValue, to: &bytes)
            bytes.append(contentsOf: Self.boundedMessage(message))
            bytes.append(0)
        case .optionAcknowledgement(let options):
            Self.append(options, to: &bytes)
        }
        return bytes
    }

    /// The most bytes of text an ERROR carries. Messages often quote what the client sent
    /// (its file name, its mode): without a bound a 64 KB request would get a 64 KB answer,
    /// which no client needs to read why it was refused.
    public static let maximumErrorMessageLength = 200

    /// `message` as UTF-8, cut at a character boundary to ``maximumErrorMessageLength``
    /// bytes (with "..." marking the cut), and without NUL, which would end it early.
    static func boundedMessage(_ message: String) -> [UInt8] {
        let utf8 = message.utf8.filter { $0 != 0 }
        guard utf8.count > maximumErrorMessageLength else { return utf8 }
        let ellipsis = Array("...".utf8)
        var end = maximumErrorMessageLength - ellipsis.count
        // Back up over UTF-8 continuation bytes (10xxxxxx) to the start of a character.
        while end > 0, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(utf8[..<end]) + ellipsis
    }

    private static func append(_ options: TFTPOptions, to bytes: inout [UInt8]) {
        for option in options {
            appendField(option.name, to: &bytes)
            appendField(option.value, to: &bytes)
        }
    }

    private static func appendField(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
        bytes.append(0)
    }
}
