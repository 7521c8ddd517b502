import BrambleWire

/// A TFTP packet (RFC 1350, with RFC 2347's OACK), decoded from or encoded to a UDP payload.
///
/// DATA keeps its payload as a slice of the datagram it arrived in, so decoding a block
/// copies nothing; the server sends file blocks without building this value at all
/// (``TFTPDataBlock``).
public enum TFTPPacket: Hashable, Sendable {
    case readRequest(TFTPRequest)
    case writeRequest(TFTPRequest)
    case data(block: UInt16, payload: ArraySlice<UInt8>)
    case acknowledgement(block: UInt16)
    case error(TFTPErrorCode, message: String)
    case optionAcknowledgement(TFTPOptions)

    public var opcode: TFTPOpcode {
        switch self {
        case .readRequest: .readRequest
        case .writeRequest: .writeRequest
        case .data: .data
        case .acknowledgement: .acknowledgement
        case .error: .error
        case .optionAcknowledgement: .optionAcknowledgement
        }
    }

    public init(decoding bytes: [UInt8]) throws(TFTPDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a UDP payload. Lenient where clients are known to be sloppy and nothing is
    /// lost by it: bytes after an ACK's block number are ignored (the Pi 5 pads its ACKs),
    /// NUL bytes after a request's last field are padding, and an ERROR message may lack
    /// its final NUL.
    public init(decoding bytes: ArraySlice<UInt8>) throws(TFTPDecodingError) {
        guard bytes.count >= 2 else { throw .truncated(opcode: nil, length: bytes.count) }
        let rawOpcode = NetworkByteOrder.uint16(bytes, at: 0)
        guard let opcode = TFTPOpcode(rawValue: rawOpcode) else { throw .unknownOpcode(rawOpcode) }
        let body = bytes.dropFirst(2)
        switch opcode {
        case .readRequest:
            self = .readRequest(try Self.decodeRequest(body))
        case .writeRequest:
            self = .writeRequest(try Self.decodeRequest(body))
        case .data:
            guard bytes.count >= 4 else { throw .truncated(opcode: opcode, length: bytes.count) }
            self = .data(block: NetworkByteOrder.uint16(bytes, at: 2), payload: bytes.dropFirst(4))
        case .acknowledgement:
            guard bytes.count >= 4 else { throw .truncated(opcode: opcode, length: bytes.count) }
            self = .acknowledgement(block: NetworkByteOrder.uint16(bytes, at: 2))
        case .error:
            guard bytes.count >= 4 else { throw .truncated(opcode: opcode, length: bytes.count) }
            let text = bytes.dropFirst(4)
            let message = text.prefix { $0 != 0 }
            self = .error(TFTPErrorCode(rawValue: NetworkByteOrder.uint16(bytes, at: 2)),
                          message: String(decoding: message, as: UTF8.self))
        case .optionAcknowledgement:
            var fields = NULTerminatedFields(body)
            self = .optionAcknowledgement(try fields.options())
        }
    }

    private static func decodeRequest(_ body: ArraySlice<UInt8>) throws(TFTPDecodingError) -> TFTPRequest {
        var fields = NULTerminatedFields(body)
        let nameBytes = try fields.next("file name")
        guard !nameBytes.isEmpty else { throw .emptyFileName }
        guard let fileName = String(validating: nameBytes, as: UTF8.self) else { throw .fileNameNotUTF8 }
        let modeText = try fields.asciiText(fields.next("mode"))
        guard let mode = TFTPTransferMode(caseInsensitive: modeText) else { throw .unknownMode(modeText) }
        return TFTPRequest(fileName: fileName, mode: mode, options: try fields.options())
    }
}

/// Reads the NUL-terminated strings that make up requests and OACKs.
private struct NULTerminatedFields {
    private var remaining: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { remaining = bytes }

    mutating func next(_ field: String) throws(TFTPDecodingError) -> ArraySlice<UInt8> {
        guard let nul = remaining.firstIndex(of: 0) else { throw .unterminatedField(field) }
        let value = remaining[..<nul]
        remaining = remaining[(nul + 1)...]
        return value
    }

    func asciiText(_ bytes: ArraySlice<UInt8>) throws(TFTPDecodingError) -> String {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { throw .optionNotASCII }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Name/value pairs up to the end, or up to trailing NUL padding.
    mutating func options() throws(TFTPDecodingError) -> TFTPOptions {
        var options = TFTPOptions()
        while remaining.contains(where: { $0 != 0 }) {
            let name = try asciiText(next("option name"))
            guard !name.isEmpty else { throw .emptyOptionName }
            guard !remaining.isEmpty else { throw .optionWithoutValue(name) }
            let value = try asciiText(next("value of option '\(name)'"))
            options.append(name, value)
        }
        return options
    }
}
