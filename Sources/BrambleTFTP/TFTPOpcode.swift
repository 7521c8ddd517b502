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
