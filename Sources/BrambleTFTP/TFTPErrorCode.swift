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
