import BrambleWire

/// A TFTP packet (RFC 1350, with RFC 2347's OACK), decoded from or encoded to a UDP payload,
/// with every field it carries: opcode, request (file name, mode, options), error code.
///
/// Decoding and encoding run on BrambleWire's ``ByteReader`` and ``ByteWriter`` like every
/// codec of bramble: `init(decoding:)` is total (a value or a ``TFTPDecodingError``),
/// `encode(into:)` never writes past its writer's limit. DATA keeps its payload as a slice
/// of the datagram it arrived in, so decoding a block copies nothing; the server sends file
/// blocks without building this value at all (``TFTPDataBlock``).
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

    /// The largest UDP payload over IPv4: what ``encoded(limit:)`` allows by default.
    public static let maximumLength = 65_507

    // MARK: decoding

    /// The block number of an ACK, nil for any other payload: exactly the ACKs
    /// ``init(decoding:)`` decodes (extra bytes after the number ignored), read without
    /// building a packet, for the server's path of every block.
    @inlinable
    public static func acknowledgedBlock(in bytes: ArraySlice<UInt8>) -> UInt16? {
        let start = bytes.startIndex
        guard bytes.count >= 4, bytes[start] == 0, bytes[start + 1] == UInt8(TFTPOpcode.acknowledgement.rawValue) else { return nil }
        return UInt16(bytes[start + 2]) << 8 | UInt16(bytes[start + 3])
    }

    public init(decoding bytes: [UInt8]) throws(TFTPDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a UDP payload. Lenient where clients are known to be sloppy and nothing is
    /// lost by it: bytes after an ACK's block number are ignored (the Pi 5 pads its ACKs),
    /// NUL bytes after a request's last field are padding, and an ERROR message may lack
    /// its final NUL.
    public init(decoding bytes: ArraySlice<UInt8>) throws(TFTPDecodingError) {
        // An ACK, the packet a transfer receives once per block, read straight from its
        // four bytes: the same value the general path below gives, without the reader.
        if let block = Self.acknowledgedBlock(in: bytes) {
            self = .acknowledgement(block: block)
            return
        }
        var reader = ByteReader(bytes)
        let rawOpcode: UInt16
        do throws(WireTruncation) {
            rawOpcode = try reader.readUInt16()
        } catch {
            throw .truncated(opcode: nil, length: bytes.count)
        }
        guard let opcode = TFTPOpcode(rawValue: rawOpcode) else { throw .unknownOpcode(rawOpcode) }
        switch opcode {
        case .readRequest:
            self = .readRequest(try Self.decodeRequest(&reader))
        case .writeRequest:
            self = .writeRequest(try Self.decodeRequest(&reader))
        case .data:
            let block = try Self.readUInt16(&reader, of: opcode)
            self = .data(block: block, payload: Self.rest(of: reader))
        case .acknowledgement:
            self = .acknowledgement(block: try Self.readUInt16(&reader, of: opcode))
        case .error:
            let code = TFTPErrorCode(rawValue: try Self.readUInt16(&reader, of: opcode))
            let message = Self.rest(of: reader).prefix { $0 != 0 }
            self = .error(code, message: String(decoding: message, as: UTF8.self))
        case .optionAcknowledgement:
            self = .optionAcknowledgement(try Self.decodeOptions(&reader))
        }
    }

    /// The 2-byte field after the opcode (block number or error code).
    private static func readUInt16(_ reader: inout ByteReader, of opcode: TFTPOpcode) throws(TFTPDecodingError) -> UInt16 {
        do throws(WireTruncation) {
            return try reader.readUInt16()
        } catch {
            throw .truncated(opcode: opcode, length: reader.count)
        }
    }

    /// What follows the reader's offset, as a slice of the input (no copy).
    private static func rest(of reader: ByteReader) -> ArraySlice<UInt8> {
        reader.bytes[(reader.bytes.startIndex + min(reader.offset, reader.count))...]
    }

    private static func decodeRequest(_ reader: inout ByteReader) throws(TFTPDecodingError) -> TFTPRequest {
        let nameBytes = try field(&reader, "file name")
        guard !nameBytes.isEmpty else { throw .emptyFileName }
        guard let fileName = String(validating: nameBytes, as: UTF8.self) else { throw .fileNameNotUTF8 }
        let modeText = try asciiText(field(&reader, "mode"))
        guard let mode = TFTPTransferMode(caseInsensitive: modeText) else { throw .unknownMode(modeText) }
        return TFTPRequest(fileName: fileName, mode: mode, options: try decodeOptions(&reader))
    }

    /// A NUL-terminated string of a request or OACK.
    private static func field(_ reader: inout ByteReader, _ name: String) throws(TFTPDecodingError) -> ArraySlice<UInt8> {
        guard let value = reader.readUntil(0) else { throw .unterminatedField(name) }
        return value
    }

    private static func asciiText(_ bytes: ArraySlice<UInt8>) throws(TFTPDecodingError) -> String {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { throw .optionNotASCII }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Name/value pairs up to the end, or up to trailing NUL padding.
    private static func decodeOptions(_ reader: inout ByteReader) throws(TFTPDecodingError) -> TFTPOptions {
        var options = TFTPOptions()
        while rest(of: reader).contains(where: { $0 != 0 }) {
            let name = try asciiText(field(&reader, "option name"))
            guard !name.isEmpty else { throw .emptyOptionName }
            guard !reader.isAtEnd else { throw .optionWithoutValue(name) }
            let value = try asciiText(field(&reader, "value of option '\(name)'"))
            options.append(name, value)
        }
        return options
    }

    // MARK: encoding

    /// Appends the UDP payload to `writer`. Strings are written as UTF-8 followed by NUL; a
    /// string that itself contains NUL cannot be represented and would read back cut
    /// short, so callers only encode names, digits and messages of their own.
    public func encode(into writer: inout ByteWriter) throws(TFTPEncodingError) {
        try put(writer.append(opcode.rawValue), limit: writer.limit)
        switch self {
        case .readRequest(let request), .writeRequest(let request):
            try Self.appendField(request.fileName, to: &writer, of: opcode)
            try Self.appendField(request.mode.rawValue, to: &writer, of: opcode)
            try Self.append(request.options, to: &writer, of: opcode)
        case .data(let block, let payload):
            try put(writer.fits(2 + payload.count), limit: writer.limit)
            writer.append(block)
            writer.append(contentsOf: payload)
        case .acknowledgement(let block):
            try put(writer.append(block), limit: writer.limit)
        case .error(let code, let message):
            let text = Self.boundedMessage(message)
            try put(writer.fits(2 + text.count + 1), limit: writer.limit)
            writer.append(code.rawValue)
            writer.append(contentsOf: text)
            writer.append(UInt8(0))
        case .optionAcknowledgement(let options):
            try Self.append(options, to: &writer, of: opcode)
        }
    }

    /// The UDP payload as bytes, at most `limit` of them; DATA reserves its exact size
    /// up front, so a block costs one allocation.
    public func encoded(limit: Int = maximumLength) throws(TFTPEncodingError) -> [UInt8] {
        let size = if case .data(_, let payload) = self { 4 + payload.count } else { 64 }
        var writer = ByteWriter(limit: limit, reservingCapacity: size)
        try encode(into: &writer)
        return writer.finish()
    }

    private func put(_ appended: Bool, limit: Int) throws(TFTPEncodingError) {
        guard appended else { throw .tooLarge(opcode, limit: limit) }
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

    private static func append(_ options: TFTPOptions, to writer: inout ByteWriter, of opcode: TFTPOpcode) throws(TFTPEncodingError) {
        for option in options {
            try appendField(option.name, to: &writer, of: opcode)
            try appendField(option.value, to: &writer, of: opcode)
        }
    }

    private static func appendField(_ text: String, to writer: inout ByteWriter, of opcode: TFTPOpcode) throws(TFTPEncodingError) {
        guard writer.fits(text.utf8.count + 1) else { throw .tooLarge(opcode, limit: writer.limit) }
        writer.append(contentsOf: text.utf8)
        writer.append(UInt8(0))
    }
}

/// Why a packet cannot be encoded: it does not fit the bytes allowed.
public enum TFTPEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLarge(TFTPOpcode, limit: Int)

    public var description: String {
        switch self {
        case .tooLarge(let opcode, let limit): "the \(opcode) packet does not fit in \(limit) bytes"
        }
    }
}

/// A read or write request: which file, how to encode it, and the options the client
/// proposes (RFC 1350 section 5, RFC 2347).
public struct TFTPRequest: Hashable, Sendable {
    /// As the client sent it; ``TFTPPathResolver`` decides what it may name.
    public var fileName: String
    public var mode: TFTPTransferMode
    public var options: TFTPOptions

    public init(fileName: String, mode: TFTPTransferMode = .octet, options: TFTPOptions = []) {
        self.fileName = fileName
        self.mode = mode
        self.options = options
    }
}

/// The mode string of a request (RFC 1350 section 5), matched case-insensitively as the RFC
/// requires ("NETASCII", "Octet" and so on all occur).
public enum TFTPTransferMode: String, Hashable, Sendable, CaseIterable {
    /// Bytes as they are: what every boot firmware asks for.
    case octet
    /// Text with CR LF line ends; the server converts on the fly (``NetasciiContents``).
    case netascii
    /// Obsolete, and only meaningful for writes: a read server refuses it.
    case mail

    /// Parses a mode string in any letter case.
    public init?(caseInsensitive text: String) {
        self.init(rawValue: text.lowercased())
    }
}

/// The options of a request or OACK, in wire order.
///
/// Order is kept because an OACK answers in the order the client asked (some clients read
/// it that way) and because logs should show what was sent. Names compare
/// case-insensitively (RFC 2347: "case in-sensitive"); when a name repeats, the first one
/// counts, so a client cannot smuggle a second value past a check of the first.
public struct TFTPOptions: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible {
    public private(set) var options: [TFTPOption]

    public init(_ options: [TFTPOption] = []) { self.options = options }
    public init(arrayLiteral elements: TFTPOption...) { options = elements }

    public var startIndex: Int { options.startIndex }
    public var endIndex: Int { options.endIndex }
    public subscript(position: Int) -> TFTPOption { options[position] }

    /// The value of the first option with this name, in any letter case.
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return options.first { $0.name.lowercased() == key }?.value
    }

    public mutating func append(_ name: String, _ value: String) {
        options.append(TFTPOption(name, value))
    }

    public var description: String { options.map(\.description).joined(separator: " ") }
}

