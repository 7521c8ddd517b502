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
            Self.appendField(message, to: &bytes)
        case .optionAcknowledgement(let options):
            Self.append(options, to: &bytes)
        }
        return bytes
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
