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