/// One `name=value` pair of a request or OACK (RFC 2347), both ASCII text on the wire.
public struct TFTPOption: Hashable, Sendable, CustomStringConvertible {
    /// As the client wrote it; compare with ``TFTPOptions/subscript(_:)``, which ignores case.
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

/// The first two bytes of every TFTP packet (RFC 1350 section 5; 6 is RFC 2347's OACK).
public enum TFTPOpcode: UInt16, Hashable, Sendable, CustomStringConvertible {
    case readRequest = 1
    case writeRequest = 2
    case data = 3
    case acknowledgement = 4
    case error = 5
    case optionAcknowledgement = 6

    public var description: String {
        switch self {
        case .readRequest: "RRQ"
        case .writeRequest: "WRQ"
        case .data: "DATA"
        case .acknowledgement: "ACK"
        case .error: "ERROR"
        case .optionAcknowledgement: "OACK"
        }
    }
}

/// The error code of a TFTP ERROR packet (RFC 1350 section 5, RFC 2347 for 8).
///
/// A struct rather than an enum because clients send codes outside the defined range, and a
/// decoder that refused them would turn a client's complaint into a decoding failure.
public struct TFTPErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// "Not defined, see error message": what clients use for "Early terminate", the Pi
    /// firmware's way of ending a probe after reading the OACK.
    public static let notDefined = TFTPErrorCode(rawValue: 0)
    public static let fileNotFound = TFTPErrorCode(rawValue: 1)
    public static let accessViolation = TFTPErrorCode(rawValue: 2)
    public static let diskFull = TFTPErrorCode(rawValue: 3)
    public static let illegalOperation = TFTPErrorCode(rawValue: 4)
    public static let unknownTransferID = TFTPErrorCode(rawValue: 5)
    public static let fileAlreadyExists = TFTPErrorCode(rawValue: 6)
    public static let noSuchUser = TFTPErrorCode(rawValue: 7)
    /// The client refuses the server's OACK (RFC 2347).
    public static let optionNegotiationFailed = TFTPErrorCode(rawValue: 8)

    public var description: String {
        switch rawValue {
        case 0: "0 (not defined)"
        case 1: "1 (file not found)"
        case 2: "2 (access violation)"
        case 3: "3 (disk full)"
        case 4: "4 (illegal operation)"
        case 5: "5 (unknown transfer ID)"
        case 6: "6 (file already exists)"
        case 7: "7 (no such user)"
        case 8: "8 (option negotiation failed)"
        default: "\(rawValue) (undefined code)"
        }
    }
}

/// Why bytes are not a TFTP packet. The descriptions go to the log beside the client's
/// address, so they name the field and the numbers that were wrong.
public enum TFTPDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Too short for the packet's fixed fields (or for an opcode at all).
    case truncated(opcode: TFTPOpcode?, length: Int)
    case unknownOpcode(UInt16)
    /// A NUL-terminated field of a request, ERROR or OACK ran to the end of the packet.
    case unterminatedField(String)
    case emptyFileName
    /// TFTP file names are text; a name that is not UTF-8 cannot name a file in the tree.
    case fileNameNotUTF8
    case unknownMode(String)
    /// An option name without its value (an odd number of option strings).
    case optionWithoutValue(String)
    case emptyOptionName
    /// Option names and values are ASCII text (RFC 2347).
    case optionNotASCII

    public var description: String {
        switch self {
        case .truncated(let opcode?, let length):
            "\(opcode) packet of \(length) bytes is shorter than its 4-byte header"
        case .truncated(nil, let length):
            "packet of \(length) bytes has no 2-byte opcode"
        case .unknownOpcode(let opcode):
            "opcode \(opcode) is none of RRQ 1, WRQ 2, DATA 3, ACK 4, ERROR 5, OACK 6"
        case .unterminatedField(let field):
            "the \(field) is not NUL-terminated"
        case .emptyFileName:
            "the request names no file"
        case .fileNameNotUTF8:
            "the file name is not valid UTF-8"
        case .unknownMode(let mode):
            "mode '\(mode)' is none of octet, netascii, mail"
        case .optionWithoutValue(let name):
            "option '\(name)' has no value"
        case .emptyOptionName:
            "an option has an empty name"
        case .optionNotASCII:
            "an option name or value is not ASCII"
        }
    }
}
